"""Across versions of one document: which article of the current version corresponds to an
article of an older one (the one that says most nearly the same, by shared character pairs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import ParsedDocument, Unit

MIN_SIMILARITY = 0.3  # below this, the current version has no corresponding article


@dataclass
class Correspondence:
    unit: Unit
    similarity: float


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", re.sub(r"^\s*第[零〇一二三四五六七八九十百千0-9]+条", "", text))
    return {text[i:i + 2] for i in range(len(text) - 1)}


class VersionMap:
    """Cached bigram sets of each document's units."""

    def __init__(self) -> None:
        self._sets: dict[str, list[set[str]]] = {}

    def _units(self, doc: ParsedDocument) -> list[set[str]]:
        if doc.doc_id not in self._sets:
            self._sets[doc.doc_id] = [_bigrams(u.text) for u in doc.units]
        return self._sets[doc.doc_id]

    def corresponding(self, text: str, target: ParsedDocument) -> Correspondence | None:
        mine = _bigrams(text)
        if not mine:
            return None
        best, best_i = 0.0, -1
        for i, theirs in enumerate(self._units(target)):
            if theirs:
                sim = len(mine & theirs) / len(mine | theirs)
                if sim > best:
                    best, best_i = sim, i
        if best < MIN_SIMILARITY:
            return None
        return Correspondence(target.units[best_i], best)
