"""The `qingfeng` commands (typer); what they show while working is in progress.py."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from assistant.cli import chinese
from assistant.cli.accounts import audit_app, users_app
from assistant.cli.progress import console, err_console, progress_bar, run_index_build, run_ingest
from assistant.config import get_settings

chinese.install()
app = typer.Typer(help="清风：党纪法规与政策文件问答助手", no_args_is_help=True, add_completion=False,
                  options_metavar="[选项]", subcommand_metavar="命令 [参数]...",
                  context_settings={"help_option_names": ["-h", "--help"]})

app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")

IndexOption = Annotated[Optional[Path], typer.Option("--index", help="索引目录（默认 QINGFENG_INDEX_DIR 或 ./index）")]
GroupsOption = Annotated[Optional[str], typer.Option(
    "--groups", help="以这些访问组的身份查询（逗号分隔；\"\"=只看公开文件）：看不到的文件不检索、不引用、不提及。不指定时可见全部文件")]


def _reader_groups(groups: Optional[str]) -> frozenset[str] | None:
    """--groups as a reader's groups (None: everything), or exit with a Chinese message."""
    from ingest.access import BadGroupName, parse_groups

    if groups is None:
        return None
    try:
        return frozenset(parse_groups(groups))
    except BadGroupName as exc:
        err_console.print(f"[red]错误：[/]{escape(exc.message)}")
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="要导入的文件或文件夹", metavar="文件或文件夹...")],
    index: IndexOption = None,
    max_size_mb: Annotated[Optional[float], typer.Option("--max-size-mb", help="单个文件大小上限（MB）")] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="不对扫描件做 OCR")] = False,
    no_search_index: Annotated[bool, typer.Option("--no-search-index", help="只导入，不建立检索索引")] = False,
    access: Annotated[Optional[str], typer.Option(
        "--access", help="这些文件的访问组（逗号分隔，如 纪检监察室,领导班子；“公开”=所有人可读）。"
                         "附带的 .meta.json / manifest.json 中写了 access 的以其为准；不指定时已入库文件保持原访问组，新文件公开")] = None,
) -> None:
    """导入文档（PDF / OFD / DOCX / DOC / WPS / TXT / MD / HTML），增量更新知识库和检索索引。每个文件都列出结果；有文件失败、或没有一个可导入的文件时，退出码为 1。"""
    from ingest.store import Store

    groups = None
    if access is not None:
        groups = [] if access.strip() in ("", "公开") else sorted(_reader_groups(access))
    index_dir = index or get_settings().index_dir
    with Store(index_dir) as store:
        report = run_ingest(paths, store, max_size_mb=max_size_mb, ocr=not no_ocr, access=groups)
        if not no_search_index and store.counts()["nodes"]:
            run_index_build(store)
    documents = sum(report.count(s) for s in ("added", "updated", "unchanged", "duplicate"))
    if report.errors or not documents:
        if not documents:
            err_console.print("[red]错误：[/]没有可导入的文档。", highlight=False)
        raise typer.Exit(1)


def _inspect_json(doc) -> dict:
    from ingest.red_header import RED_HEADER_FIELDS

    return {
        "title": doc.meta.title,
        "version": doc.meta.version,
        "status": doc.meta.status,
        "doc_type": doc.meta.doc_type,
        "issuer": doc.meta.issuer,
        "date": doc.meta.date,
        "doc_number": doc.meta.doc_number,
        **{name: getattr(doc.meta, name) for name in (*RED_HEADER_FIELDS, "attachments")},
        "access": doc.meta.access,
        "source": doc.source,
        "file_type": doc.file_type,
        "pages": doc.page_count,
        "ocr_used": doc.ocr_used,
        "encoding": doc.encoding,
        "warnings": doc.warnings,
        "toc": list(doc.toc) if doc.toc else None,
        "headings": [h.model_dump() for h in doc.headings],
        "articles": [
            {
                "number": u.number, "suffix": u.suffix, "label": u.label, "heading": u.heading,
                "page_start": u.page_start, "page_end": u.page_end,
                "start": u.start, "end": u.end, "clauses": len(u.clauses), "text": u.text,
            }
            for u in doc.articles
        ],
        "units": [
            {
                "kind": u.kind, "label": u.label, "number": u.number, "suffix": u.suffix, "heading": u.heading,
                "page_start": u.page_start, "page_end": u.page_end, "start": u.start, "end": u.end,
                "text": u.text, **({"table_row": u.table_row.model_dump()} if u.table_row else {}),
            }
            for u in doc.units
        ],
        "tables": _tables_json(doc),
    }


