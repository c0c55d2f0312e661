"""HTML for the chat: answers with clickable citation markers, and the sources panel.

Every piece of text that comes from a document, a question or an answer goes through `esc`
(html.escape), so it is shown as text and never interpreted as HTML or script. The chat message is
one HTML block without blank lines, so the chatbot's Markdown renderer leaves it alone.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from pathlib import PurePath

from assistant.answer import Answer, Citation
from assistant.answer.answerer import RELATED_INTRO
from assistant.answer.models import CitedRow
from ingest.access import describe
from ingest.instructions import instruction_spans
from ingest.models import table_cells
from ingest.structure import table_place

STATUS_CLASSES = {"现行有效": "qf-current", "已修订": "qf-revised", "已废止": "qf-repealed"}
MAX_TURNS_SHOWN = 20
_MARKER = re.compile(r"\[(\d+)\]")

EMPTY_SOURCES = (
    '<div class="qf-sources-empty">提问后，这里列出回答引用的条文：文件名称、版本和效力状态、章节、条号、页码和条文全文，'
    "引用的句子以黄色标出。点击回答中的 [1] 等标记，可直接打开对应的出处。</div>"
)


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _lines(text: str) -> str:
    """Escaped text with line breaks as <br> (no raw newline reaches the Markdown renderer)."""
    return esc(text).replace("\r", "").replace("\n", "<br>")


def source_id(turn: int, marker: int) -> str:
    return f"qf-src-{turn}-{marker}"


def related_id(turn: int, i: int) -> str:
    return f"qf-rel-{turn}-{i}"


def linked_answer(text: str, turn: int, markers: set[int]) -> str:
    """The answer text, escaped, with each [n] of a real citation turned into a link to its source."""
    out, last = [], 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        out.append(_lines(text[last:m.start()]))
        if n in markers:
            out.append(f'<a class="qf-cite" href="#{source_id(turn, n)}" title="查看出处 [{n}]">[{n}]</a>')
        else:
            out.append(esc(m.group(0)))
        last = m.end()
    out.append(_lines(text[last:]))
    return "".join(out)


def plain_text(answer: Answer) -> str:
    """What “复制回答” copies: the answer and its sources as plain text."""
    lines = [answer.answer.strip()]
    sources = answer.related if answer.refused else answer.citations
    if sources:
        lines.append("")
        lines.append("相关条文（不作为答案依据）：" if answer.refused else "出处：")
        for c in sources:
            marker = f"[{c.marker}] " if c.marker else "- "
            lines.append(f"{marker}{c.reference}")
            if not answer.refused:
                lines.append(f"    “{c.quote}”")
    if answer.related and not answer.refused:
        lines.append("")
        lines.append("相关条文（不作为答案依据）：")
        lines += [f"- {c.reference}" for c in answer.related]
    return "\n".join(lines)


def _plain_block(text: str) -> str:
    # Newlines as character references: the block stays one line for Markdown, textContent keeps them.
    return '<span class="qf-plain">' + esc(text).replace("\n", "&#10;") + "</span>"


def answer_html(answer: Answer, turn: int, text: str | None = None, final: bool = True) -> str:
    """The chat message for an answer; `text` is a partial (streamed) text, shown without extras."""
    markers = {c.marker for c in answer.citations if c.marker}
    shown = answer.answer if text is None else text
    if answer.refused and final and answer.related:
        # The related passages are listed once, as links to the panel (not also as the text's list).
        shown = shown.split(f"\n{RELATED_INTRO}")[0]
    body = linked_answer(shown, turn, markers)
    if answer.refused:
        head = '<div class="qf-refusal-head">无法回答</div>'
        links = ""
        if final and answer.related:
            links = (f'<div class="qf-related-links">{esc(RELATED_INTRO)}<ul>' + "".join(
                f'<li><a class="qf-cite" href="#{related_id(turn, i)}">《{esc(c.title)}》'
                f'{esc(f"（{c.version}）" if c.version else "")}{esc(c.place or c.article_label)}</a></li>'
                for i, c in enumerate(answer.related, start=1)) + "</ul></div>")
        inner = f'{head}<div class="qf-answer">{body}</div>{links}'
        classes = "qf-msg qf-refused"
    else:
        inner = f'<div class="qf-answer">{body}</div>'
        if final and answer.comparison:
            inner += comparison_html(answer, turn)
        classes = "qf-msg"
    if final:
        extra = [n for n in answer.notes if n not in answer.answer]
        inner += "".join(f'<div class="qf-note">提示：{esc(n)}</div>' for n in extra)
        mode = "大模型改写（逐句核对出处）" if answer.mode == "llm" else "摘录原文"
        took = answer.timing_ms.get("total")
        meta = f"{mode} · 用时 {took:.0f} 毫秒" if took is not None else mode
        inner += (f'<div class="qf-meta">{esc(meta)} · <a class="qf-copy" href="#" title="复制回答和出处">复制回答</a>'
                  f"{_plain_block(plain_text(answer))}</div>")
    else:
        inner += '<div class="qf-meta qf-streaming">正在生成……</div>'
    return f'<div class="{classes}">{inner}</div>'


def comparison_html(answer: Answer, turn: int) -> str:
    """The two sides of a comparison question in two columns: each side's term over its quote."""
    by_marker = {c.marker: c for c in answer.citations}
    heads, cells = [], []
    for side in answer.comparison:
        heads.append(f"<th>{esc(side.term)}</th>")
        c = by_marker.get(side.marker)
        if c is None:
            cells.append('<td class="qf-missing">知识库中未找到直接规定</td>')
            continue
        link = f'<a class="qf-cite" href="#{source_id(turn, c.marker)}" title="查看出处 [{c.marker}]">[{c.marker}]</a>'
        cells.append(f"<td><div class=\"qf-compare-ref\">《{esc(c.title)}》{esc(c.place or c.article_label)}</div>"
                     f"{esc(c.quote)}{link}</td>")
    return (f'<table class="qf-compare"><thead><tr>{"".join(heads)}</tr></thead>'
            f'<tbody><tr>{"".join(cells)}</tr></tbody></table>')


