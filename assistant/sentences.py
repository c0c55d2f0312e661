"""Sentences of an article or outline item, with their character spans (for quoting and
highlighting). A sentence ends at 。！？ or at a line end; an item line （一）… is one sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[^。！？!?\n]+[。！？!?]?[”’」]?")
_ARTICLE_LABEL = re.compile(r"^\s*第[零〇一二三四五六七八九十百千0-9]+条\s*")
_ITEM = re.compile(r"^[（(][一二三四五六七八九十0-9]+[）)]")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the text it was split from
    end: int

    @property
    def is_item(self) -> bool:
        return bool(_ITEM.match(self.text))

    @property
    def is_lead(self) -> bool:
        """The sentence that introduces a list of items: '有下列行为之一的，…：'."""
        return self.text.rstrip().endswith(("：", ":"))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` (article label left out), whitespace-trimmed, in order."""
    label = _ARTICLE_LABEL.match(text)
    offset = label.end() if label else 0
    out = []
    for m in _END.finditer(text, offset):
        raw = m.group(0)
        stripped = raw.strip()
        if len(re.sub(r"\W", "", stripped)) < 2:
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        out.append(Sentence(stripped, start, start + len(stripped)))
    return out