def _tables_json(doc) -> list[dict]:
    """Each table of a document: number, caption, where it stands, header and rows (with pages)."""
    from ingest.structure import table_place, table_where

    return [{"table": rows[0].table_row.table, "caption": rows[0].table_row.caption,
             "place": table_where(rows[0]), "name": table_place(rows[0]),
             "heading": rows[0].heading, "header": rows[0].table_row.header,
             "rows": [{"row": u.table_row.row, "cells": u.table_row.cells, "label": u.label, "page": u.page_start}
                      for u in rows]}
            for rows in doc.tables()]


def _short(text: str, width: int = 26) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= width else first[:width] + "…"


def _snippet(text: str, label: str | None, width: int = 120) -> str:
    """A passage on one line, without the article label the line above already shows."""
    text = re.sub(r"\s+", " ", text).strip()
    if label and text.startswith(label):
        text = text[len(label):].strip()
    return text if len(text) <= width else text[:width] + "…"


def _pages(unit) -> str:
    if unit.page_start is None:
        return ""
    if unit.page_end and unit.page_end != unit.page_start:
        return f" [dim]第{unit.page_start}–{unit.page_end}页[/]"
    return f" [dim]第{unit.page_start}页[/]"


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="要检查的文件", metavar="文件")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """显示文件解析出的结构：章节、条文（编号、页码）、提纲条目和推断的元数据。"""
    from ingest.access import describe
    from ingest.errors import IngestError
    from ingest.metadata import find_overrides
    from ingest.parse import parse_document
    from ingest.red_header import FIELD_LABELS, RED_HEADER_FIELDS

    settings = get_settings()
    if file.is_dir():
        raise typer.BadParameter(f"{file} 是文件夹；inspect 只检查单个文件（导入整个文件夹请用 qingfeng ingest）。",
                                 param_hint="'文件'")
    try:
        if not file.is_file():
            raise IngestError(f"找不到文件：{file}")
        if file.stat().st_size > settings.max_file_mb * 2**20:
            raise IngestError(f"《{file.name}》超过大小上限 {settings.max_file_mb:.0f} MB。")
        doc = parse_document(file, file.read_bytes(), source=str(file), overrides=find_overrides(file), ocr=settings.ocr)
    except IngestError as exc:
        err_console.print(f"[red]错误：[/]{escape(exc.message)}")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(json.dumps(_inspect_json(doc), ensure_ascii=False, indent=1) + "\n")
        return
    m = doc.meta
    info = Table.grid(padding=(0, 2))
    for label, value in [("标题", m.title), ("版本", m.version), ("状态", m.status), ("类型", m.doc_type),
                         ("发布机关", m.issuer), ("日期", m.date), ("文号", m.doc_number),
                         *[(FIELD_LABELS[name], getattr(m, name)) for name in RED_HEADER_FIELDS if getattr(m, name)],
                         *([("附件", "；".join(m.attachments))] if m.attachments else []),
                         ("访问组", describe(m.access)),
                         ("页数", doc.page_count), ("条文数", len(doc.articles)), ("片段单元", len(doc.units))]:
        info.add_row(f"[bold]{label}[/]", escape(str(value)) if value is not None else "[dim]—[/]")
    console.print(info)
    tree = Tree(f"《{escape(m.title)}》")
    branches: dict[tuple, Tree] = {(): tree}
    for unit in doc.units:
        path = tuple(unit.heading)
        for depth in range(1, len(path) + 1):
            if path[:depth] not in branches:
                branches[path[:depth]] = branches[path[: depth - 1]].add(f"[bold]{escape(path[depth - 1])}[/]")
        if unit.kind == "article":
            label = f"[cyan]{escape(unit.label)}[/]（{unit.number}）{_pages(unit)} {escape(_short(unit.text[len(unit.label):].strip()))}"
            if len(unit.clauses) > 1:
                label += f" [dim]{len(unit.clauses)}款[/]"
        else:
            text = unit.text[len(unit.label):].strip() if unit.label else unit.text
            label = f"[magenta]{escape(unit.label or '段落')}[/]{_pages(unit)} {escape(_short(text))}"
        branches[path].add(label)
    console.print(tree)
    for warning in doc.warnings:
        err_console.print(f"[yellow]结构提示：[/]{escape(warning)}", highlight=False, soft_wrap=True)