def streaming_html(text: str) -> str:
    """An LLM reply while it streams in (not yet checked against the sources)."""
    return (f'<div class="qf-msg"><div class="qf-answer">{_lines(text)}</div>'
            '<div class="qf-meta qf-streaming">大模型正在生成，完成后逐句核对出处……</div></div>')


def notice_html(text: str, kind: str = "error") -> str:
    return f'<div class="qf-msg qf-{kind}">{_lines(text)}</div>'


def user_html(question: str) -> str:
    return f'<div class="qf-question">{_lines(question)}</div>'


FLAG = "〔疑似指令性文字，不是规定〕"


def highlight(text: str, spans) -> str:
    """The article text, escaped, with the quoted sentences marked, and any instruction-like
    sentence (text addressed to a model, ingest/instructions.py) struck through with a label."""
    marks = [(max(0, s), min(len(text), e), "quote") for s, e in spans]
    marks += [(s, e, "flag") for s, e in instruction_spans(text)]
    out, last = [], 0
    for start, end, kind in sorted(marks):
        if end <= last:
            continue
        start = max(start, last)
        out.append(esc(text[last:start]))
        if kind == "flag":
            out.append(f'<span class="qf-flagged" title="疑似指令性文字">{FLAG}<s>{esc(text[start:end])}</s></span>')
        else:
            out.append(f"<mark>{esc(text[start:end])}</mark>")
        last = end
    out.append(esc(text[last:]))
    return "".join(out)


