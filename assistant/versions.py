"""Across versions of one document: which article of the current version corresponds to an
article of an older one (the one that says most nearly the same, by shared character pairs)."""

from __future__ import annotations

from assistant.textsim import article_pairs, jaccard
from dataclasses import dataclass

from ingest.models import ParsedDocument, Unit

MIN_SIMILARITY = 0.3  # below this, the current version has no corresponding article


@dataclass
class Correspondence:
    unit: Unit
    similarity: float


class VersionMap:
    """Cached bigram sets of each document's units."""

    def __init__(self) -> None:
        self._sets: dict[str, list[set[str]]] = {}

    def _units(self, doc: ParsedDocument) -> list[set[str]]:
        if doc.doc_id not in self._sets:
            self._sets[doc.doc_id] = [article_pairs(u.text) for u in doc.units]
        return self._sets[doc.doc_id]

    def corresponding(self, text: str, target: ParsedDocument) -> Correspondence | None:
        mine = article_pairs(text)
        if not mine:
            return None
        best, best_i = 0.0, -1
        for i, theirs in enumerate(self._units(target)):
            sim = jaccard(mine, theirs)
            if sim > best:
                best, best_i = sim, i
        if best < MIN_SIMILARITY:
            return None
        return Correspondence(target.units[best_i], best)
