"""Dates written in documents (2023年5月10日, 2023.5.10, 二〇二三年五月十日) as YYYY-MM-DD."""

from __future__ import annotations

import re

from ingest.numerals import to_int

_DATE = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?|\.(\d{1,2})\.(\d{1,2}))")
_CN_YEAR_DATE = re.compile(r"([一二三四五六七八九〇零○]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?")


def _cn_digits(text: str) -> int:
    table = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
    return int("".join(str(table[c]) for c in text))


def find_dates(text: str) -> list[str]:
    """All dates in `text` as YYYY-MM-DD (or YYYY-MM), in order of appearance."""
    found: list[tuple[int, str]] = []
    for m in _DATE.finditer(text):
        y = int(m.group(1))
        mo, d = (int(m.group(2)), m.group(3)) if m.group(2) else (int(m.group(4)), m.group(5))
        if 1949 <= y <= 2100 and 1 <= mo <= 12:
            found.append((m.start(), f"{y:04d}-{mo:02d}" + (f"-{int(d):02d}" if d else "")))
    for m in _CN_YEAR_DATE.finditer(text):
        y, mo = _cn_digits(m.group(1)), to_int(m.group(2))
        d = to_int(m.group(3)) if m.group(3) else None
        if 1949 <= y <= 2100 and mo and 1 <= mo <= 12:
            found.append((m.start(), f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")))
    return [date for _, date in sorted(found)]
