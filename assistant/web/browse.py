"""The 条文浏览 tab: one document read as it is written — its chapters as headings, then each
article or item with its label, page and whole text (escaped; long text wraps)."""

from __future__ import annotations

from assistant.knowledge_base import KnowledgeBase
from assistant.web.render import badge, esc, rows_table_html, text_with_tables_html
from ingest.access import OPEN_ONLY, may_read
from ingest.structure import table_place

EMPTY = '<div class="qf-browse-empty">请选择文件。</div>'


def _pages(unit) -> str:
    if unit.page_start is None:
        return ""
    if unit.page_end in (None, unit.page_start):
        return f"第{unit.page_start}页"
    return f"第{unit.page_start}–{unit.page_end}页"


def units_html(kb: KnowledgeBase, doc_id: str | None, groups: frozenset[str] | None = OPEN_ONLY) -> str:
    """A document's articles, for a reader in `groups` (a document they may not read is not shown)."""
    doc = kb.read_store.document(doc_id) if doc_id else None
    if doc is None or not may_read(doc.meta.access, groups):
        return EMPTY
    m = doc.meta
    note = f"（{esc(m.title_note)}）" if m.title_note else ""
    out = [f'<div class="qf-browse-head"><b>《{esc(m.title)}》</b>{note}（{esc(m.version or "未注明版本")}）{badge(m.status)}'
           f' · {len(doc.articles) or len(doc.units)} {"条" if doc.articles else "段"}</div>']
    heading: list[str] = []
    shown_to = -1  # end of the last unit shown: a table row inside it is shown with it
    tables = {id(rows[0]): rows for rows in doc.tables()}  # a table outside any article: shown at its first row
    for unit in doc.units:
        if unit.kind == "row" and (unit.start < shown_to or id(unit) not in tables):
            continue
        if unit.heading != heading:
            shared = next((i for i, (a, b) in enumerate(zip(unit.heading, heading)) if a != b),
                          min(len(unit.heading), len(heading)))
            for level, text in enumerate(unit.heading[shared:], start=shared):
                out.append(f'<div class="qf-browse-heading qf-level-{min(level, 3)}">{esc(text)}</div>')
            heading = unit.heading
        if unit.kind == "row":
            rows = tables[id(unit)]
            table = rows_table_html(unit.table_row.header, [u.table_row.cells for u in rows])
            out.append(f'<div class="qf-unit qf-row"><span class="qf-unit-label">{esc(table_place(unit))}</span>'
                       f'<div class="qf-unit-text">{table}</div></div>')
            continue
        shown_to = unit.end
        where = " · ".join(p for p in (unit.label, _pages(unit)) if p)
        body = doc.text[unit.start:unit.end]
        if unit.label and body.startswith(unit.label):
            body = body[len(unit.label):].lstrip()
        out.append(f'<div class="qf-unit"><span class="qf-unit-label">{esc(where or "段落")}</span>'
                   f'<div class="qf-unit-text">{text_with_tables_html(body)}</div></div>')
    return '<div class="qf-browse">' + "".join(out) + "</div>"