def rows_table_html(header: list[str], rows: list[list[str]], caption: str = "", cited: set[int] = frozenset()) -> str:
    """A table: its caption, header and rows (the rows at the indexes in `cited` marked as cited)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(('<tr class="qf-cited-row">' if i in cited else "<tr>") + "".join(f"<td>{esc(c)}</td>" for c in row)
                   + "</tr>" for i, row in enumerate(rows))
    caption = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="qf-table">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _with_tables(text: str, spans, piece_html) -> str:
    """`text` as HTML: each run of table-row lines ("｜a｜b｜", the first one the header) as a table,
    whose rows the `spans` touch marked as cited; the other lines through `piece_html(piece, spans)`."""
    out, block = [], []  # block: (start, end, cells) of the table lines being gathered

    def flush() -> None:
        if block:
            cited = {i for i, (start, end, _) in enumerate(block[1:]) if any(s < end and e > start for s, e in spans)}
            out.append(rows_table_html(block[0][2], [cells for _, _, cells in block[1:]], cited=cited))
            block.clear()

    lines, offset = text.split("\n"), 0
    for i, line in enumerate(lines):
        start, end = offset, offset + len(line)
        offset = end + 1
        cells = table_cells(line)
        if cells is not None:
            block.append((start, end, cells))
            continue
        flush()
        piece = text[start:end] + ("\n" if i < len(lines) - 1 else "")
        out.append(piece_html(piece, [(s - start, e - start) for s, e in spans if s < end + 1 and e > start]))
    flush()
    return "".join(out)


def highlight_with_tables(text: str, spans) -> str:
    """highlight(), with each run of table-row lines shown as a table (rows the quote touches marked)."""
    return _with_tables(text, spans, highlight)


def text_with_tables_html(text: str) -> str:
    """Escaped text whose runs of table-row lines are shown as tables."""
    return _with_tables(text, [], lambda piece, _: esc(piece))


def badge(status: str) -> str:
    return f'<span class="qf-badge {STATUS_CLASSES.get(status, "qf-other")}">{esc(status)}</span>'


def table_html(row: CitedRow) -> str:
    """A cited table row as a table: caption, header, the row (marked as the one cited)."""
    return rows_table_html(row.header, [row.cells], row.caption, cited={0})


def document_tables_html(doc) -> str:
    """Every table of a parsed document, as tables (the 知识库 tab shows them for the document picked)."""
    tables = doc.tables()
    if not tables:
        return '<div class="qf-doc-tables">（该文件没有表格）</div>'
    return '<div class="qf-doc-tables">' + "".join(
        rows_table_html(rows[0].table_row.header, [u.table_row.cells for u in rows], f"{table_place(rows[0])}（{len(rows)} 行）")
        for rows in tables) + "</div>"


def citation_html(c: Citation, element_id: str, label: str, quoted: bool = True) -> str:
    version = f"（{esc(c.version)}）" if c.version and c.version != "n/a" else "（未注明版本）"
    name = c.place or c.article_label
    article = f' <span class="qf-article">{esc(name)}</span>' if name else ""
    where = [x for x in (c.doc_number, c.heading, name, f"第{c.page}页" if c.page else "",
                         f"来源文件：{PurePath(c.source).name}" if c.source else "", *c.marks) if x]
    spans = c.spans if quoted else []
    if c.table_row is not None:
        text = table_html(c.table_row)
    elif "｜" in c.text:
        text = highlight_with_tables(c.text, spans)
    else:
        text = highlight(c.text, spans)
    parts = [
        f'<details class="qf-src" id="{element_id}">',
        f'<summary><span class="qf-marker">{esc(label)}</span> 《{esc(c.title)}》{version} {badge(c.status)}{article}</summary>',
        f'<div class="qf-where">{" · ".join(esc(x) for x in where)}</div>',
        f'<div class="qf-text">{text}</div>',
    ]
    if c.version_note:
        parts.append(f'<div class="qf-note">注意：{esc(c.version_note)}</div>')
    if c.earlier_versions:
        parts.append('<div class="qf-earlier"><div class="qf-earlier-head">历史版本中的对应条文（按当时规定处理的情形可参考）：</div>')
        for e in c.earlier_versions:
            parts.append(f'<details><summary>{esc(e.version or "未注明版本")}年版 {esc(e.article_label)}</summary>'
                         f'<div class="qf-text">{esc(e.text)}</div></details>')
        parts.append("</div>")
    parts.append("</details>")
    return "".join(parts)


@dataclass
class TurnRecord:
    turn: int
    question: str
    answer: Answer
    answer_id: str
    asked_at: float = field(default_factory=time.time)
    audit_id: int | None = None  # the answer's row in the audit log (feedback points to it)


def turn_sources_html(record: TurnRecord) -> str:
    a = record.answer
    head = f'<div class="qf-turn-head">第{record.turn}问：{esc(record.question)}</div>'
    if a.refused:
        body = '<div class="qf-refused-note">未找到直接依据。'
        body += "以下条文与问题最接近，仅供参考，不作为答案依据。</div>" if a.related else "</div>"
        body += "".join(citation_html(c, related_id(record.turn, i), f"相关{i}", quoted=False)
                        for i, c in enumerate(a.related, start=1))
    else:
        body = "".join(citation_html(c, source_id(record.turn, c.marker), f"[{c.marker}]") for c in a.citations)
        if a.related:
            body += '<div class="qf-related-note">相关条文（不作为答案依据）</div>'
            body += "".join(citation_html(c, related_id(record.turn, i), f"相关{i}", quoted=False)
                            for i, c in enumerate(a.related, start=1))
    return f'<section class="qf-turn" id="qf-turn-{record.turn}">{head}{body}</section>'


def sources_html(records: list[TurnRecord]) -> str:
    """The sources panel: every answer's sources, newest first."""
    if not records:
        return EMPTY_SOURCES
    return '<div class="qf-sources">' + "".join(
        turn_sources_html(r) for r in reversed(records[-MAX_TURNS_SHOWN:])) + "</div>"


def document_label(row) -> str:
    m = row.meta
    return f"《{row.title}》{m.doc_number or ''}（{m.version or '未注明版本'}，{m.status}）"


DOCUMENT_COLUMNS = ["标题", "文号", "版本", "状态", "类型", "密级", "访问组", "条数", "片段", "日期", "发文机关", "入库时间",
                    "来源文件", "结构提示"]


def document_rows(rows) -> list[list]:
    out = []
    for d in rows:
        m = d.meta
        title = f"{m.title}（{m.title_note}）" if m.title_note else m.title
        files = "、".join(PurePath(p).name for p in d.paths) or PurePath(d.source).name
        out.append([title, m.doc_number or "", m.version or "", m.status, m.doc_type, m.secrecy or "", describe(m.access),
                    d.n_articles, d.n_nodes, m.date or "", m.issuer or "",
                    time.strftime("%Y-%m-%d %H:%M", time.localtime(d.ingested_at)), files, "；".join(d.warnings)])
    return out
