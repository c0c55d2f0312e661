"""Whether a table row answers a question, read from the table itself (no word list).

A row answers only when the question does not name another row of its table ("四类培训" when the
rows are 一类培训 / 二类培训 / 三类培训: the shared tail 类培训 marks a row name) and does not ask for
a column the table lacks ("讲课费" when the columns are 住宿费 / 伙食费 / …: the character most
column names end in, 费, marks a column name; the two characters before it must be in a column name
or the caption, or the document's title)."""

from __future__ import annotations

import os
import re
from collections import Counter

from ingest.models import TableRow


def _shared_tail(names: list[str]) -> str:
    """The longest ending all `names` share (at least two characters), else ""."""
    names = [n for n in names if n]
    if len(names) < 2:
        return ""
    tail = os.path.commonprefix([n[::-1] for n in names])[::-1]
    return tail if len(tail) >= 2 and all(len(n) > len(tail) for n in names) else ""


def _column_mark(header: list[str]) -> str:
    """The last character of most column names (费 of 住宿费, 伙食费 …), when two or more share it."""
    ends = Counter(name.rstrip("用")[-1] for name in header[1:] if name)
    mark, count = ends.most_common(1)[0] if ends else ("", 0)
    return mark if count >= 2 else ""


def named_rows(question: str, keys: list[str]) -> set[str]:
    """Row names of this table's kind the question uses ("四类培训"), whether the table has them or not."""
    tail = _shared_tail(keys)
    if not tail:
        return set()
    return {m.group(0) for m in re.finditer(rf"[\u4e00-\u9fff0-9]{{1,2}}{re.escape(tail)}", re.sub(r"\s+", "", question))}


def missing_rows(question: str, keys: list[str]) -> list[str]:
    """Row names the question uses that the table does not have."""
    return sorted(named_rows(question, keys) - set(keys))


def names_other_row(question: str, row: TableRow, keys: list[str]) -> bool:
    """The question names a row of this table's kind that is not `row` (another row, or one the
    table does not have)."""
    named = named_rows(question, keys)
    return bool(named) and bool(row.cells) and row.cells[0] not in named


def asks_missing_column(question: str, row: TableRow, title: str = "") -> bool:
    """The question asks for a column of this table's kind ("…费") that the table does not have
    (the words may also stand in its caption or its document's title)."""
    mark = _column_mark(row.header)
    if not mark:
        return False
    known = "".join(row.header) + row.caption + title
    return any(question[i - 1:i + 1] not in known for i, char in enumerate(question) if char == mark and i >= 1)


def answers(question: str, row: TableRow, keys: list[str], title: str = "") -> bool:
    """Whether `row` (of a table whose row names are `keys`, in document `title`) may answer."""
    asked = re.sub(r"\s+", "", question)
    return not names_other_row(asked, row, keys) and not asks_missing_column(asked, row, title)
