"""Chinese words for lexical search: jieba segmentation with a domain dictionary and stopwords,
and a vocabulary bridging everyday words to the official terms the rules use."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

_WORD = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")

# Words that shape a question rather than say what it is about; an answer does not repeat them.
ASK_WORD = re.compile(r"^(几.*|多少|多长|多久|多大|最多|最少|最长|最短|最高|最|多|来|去|怎么.*|怎样|如何|什么|哪.*|是否|能否|可否|"
                       r"要不要|能不能|可不可以|会不会|有没有|算不算|是不是|吗|呢|吧|请问|我们|我|有|是|还|都|就|要|能|会|"
                       r"现在|目前|当前|具体|一般|一下|情况|如果|假如|这样|那样|这种|一定|但是|但|某|该|为|不|没有|应不应该|"
                       r"问题|结果|请|咱们|他|她|其|需要|需|可以|应当|应该|必须)$")


def _data_lines(name: str) -> list[str]:
    text = resources.files("assistant.retrieval").joinpath("data", name).read_text(encoding="utf-8")
    return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    return tuple(_data_lines("domain_words.txt"))


@lru_cache(maxsize=4)
def colloquial_map(extra: str | None = None) -> dict[str, list[str]]:
    """everyday word → official terms, from the bundled table plus an optional user TSV file."""
    lines = _data_lines("colloquial.tsv")
    if extra and Path(extra).is_file():
        lines += [l for l in Path(extra).read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    table: dict[str, list[str]] = {}
    for line in lines:
        word, _, rest = line.partition("\t")
        terms = rest.split("\t", 1)[0]
        table.setdefault(word.strip(), []).extend(t.strip() for t in terms.split(",") if t.strip())
    return table


@lru_cache(maxsize=1)
def colloquial_phrases() -> frozenset[str]:
    """Everyday entries marked `phrase` in a third column: matched in a question but never made one
    jieba word (几个人陪 stays 几个 / 人 / 陪: as one word it would be dropped with the question
    words, and 陪 with it)."""
    return frozenset(line.split("\t")[0].strip() for line in _data_lines("colloquial.tsv")
                     if line.split("\t")[2:3] == ["phrase"])


class Segmenter:
    """jieba (its own instance, search mode) + domain words; drops stopwords and punctuation."""

    def __init__(self, extra_words: list[str] | None = None):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        everyday = [w for w in colloquial_map() if w not in colloquial_phrases()]
        for word in (*domain_words(), *everyday, *(extra_words or [])):
            self._jieba.add_word(word, freq=2000)
        self._stop = stopwords()

    def words(self, text: str, discover: bool = False) -> list[str]:
        """Whole words (jieba's precise mode, no sub-words), stopwords and punctuation dropped.
        With `discover`, a word the dictionary lacks stays whole (jieba's HMM) instead of falling
        apart into single characters."""
        out = []
        for token in self._jieba.cut(text, HMM=discover):
            token = token.strip().lower()
            if token and token not in self._stop and _WORD.search(token):
                out.append(token)
        return out

    def frequency(self, word: str) -> tuple[int, float]:
        """A word's count in jieba's general dictionary, and the dictionary's total."""
        self._jieba.check_initialized()
        return self._jieba.FREQ.get(word, 0), float(self._jieba.total)

    def tokens(self, text: str) -> list[str]:
        out = []
        for token in self._jieba.cut_for_search(text):
            token = token.strip().lower()
            if token and token not in self._stop and _WORD.search(token):
                out.append(token)
        return out


@lru_cache(maxsize=1)
def segmenter() -> Segmenter:
    return Segmenter()


def expand_colloquial(text: str, table: dict[str, list[str]] | None = None) -> list[str]:
    """Official terms for the everyday words found in `text` (longest words first, no repeats)."""
    table = table or colloquial_map()
    found: list[str] = []
    for word in sorted(table, key=len, reverse=True):
        if word in text:
            for term in table[word]:
                if term not in found and term not in text:
                    found.append(term)
    return found


def colloquial_pairs(text: str, table: dict[str, list[str]] | None = None) -> list[tuple[str, list[str]]]:
    """(everyday word, its official terms) for each everyday word found in `text`, longest first."""
    table = table or colloquial_map()
    return [(word, table[word]) for word in sorted(table, key=len, reverse=True) if word in text]
