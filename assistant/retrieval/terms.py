"""The question's words, weighted by how rare they are in the knowledge base, to measure how much of
a question a text covers (used by the relevance model and by the composer)."""

from __future__ import annotations

import re

from assistant.retrieval.lexicon import ASK_WORD, colloquial_pairs, segmenter

WEIGHT_CAP = 6.0  # one rare word (a name, a detail of a case) weighs no more than this


def _weight(word: str, index) -> float:
    """A word's idf; a compound the index never saw as one token (党纪处分) weighs as its rarest
    known part, a word with no known part as the rarest of all."""
    if index.knows(word):
        return min(WEIGHT_CAP, index.idf(word))
    parts = [t for t in segmenter().tokens(word) if t != word and index.knows(t)]
    return min(WEIGHT_CAP, max((index.idf(t) for t in parts), default=index.idf(word)))


class QuestionTerms:
    """The question's words with their weights (BM25 idf), to measure how much of it a text covers.

    An everyday word also counts as covered, at half weight, when a text holds one of the official
    terms it stands for (红包 → 礼金)."""

    def __init__(self, question: str, index):
        words = [w for w in segmenter().words(question) if not ASK_WORD.match(w)]
        self.weights: dict[str, float] = {w: _weight(w, index) for w in words}
        self.alternatives: dict[str, list[str]] = {}
        for everyday, terms in colloquial_pairs(question):
            for w in self.weights:
                if w in everyday or everyday in w:
                    self.alternatives.setdefault(w, []).extend(terms)
        self.counted = list(self.weights)
        self.total = sum(self.weights.values()) or 1.0

    def coverage(self, text: str) -> float:
        """Share of the question's weight whose words (or their official terms) occur in `text`."""
        squashed = re.sub(r"\s+", "", text).lower()
        got = 0.0
        for w in self.counted:
            if w in squashed:
                got += self.weights[w]
            elif any(t in squashed for t in self.alternatives.get(w, ())):
                got += 0.5 * self.weights[w]
        return got / self.total
