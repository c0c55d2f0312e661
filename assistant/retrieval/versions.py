"""Across versions of one document: which article of the current version corresponds to an
article of an older one (the one that says most nearly the same, by shared character pairs)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.textsim import article_pairs, jaccard
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
        self._found: dict[tuple[str, str], tuple[int, float] | None] = {}  # (text, doc) → best unit

    def _units(self, doc: ParsedDocument) -> list[set[str]]:
        if doc.doc_id not in self._sets:
            self._sets[doc.doc_id] = [article_pairs(u.text) for u in doc.units]
        return self._sets[doc.doc_id]

    def corresponding(self, text: str, target: ParsedDocument) -> Correspondence | None:
        key = (text, target.doc_id)
        if key not in self._found:
            self._found[key] = self._best(text, target)
        found = self._found[key]
        return None if found is None else Correspondence(target.units[found[0]], found[1])

    def _best(self, text: str, target: ParsedDocument) -> tuple[int, float] | None:
        mine = article_pairs(text)
        if not mine:
            return None
        best, best_i = 0.0, -1
        for i, theirs in enumerate(self._units(target)):
            sim = jaccard(mine, theirs)
            if sim > best:
                best, best_i = sim, i
        return None if best < MIN_SIMILARITY else (best_i, best)
