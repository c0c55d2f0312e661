"""FAQ exports, grouped by document and chapter: Markdown, JSONL (the contract), Excel, Word."""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path

from assistant.faq.run import FaqEntry
from assistant.office import new_document, write_by_extension, write_sheet

FORMATS = ("md", "jsonl", "xlsx", "docx")
EXCEL_COLUMNS = ["文件", "版本", "章节", "问题", "回答", "出处"]


def _groups(entries: list[FaqEntry]):
    """(document title with version, [(chapter, [entries])]) in the order of the entries."""
    for (document, version), in_doc in groupby(entries, key=lambda e: (e.document, e.version)):
        chapters = [(chapter, list(items)) for chapter, items in groupby(in_doc, key=lambda e: e.chapter)]
        label = f"《{document}》" + (f"（{version}）" if version and version != "n/a" else "")
        yield label, chapters


def _sources(entry: FaqEntry) -> str:
    return "；".join(f"[{c['marker']}]《{c['title']}》{c.get('place') or c.get('article_label') or ''}" for c in entry.citations)


def write_jsonl(entries: list[FaqEntry], path: Path, title: str = "") -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry.contract(), ensure_ascii=False) + "\n")


def write_markdown(entries: list[FaqEntry], path: Path, title: str) -> None:
    lines = [f"# {title}", ""]
    for document, chapters in _groups(entries):
        lines += [f"## {document}", ""]
        for chapter, items in chapters:
            if chapter:
                lines += [f"### {chapter}", ""]
            for entry in items:
                lines += [f"**问：{entry.question}**", "", entry.answer, "", f"出处：{_sources(entry)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_xlsx(entries: list[FaqEntry], path: Path, title: str) -> None:
    rows = ([e.document, e.version or "", e.chapter, e.question, e.answer, _sources(e)] for e in entries)
    write_sheet(path, title, "常见问题", EXCEL_COLUMNS, rows, [30, 8, 30, 40, 80, 40])


def write_docx(entries: list[FaqEntry], path: Path, title: str) -> None:
    document = new_document(title)
    for label, chapters in _groups(entries):
        document.add_heading(label, level=1)
        for chapter, items in chapters:
            if chapter:
                document.add_heading(chapter, level=2)
            for entry in items:
                document.add_paragraph().add_run(f"问：{entry.question}").bold = True
                document.add_paragraph(f"答：{entry.answer}")
                document.add_paragraph(f"出处：{_sources(entry)}")
    document.save(path)


def export(entries: list[FaqEntry], path: Path, title: str = "常见问题解答") -> Path:
    writers = {"md": write_markdown, "jsonl": write_jsonl, "xlsx": write_xlsx, "docx": write_docx}
    return write_by_extension(path, {ext: (lambda p, w=w: w(entries, p, title)) for ext, w in writers.items()})
