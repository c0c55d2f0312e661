"""Character pairs (bigrams) and their overlap: how much two Chinese texts say the same, without a
model. One place for the comparisons of versions, answers, quizzes and LLM checks."""

from __future__ import annotations

import re

_ARTICLE_LABEL = re.compile(r"^\s*第[零〇一二三四五六七八九十百千0-9]+条")


def article_pairs(text: str) -> set[str]:
    """Pairs of an article's text, its 第X条 label and whitespace left out."""
    text = re.sub(r"\s+", "", _ARTICLE_LABEL.sub("", text))
    return {text[i:i + 2] for i in range(len(text) - 1)}


def word_pairs(text: str) -> set[str]:
    """Pairs of the Chinese characters, digits and Latin letters of a text (punctuation left out)."""
    text = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