def _question_or_batch(question: Optional[str], batch: Optional[Path], out: Optional[Path]) -> None:
    """Exit with a Chinese message unless exactly one of a question and --batch (with --out) is given."""
    if (question is None) == (batch is None):
        err_console.print("[red]错误：[/]请给出一个问题，或用 --batch 指定问题文件（二者选一）。")
        raise typer.Exit(2)
    if batch is not None and out is None:
        err_console.print("[red]错误：[/]--batch 需要同时指定 --out 输出文件。")
        raise typer.Exit(2)


def _open_index(index: Optional[Path]):
    """(store, search index) of an index directory that holds documents, indexes brought up to date."""
    from ingest.store import Store

    index_dir = index or get_settings().index_dir
    store = Store(index_dir)
    if not store.counts()["nodes"]:
        store.close()
        err_console.print(f"[red]错误：[/]索引目录 {escape(str(index_dir))} 中没有文档，请先运行 qingfeng ingest。")
        raise typer.Exit(1)
    # Loads the saved indexes; rebuilds them (with a progress bar) when they are stale,
    # e.g. after `ingest --no-search-index` or a change of embedding model.
    search_index, _ = run_index_build(store)
    return store, search_index


@app.command()
def search(
    question: Annotated[Optional[str], typer.Argument(help="问题", metavar="问题")] = None,
    index: IndexOption = None,
    top_k: Annotated[int, typer.Option("--top-k", help="返回条数（1–100）", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="批量问题 JSONL：每行 {id, question}")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="批量结果输出 JSONL")] = None,
    document: Annotated[Optional[list[str]], typer.Option("--doc", help="只在这些文件中检索（标题、文号或 doc_id）")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--doc-type", help="文件类型：法规 / 实施意见 / 讲话 / 其他")] = None,
    issuer: Annotated[Optional[list[str]], typer.Option("--issuer", help="只检索这些发文机关的文件")] = None,
    current_only: Annotated[bool, typer.Option("--current-only", help="不含已修订、已废止的版本")] = False,
    groups: GroupsOption = None,
) -> None:
    """检索与问题最相关的条文（混合检索：BM25 + 向量，按文件、条号、版本路由）。"""
    from assistant.retrieval import SearchFilters, make_retriever, result_json

    _question_or_batch(question, batch, out)
    reader = _reader_groups(groups)
    store, search_index = _open_index(index)
    store.close()
    filters = SearchFilters(documents=document or [], doc_types=doc_type or [], issuers=issuer or [],
                            include_superseded=not current_only, groups=reader)
    retriever = make_retriever(search_index, top_k=top_k, filters=filters)
    if batch is not None:
        rows = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines() if line.strip()]
        with open(out, "w", encoding="utf-8") as handle, progress_bar("批量检索") as bar:
            task = bar.add_task("", total=len(rows))
            for row in rows:
                results = [result_json(r) for r in retriever.retrieve(row["question"])]
                handle.write(json.dumps({"id": row.get("id"), "results": results}, ensure_ascii=False) + "\n")
                bar.advance(task)
        console.print(f"已完成 {len(rows)} 个问题，结果写入 {escape(str(out))}")
        return
    results = [result_json(r) for r in retriever.retrieve(question)]
    if as_json:
        sys.stdout.write(json.dumps({"question": question, "results": results}, ensure_ascii=False, indent=1) + "\n")
        return
    if not results:
        console.print("没有找到相关条文。")
    for rank, r in enumerate(results, start=1):
        where = " · ".join(x for x in [r["heading"], f"第{r['page']}页" if r["page"] else ""] if x)
        console.print(f"[bold]{rank}. 《{escape(r['title'])}》（{escape(str(r['version'] or '—'))}，{r['status']}）"
                      f"{escape(r['place'] or '')}[/] [dim]{escape(where)} 得分 {r['score']:.4f}[/]")
        console.print("   " + escape(_snippet(r["text"], r.get("article_label"))))


