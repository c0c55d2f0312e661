"""One document in several formats or encodings (the same law as .md and .pdf, a text file saved
in GBK and in UTF-8): keep one copy searchable. Duplicates are judged on the parsed text, not bytes.

Two stored documents are the same document when they have the same title (without editorial
notes), the same version and nearly the same article texts. The copy kept is the one born as
text (Markdown, Word, TXT, HTML: no extraction losses) before a PDF or OFD, then the one with more
articles, then the one stored first; the others are marked `duplicate_of` it and hidden from
search and lists (their files stay listed under the kept copy).
"""

from __future__ import annotations

import re

from ingest.metadata import title_key
from ingest.models import ParsedDocument
from ingest.store import DocumentRow, Store

# Share of the smaller document's character 4-grams found in the other one, over article texts.
SAME_TEXT = 0.9
_NOT_TEXT = re.compile(r"[\s\W_]+")


def _shingles(doc: ParsedDocument) -> set[str]:
    units = doc.articles or doc.units
    text = _NOT_TEXT.sub("", "".join(u.text for u in units))
    return {text[i:i + 4] for i in range(max(len(text) - 3, 0))}


def same_text(a: ParsedDocument, b: ParsedDocument) -> bool:
    """Nearly the same article texts (and, for regulations, nearly the same number of articles)."""
    if a.articles or b.articles:
        na, nb = len(a.articles), len(b.articles)
        if min(na, nb) < 0.95 * max(na, nb):
            return False
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= SAME_TEXT


def _preference(row: DocumentRow, doc: ParsedDocument) -> tuple:
    return (doc.file_type in ("pdf", "ofd"), -len(doc.articles), row.ingested_at, row.doc_id)


def mark_format_duplicates(store: Store) -> list[tuple[DocumentRow, DocumentRow]]:
    """Mark every copy of a document stored in another format; unmark copies whose twin went.
    Returns the (copy, kept) pairs newly marked."""
    groups: dict[tuple[str, str | None], list[DocumentRow]] = {}
    for row in store.documents(include_duplicates=True):
        groups.setdefault((title_key(row.title), row.meta.version), []).append(row)
    newly: list[tuple[DocumentRow, DocumentRow]] = []
    for rows in groups.values():
        docs = {r.doc_id: store.document(r.doc_id) for r in rows} if len(rows) > 1 else {}
        kept: list[DocumentRow] = []
        marks: dict[str, str | None] = {}
        for row in sorted(rows, key=lambda r: _preference(r, docs[r.doc_id]) if docs else ()):
            twin = next((k for k in kept if same_text(docs[k.doc_id], docs[row.doc_id])), None) if docs else None
            marks[row.doc_id] = twin.doc_id if twin else None
            if twin is None:
                kept.append(row)
            elif row.meta.duplicate_of != twin.doc_id:
                newly.append((row, twin))
        for row in rows:
            if row.meta.duplicate_of != marks[row.doc_id]:
                store.set_duplicate_of(row.doc_id, marks[row.doc_id])
    return newly
