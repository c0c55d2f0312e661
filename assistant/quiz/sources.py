"""The articles a quiz is made from: chosen documents (by title or doc_id; current versions when
none is chosen) and chapters, read from the store."""

from __future__ import annotations

import re

from assistant.quiz.generate import Source
from ingest.access import may_read
from ingest.chunking import HEADING_SEPARATOR
from ingest.store import Store

SUPERSEDED = re.compile(r"已修订|已废止|失效|取代")


def select_documents(store: Store, documents: list[str] | None = None, groups: frozenset[str] | None = None) -> list:
    """Document rows: each named one (by doc_id exactly; by title or short title in its current
    version), or every current version that is not superseded when none is named. Only documents
    a reader in `groups` may read (None: all) are seen at all."""
    from assistant.retrieval import catalog_from_store
    from assistant.retrieval.routing import analyze

    rows = {r.doc_id: r for r in store.documents() if may_read(r.meta.access, groups)}
    catalog = catalog_from_store(store, groups)
    if not documents:
        current = {catalog.current(key).doc_id for key in catalog.groups}
        return [r for r in rows.values() if r.doc_id in current
                and not SUPERSEDED.search(catalog.documents[r.doc_id].status or "")]
    chosen: list[str] = []
    for name in documents:
        if name in rows:
            ids = [name]
        else:
            plan = analyze(f"《{name}》", catalog)
            ids = [catalog.pick_version(key, plan).doc_id for key in plan.groups]
        chosen += [i for i in ids if i not in chosen]
    return [rows[i] for i in chosen]


def load_sources(store: Store, documents: list[str] | None = None,
                 chapters: list[str] | None = None, groups: frozenset[str] | None = None) -> list[Source]:
    sources: list[Source] = []
    for row in select_documents(store, documents, groups):
        doc = store.document(row.doc_id)
        chunks = [(n.metadata["start_char"], n.metadata["end_char"], n.node_id) for n in store.nodes(row.doc_id)]
        for i, unit in enumerate(doc.units):
            if unit.kind in ("paragraph", "row"):  # a table row is quizzed through its article, if any
                continue
            chapter = HEADING_SEPARATOR.join(unit.heading)
            if chapters and not any(c in chapter for c in chapters):
                continue
            sources.append(Source(doc, i, doc.text[unit.start:unit.end], unit.start, chapter, chunks))
    return sources