def _print_answer(answer) -> None:
    style = "yellow" if answer.refused else "bold"
    console.print(f"[{style}]{escape(answer.answer)}[/]")
    sources = answer.related if answer.refused else answer.citations
    if sources:
        console.print("\n[bold]相关条文[/]" if answer.refused else "\n[bold]出处[/]")
    for c in sources:
        marker = f"[{c.marker}] " if c.marker else "· "
        console.print(f"{escape(marker)}{escape(c.reference)}")
        if c.table_row is not None:  # the row under its table's header
            table = Table(*c.table_row.header, title=c.table_row.caption or None, show_lines=False)
            table.add_row(*c.table_row.cells[:len(c.table_row.header)])
            console.print(table)
        else:
            console.print("   " + escape(_short(c.quote.replace(chr(10), ""), 120)), style="dim")
        if c.earlier_versions:
            earlier = "、".join(f"{e.version}年版{e.article_label}" for e in c.earlier_versions)
            console.print(f"   [dim]历史版本对应条文：{escape(earlier)}[/]")
    if answer.related and not answer.refused:
        console.print("\n[bold]相关条文（不作为答案依据）[/]")
        for c in answer.related:
            console.print(f"[dim]· {escape(c.reference)}[/]")
    extra = [n for n in answer.notes if n not in answer.answer]
    for note in extra:
        console.print(f"[yellow]提示：{escape(note)}[/]")
    console.print(f"[dim]用时 {answer.timing_ms.get('total', 0):.0f} 毫秒（{'大模型' if answer.mode == 'llm' else '摘录式'}）[/]")


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(help="问题", metavar="问题")] = None,
    index: IndexOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="批量问题 JSONL：每行 {id, question}")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="批量回答输出：.jsonl、.md、.xlsx（Excel）或 .docx（Word）")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="即使配置了大模型也只用摘录式回答")] = False,
    groups: GroupsOption = None,
) -> None:
    """回答问题：每句话都注明出处（《文件》版本 第X条、页码和原文）；知识库没有依据时明确说明。"""
    from assistant.answer import Answerer

    _question_or_batch(question, batch, out)
    reader = _reader_groups(groups)
    answerer = Answerer.from_index(*_open_index(index)).for_groups(reader)
    if batch is not None:
        from assistant.answer.export import FORMATS, export

        if out.suffix.lower().lstrip(".") not in FORMATS:
            err_console.print("[red]错误：[/]--out 请使用 .jsonl、.md、.xlsx 或 .docx 扩展名。")
            raise typer.Exit(2)
        rows = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines() if line.strip()]
        answers = []
        with progress_bar("批量回答") as bar:
            task = bar.add_task("", total=len(rows))
            for row in rows:
                answers.append((row.get("id", len(answers) + 1), answerer.ask(str(row.get("question", "")),
                                                                                   use_llm=not no_llm)))
                bar.advance(task)
        export(answers, out, f"问答汇编（{len(answers)} 题）")
        refused = sum(answer.refused for _, answer in answers)
        console.print(f"已完成 {len(rows)} 个问题（其中 {refused} 个未找到依据），结果写入 {escape(str(out))}")
        return
    answer = answerer.ask(question, use_llm=not no_llm)
    if as_json:
        sys.stdout.write(json.dumps({"question": question, **answer.contract()}, ensure_ascii=False, indent=1) + "\n")
        return
    _print_answer(answer)


