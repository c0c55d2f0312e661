"""Ruled tables on PDF pages, found by pdfplumber (MIT), kept as rows of cells.

pypdf reads a table as runs of words ("一类培训 500 150 80 30 760"), its header cells wrapped over
several lines. On a page whose text looks like a table, pdfplumber looks for ruled tables; when it
finds one, the page is read again with pdfplumber: the text above, between and below the tables,
and each table as rows ("｜一类培训｜500｜150｜80｜30｜760｜", ingest.models.table_line).
"""

from __future__ import annotations

import io
import re

from ingest.models import table_line

_MIN_CELLS = 3  # words separated by spaces on one line, each short: a row read by pypdf
_MAX_CELL_CHARS = 14


def looks_tabular(text: str) -> bool:
    """Two or more lines of three or more short words separated by spaces (CJK prose has none)."""
    rows = 0
    for line in text.split("\n"):
        words = line.split()
        if len(words) >= _MIN_CELLS and all(len(w) <= _MAX_CELL_CHARS for w in words):
            rows += 1
    return rows >= 2


def _cell(text: str | None) -> str:
    """A cell's text with its wrapped lines joined (a space only between two Latin letters or digits)."""
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    out = ""
    for line in lines:
        if out and re.match(r"[A-Za-z0-9]", out[-1]) and re.match(r"[A-Za-z0-9]", line[0]):
            out += " "
        out += line
    return out


def _text_between(page, top: float, bottom: float) -> str:
    """The page's text whose characters sit (by their middle) between `top` and `bottom`."""
    region = page.filter(lambda o: o.get("object_type") != "char" or top <= (o["top"] + o["bottom"]) / 2 < bottom)
    return region.extract_text() or ""


def pages_with_tables(data: bytes, numbers: list[int]) -> dict[int, str]:
    """For each page in `numbers` (0-based) that has a ruled table: the page's text with its tables
    as rows. Pages without a table are left out (their pypdf text stands)."""
    import pdfplumber

    found: dict[int, str] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in numbers:
            page = pdf.pages[number]
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            if not tables:
                continue
            parts, top = [], 0.0
            for table in tables:
                parts.append(_text_between(page, top, table.bbox[1]))
                rows = [[_cell(c) for c in row] for row in table.extract()]
                parts += [table_line(cells) for cells in rows if any(cells)]
                top = table.bbox[3]
            parts.append(_text_between(page, top, float(page.height)))
            found[number] = "\n".join(p for p in parts if p)
    return found
