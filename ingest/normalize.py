"""Normalisation: clean characters, drop page furniture, join hard line-wraps, keep page offsets.

The result is one text with one paragraph per line, and the offset at which every page starts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ingest.models import LoadedFile, NormalizedText, table_cells, table_line

_SPACES = re.compile(r"[ \u3000\u00a0\u2002-\u200a\u202f\u205f\t]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}

_CJK = r"\u4e00-\u9fff\u3400-\u4dbf"
_CJK_PUNCT = r"，。、；：？！“”‘’（）《》〈〉【】『』「」—…·"
_STRAY_SPACE = re.compile(rf"(?<=[{_CJK}{_CJK_PUNCT}]) +(?=[{_CJK}{_CJK_PUNCT}])")
# A structural label at the start of a line keeps one space after it: "第一条 内容", "第一章 总则".
# 第X条之一 keeps its suffix ("第一百二十条之一 内容"); 第X条之规定 is no label.
_LEADING_LABEL = re.compile(r"^(第[零〇一二三四五六七八九十百千两0-9]+(?:[编章节]|条(?:之[一二三四五六七八九十]+)?(?!之))) *")

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－―]\s*\d{1,4}\s*[-—–－―]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")

# A line ending in one of these closes a paragraph; a wrapped line does not end in them.
_TERMINAL = tuple("。！？；：…")
_STRONG_START = re.compile(r"^第[零〇一二三四五六七八九十百千两0-9]+(?:[编章节]|条(?:之[一二三四五六七八九十]+)?)[ 　]")


def clean_line(line: str) -> str:
    """Characters only: spaces, invisible marks, full-width letters/digits, stray CJK spaces."""
    line = _INVISIBLE.sub("", line)
    cells = table_cells(line)
    if cells is not None:  # a table row: each cell cleaned, the bars kept
        return table_line([_STRAY_SPACE.sub("", _SPACES.sub(" ", c).translate(_FULLWIDTH_ALNUM).strip()) for c in cells])
    line = _SPACES.sub(" ", line).translate(_FULLWIDTH_ALNUM).strip()
    label = _LEADING_LABEL.match(line)
    if label:
        head, rest = label.group(1), line[label.end():]
        rest = _STRAY_SPACE.sub("", rest)
        return f"{head} {rest}" if rest else head
    return _STRAY_SPACE.sub("", line)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _furniture(pages: list[list[str]]) -> set[str]:
    """Running headers/footers: lines (digits masked) at the top or bottom of most pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = {re.sub(r"\d+", "#", line) for line in lines[:2] + lines[-2:]}
        counts.update(edge)
    return {line for line, n in counts.items() if n >= max(3, 0.5 * len(pages))}


def _is_page_furniture(line: str, at_edge: bool, furniture: set[str]) -> bool:
    if table_cells(line) is not None:  # a table's header repeated on each page is content, not furniture
        return False
    if _PAGE_NUMBER.match(line):
        return True
    if at_edge and _BARE_NUMBER.match(line):
        return True
    return at_edge and re.sub(r"\d+", "#", line) in furniture


@dataclass
class _Line:
    text: str
    page: int  # 0-based
    joins_previous: bool = False


def _wrap_width(lines: list[_Line]) -> float:
    widths = sorted((display_width(l.text) for l in lines), reverse=True)
    top = widths[: max(1, len(widths) // 5)]
    return top[len(top) // 2]


def looks_hard_wrapped(lines: list[str]) -> bool:
    """True when many lines stop at one width without closing punctuation (fixed-width text)."""
    lines = [l for l in lines if l]
    if len(lines) < 8:
        return False
    widths = sorted((display_width(l) for l in lines), reverse=True)
    width = widths[len(widths) // 10]
    if width > 200:
        return False
    full = [l for l in lines if display_width(l) >= 0.88 * width]
    open_ended = [l for l in full if not l.endswith(_TERMINAL)]
    return len(full) >= 0.3 * len(lines) and len(open_ended) >= 0.5 * len(full)


def _mark_wraps(lines: list[_Line]) -> None:
    width = _wrap_width(lines)
    for previous, line in zip(lines, lines[1:]):
        full = display_width(previous.text) >= 0.88 * width
        rows = table_cells(previous.text) is not None or table_cells(line.text) is not None
        if full and not rows and not previous.text.endswith(_TERMINAL) and not _STRONG_START.match(line.text):
            line.joins_previous = True


def normalize(loaded: LoadedFile) -> NormalizedText:
    """Clean `loaded` into one paragraph per line, remembering where each page starts."""
    raw_pages = [[clean_line(l) for l in page.split("\n")] for page in loaded.pages]
    raw_pages = [[l for l in page if l] for page in raw_pages]
    furniture = _furniture(raw_pages) if loaded.paged else set()

    lines: list[_Line] = []
    for number, page in enumerate(raw_pages):
        for i, text in enumerate(page):
            at_edge = loaded.paged and (i < 2 or i >= len(page) - 2)
            if not _is_page_furniture(text, at_edge, furniture):
                lines.append(_Line(text, number))
    if not lines:
        return NormalizedText("", [])

    wrapped = loaded.file_type == "pdf" or loaded.hard_wrapped or looks_hard_wrapped([l.text for l in lines])
    if wrapped:
        _mark_wraps(lines)

    parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    for line in lines:
        if parts and not line.joins_previous:
            parts.append("\n")
            offset += 1
        elif parts and line.joins_previous and parts[-1][-1:].isascii() and parts[-1][-1:].isalnum() \
                and line.text[:1].isascii() and line.text[:1].isalpha():
            parts.append(" ")  # a wrapped Latin word boundary
            offset += 1
        while loaded.paged and len(page_starts) <= line.page:
            page_starts.append(offset)
        parts.append(line.text)
        offset += len(line.text)
    if loaded.paged:
        while len(page_starts) < len(loaded.pages):
            page_starts.append(offset)
    return NormalizedText("".join(parts), page_starts if loaded.paged else [])