@app.command()
def quiz(
    out: Annotated[Path, typer.Option("--out", help="输出文件：.docx（试卷）、.xlsx（题库）、.json 或 .md")],
    index: IndexOption = None,
    document: Annotated[Optional[list[str]], typer.Option("--doc", help="出题的文件（标题或 doc_id，可多次指定；默认全部现行文件）")] = None,
    chapter: Annotated[Optional[list[str]], typer.Option("--chapter", help="只从这些章节出题（章节名中的文字）")] = None,
    types: Annotated[str, typer.Option("--types", help="题型：single,multiple,judge,blank")] = "single,multiple,judge,blank",
    count: Annotated[int, typer.Option("--count", help="题目总数（按题型平均分配）", min=1)] = 20,
    difficulty: Annotated[Optional[str], typer.Option("--difficulty", help="难度：easy / medium / hard")] = None,
    seed: Annotated[int, typer.Option("--seed", help="随机种子（相同种子得到相同试题）")] = 0,
    title: Annotated[str, typer.Option("--title", help="试卷标题")] = "党纪法规知识测试",
    use_llm: Annotated[bool, typer.Option("--llm", help="先由配置的大模型出题（逐题核对条文），不足部分自动生成")] = False,
    groups: GroupsOption = None,
) -> None:
    """出题：从条文生成单选、多选、判断、填空题，答案和解析均注明出处，导出 Word / Excel / JSON / Markdown。"""
    from assistant.quiz import TYPES, QuizRequest, make_quiz
    from assistant.quiz.export import FORMATS, export
    from assistant.quiz.models import TYPE_NAMES
    from assistant.quiz.sources import select_documents
    from ingest.store import Store

    chosen = tuple(t.strip() for t in types.split(",") if t.strip())
    unknown = [t for t in chosen if t not in TYPES]
    if unknown or not chosen:
        err_console.print(f"[red]错误：[/]未知题型 {escape('、'.join(unknown) or '（空）')}；可选：single（单选）、multiple（多选）、judge（判断）、blank（填空）。")
        raise typer.Exit(2)
    if difficulty not in (None, "easy", "medium", "hard"):
        err_console.print("[red]错误：[/]难度只能是 easy、medium 或 hard。")
        raise typer.Exit(2)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        err_console.print("[red]错误：[/]输出文件请使用 .docx、.xlsx、.json 或 .md 扩展名。")
        raise typer.Exit(2)
    if count < 1:
        err_console.print("[red]错误：[/]题目数量至少为 1。")
        raise typer.Exit(2)
    reader = _reader_groups(groups)
    settings = get_settings()
    llm = None
    if use_llm:
        if not settings.llm_base_url:
            err_console.print("[red]错误：[/]未配置大模型：请设置 QINGFENG_LLM_BASE_URL（及 QINGFENG_LLM_MODEL）。")
            raise typer.Exit(2)
        from assistant.answer.llm import LLMClient

        llm = LLMClient.from_settings(settings)
    index_dir = index or settings.index_dir
    with Store(index_dir) as store:
        if not store.counts()["documents"]:
            err_console.print(f"[red]错误：[/]索引目录 {escape(str(index_dir))} 中没有文档，请先运行 qingfeng ingest。")
            raise typer.Exit(1)
        unknown_docs = [name for name in document or [] if not select_documents(store, [name], reader)]
        if unknown_docs:
            titles = "、".join(f"《{r.title}》" for r in select_documents(store, None, reader)[:8])
            err_console.print(f"[red]错误：[/]知识库中没有文件 {escape('、'.join(unknown_docs))}（请用标题、简称或 doc_id）。"
                              f"现有文件如：{escape(titles)}")
            raise typer.Exit(2)
        request = QuizRequest(types=chosen, count=count, difficulty=difficulty, seed=seed)
        with progress_bar("出题") as bar:
            task = bar.add_task("", total=count)
            items = make_quiz(store, request, document, chapter,
                              progress=lambda done, total: bar.update(task, completed=done, total=total), llm=llm,
                              groups=reader)
    if not items:
        err_console.print("[red]错误：[/]所选文件或章节中没有可出题的条文（请检查 --doc / --chapter）。")
        raise typer.Exit(1)
    export(items, out, title)
    made = "，".join(f"{TYPE_NAMES[t]} {sum(i.type == t for i in items)} 道" for t in chosen)
    console.print(f"已生成 {len(items)} 道题（{made}），写入 {escape(str(out))}")
    if len(items) < count:
        console.print(f"[yellow]提示：所选范围内可出的题目不足，只生成了 {len(items)} 道（要求 {count} 道）。[/]")


@app.command()
def faq(
    out: Annotated[Path, typer.Option("--out", help="输出文件：.md、.jsonl、.xlsx 或 .docx")],
    index: IndexOption = None,
    document: Annotated[Optional[list[str]], typer.Option("--doc", help="只为这些文件生成（标题或 doc_id，可多次指定；默认全部现行文件）")] = None,
    max_per_doc: Annotated[Optional[int], typer.Option("--max-per-doc", help="每个文件最多保留的条数", min=1)] = None,
    workers: Annotated[int, typer.Option("--workers", help="并行回答的线程数", min=1, max=16)] = 2,
    resume: Annotated[bool, typer.Option("--resume", help="从上次中断处继续（读取 输出文件.checkpoint.jsonl）")] = False,
    title: Annotated[str, typer.Option("--title", help="标题")] = "常见问题解答",
    use_llm: Annotated[bool, typer.Option("--llm", help="回答使用配置的大模型（逐句核对出处）")] = False,
    groups: GroupsOption = None,
) -> None:
    """批量生成常见问题解答（FAQ）：按文件、章节分组，每条回答注明出处；可中断后用 --resume 继续。"""
    from assistant.answer import Answerer
    from assistant.faq.export import FORMATS, export
    from assistant.faq.run import run_faq

    if out.suffix.lower().lstrip(".") not in FORMATS:
        err_console.print("[red]错误：[/]输出文件请使用 .md、.jsonl、.xlsx 或 .docx 扩展名。")
        raise typer.Exit(2)
    if use_llm and not get_settings().llm_base_url:
        err_console.print("[red]错误：[/]未配置大模型：请设置 QINGFENG_LLM_BASE_URL（及 QINGFENG_LLM_MODEL）。")
        raise typer.Exit(2)
    reader = _reader_groups(groups)
    store, search_index = _open_index(index)
    answerer = Answerer.from_index(store, search_index).for_groups(reader)
    checkpoint = out.with_name(out.name + ".checkpoint.jsonl")
    try:
        with progress_bar("生成问答") as bar:
            task = bar.add_task("", total=None)
            result = run_faq(store, answerer, checkpoint, document, max_per_doc, workers, resume, use_llm,
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
    except ValueError as exc:
        err_console.print(f"[red]错误：[/]{escape(str(exc))}")
        raise typer.Exit(2)
    finally:
        store.close()
    if not result.tasks:
        err_console.print("[red]错误：[/]所选文件中没有可生成问题的条文（请检查 --doc）。")
        raise typer.Exit(1)
    export(result.entries, out, title)
    checkpoint.unlink(missing_ok=True)
    console.print(f"已生成 {len(result.entries)} 条问答（{len(result.documents)} 个文件，候选问题 {result.tasks} 个，"
                  f"本次回答 {result.answered_now} 个），写入 {escape(str(out))}")
    console.print(f"未采用：{result.dropped_text}")
    console.print(f"条文覆盖：{result.articles_covered}/{result.articles_total}（{result.coverage:.1%}）；"
                  f"用时 {result.seconds:.1f} 秒，{result.entries_per_minute:.0f} 条/分钟")


@app.command()
def check(index: IndexOption = None) -> None:
    """检查知识库和检索索引（数据库完整性、文件校验值；设置了 Milvus 时还检查其集合），并修复能修复的：重建损坏或过期的索引、清除残留的临时文件夹、使 Milvus 集合与知识库一致。"""
    from assistant.knowledge_base.check import check_index

    report = check_index(index or get_settings().index_dir)
    for what, finding in report.lines:
        console.print(f"[bold]{what}[/]：{escape(finding)}", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def serve(
    index: IndexOption = None,
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="文档文件夹：每次启动时与之同步；不指定时仅在知识库为空时导入示例文件")] = None,
    host: Annotated[Optional[str], typer.Option("--host", help="监听地址（默认 QINGFENG_HOST 或 127.0.0.1）")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="端口（默认 QINGFENG_PORT 或 7860）")] = None,
) -> None:
    """启动网页版（默认 http://127.0.0.1:7860）。"""
    from assistant.web import serve as serve_web

    settings = get_settings()
    serve_web(index or settings.index_dir, corpus or settings.corpus_dir, host or settings.host, port or settings.port,
              sync=corpus is not None)


def main() -> None:
    """The `qingfeng` entry point: the commands, with a damaged store or an unreachable Milvus said in
    Chinese (exit 1) instead of a traceback."""
    from ingest.store import DamagedStore

    try:
        app()
    except DamagedStore as exc:
        err_console.print(f"[red]错误：[/]{escape(exc.message)}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except RuntimeError as exc:
        from assistant.retrieval.milvus import MilvusUnavailable

        if not isinstance(exc, MilvusUnavailable):
            raise
        err_console.print(f"[red]错误：[/]{escape(str(exc))}（{escape(exc.detail)}）", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
