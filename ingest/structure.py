"""Structure parser: normalised text → headings and units (articles, outline items, paragraphs).

Regulations: 附件 / 编 / 章 / 节 headings, articles 第X条, inside them 款 (paragraphs) and 项 （一）.
Opinions and speeches: outline levels 一、 / （一） / 1. / （1）, and plain paragraphs.
A table of contents is skipped; a cross-reference inside a sentence never opens an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.models import Clause, Heading, Item, NormalizedText, TableRow, Unit, table_cells
from ingest.numerals import NUMBER_CLASS, to_int

N = NUMBER_CLASS
# 第X条, and 第X条之一 (an article inserted by an amendment, as in 刑法), never 第X条之规定 (a reference).
_SUFFIX_DIGITS = "一二三四五六七八九十"
_ARTICLE = re.compile(rf"^第\s*({N})\s*条(?:之([{_SUFFIX_DIGITS}]+))?(?!之)(\s*)")
_DIVISION = re.compile(rf"^第({N})([编章节])(?:\s+|$)?(.*)$")
_ANNEX = re.compile(r"^附\s*件\s*([0-9一二三四五六七八九十]*)\s*[:：]?\s*(.{0,40})$")
# An annex list after the last article: "附件：1.……2.……" (any length), "附：", "附录", "附表1".
_ANNEX_LIST = re.compile(r"^(附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：]|附\s*[:：]|附\s*[录表]\s*[0-9一二三四五六七八九十]*\s*[:：]?\s*\S{0,30}$)")
_NAMED_CHAPTER = re.compile(r"^(总则|总纲|序言|附则|前言|结束语)$")
_TOC = re.compile(r"^目\s*录$")
_CN = "一二三四五六七八九十百零〇"
_OUTLINE = (
    (1, re.compile(rf"^([{_CN}]+)[、，]")),
    (2, re.compile(rf"^[（(]([{_CN}]+)[）)]")),
    (3, re.compile(r"^([0-9]{1,3})[.．、](?![0-9])")),
    (4, re.compile(r"^[（(]([0-9]{1,3})[）)]")),
)
_ITEM = re.compile(rf"^[（(]([{_CN}]+|[0-9]{{1,3}})[）)]")
# What follows a 第X条 that is a cross-reference rather than an article: 第五条规定的…, 第五条第二款…
_REFERENCE_TAIL = re.compile(r"^(规定|所列|所称|的|中|和|或|、|至|到|第|（|\(|以|之|关于|有关|条款|项)")
_TERMINAL = tuple("。！？；：…，,")
MAX_HEADING_CHARS = 40


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class ParsedStructure:
    headings: list[Heading] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    toc: tuple[int, int] | None = None
    mode: str = "outline"
    warnings: list[str] = field(default_factory=list)


def _lines(text: str) -> list[_Line]:
    out, offset = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            out.append(_Line(offset, offset + len(raw), raw))
        offset += len(raw) + 1
    return out


def _is_heading_shaped(text: str) -> bool:
    return len(text) <= MAX_HEADING_CHARS and not text.endswith(_TERMINAL) and "。" not in text


def match_division(text: str) -> tuple[int, str] | None:
    """(level, kind) when the line is a 附件/编/章/节 heading, else None."""
    if not _is_heading_shaped(text):
        return None
    m = _DIVISION.match(text)
    if m and to_int(m.group(1)) is not None:
        kind = m.group(2)
        # "第三章规定的…" is prose; a heading has a space, a short title, or nothing after the label.
        title = m.group(3)
        if title and not re.match(rf"^第{N}{kind}\s", text) and len(title) > 16:
            return None
        return {"编": 1, "章": 2, "节": 3}[kind], kind
    if _NAMED_CHAPTER.match(text.replace(" ", "")):
        return 2, "附则" if "附则" in text else "章"
    if _ANNEX.match(text):
        return 0, "附件"
    return None


def _is_annex_line(text: str) -> bool:
    return match_division(text) == (0, "附件") or _ANNEX_LIST.match(text) is not None


def _toc_span(lines: list[_Line]) -> tuple[int, int] | None:
    """Lines of a table of contents: after 目录, headings until the first heading repeats."""
    for i, line in enumerate(lines):
        if not _TOC.match(line.text.replace(" ", "")):
            continue
        entries: list[str] = []
        j = i + 1
        while j < len(lines):
            text = lines[j].text
            if entries and text == entries[0]:
                break
            if match_division(text) is None or _ARTICLE.match(text):
                break
            entries.append(text)
            j += 1
        if entries:
            return lines[i].start, lines[j - 1].end
        return lines[i].start, lines[i].end
    return None


def line_number(text: NormalizedText, offset: int) -> int:
    return text.text.count("\n", 0, offset) + 1


def cn_number(n: int) -> str:
    """102 → 一百零二 (as article labels write it)."""
    import cn2an

    return cn2an.an2cn(n)


ArticleKey = tuple[int, int]  # (number, suffix): 第一百二十条之一 → (120, 1), 第五条 → (5, 0)

# After a 第X条 with a space, words that still make it a reference, not an article: a wrapped line
# of a revision history ("第三十一条的决定》第一次修正") or a list of articles ("第五条、第六条").
_STRONG_REFERENCE_TAIL = re.compile(r"^(的|》|〉|、|至|和|或|及)")


def article_key(text: str) -> ArticleKey | None:
    """(number, suffix) of a line that starts like an article, else None."""
    m = _ARTICLE.match(text)
    if not m:
        return None
    number = to_int(m.group(1))
    if number is None:
        return None
    return number, (to_int(m.group(2)) if m.group(2) else 0)


def _next_keys(last: ArticleKey | None) -> list[ArticleKey]:
    """The article keys that may follow `last` in order: the next number, one or two further (an
    article lost), or the next 之Y article inserted after it."""
    if last is None:
        return [(1, 0), (2, 0), (3, 0)]
    number, suffix = last
    return [(number, suffix + 1), (number + 1, 0), (number + 2, 0), (number + 3, 0)]


def _article_key(text: str, last: ArticleKey | None, previous_text: str | None, annex_since_last: bool) -> ArticleKey | None:
    """The article key if `text` opens an article given the one before, else None."""
    key = article_key(text)
    if key is None:
        return None
    m = _ARTICLE.match(text)
    rest = text[m.end():]
    if _STRONG_REFERENCE_TAIL.match(rest):
        return None
    # A space after the label, nothing after it, or a bracketed heading (第X条【罪名】…) opens an
    # article; a repeated or out-of-order number still opens one (with a warning), never merges.
    strong = bool(m.group(3)) or not rest or rest.startswith(("【", "[", "［"))
    if strong:
        return key
    # No space after 条 (common in OCR output): accept only the next number (or one or two
    # further, when an article was lost), after a closed sentence, and not when the words after
    # it read as a reference (第五条规定的…).
    if key not in _next_keys(last) and not (key == (1, 0) and annex_since_last):
        return None
    if _REFERENCE_TAIL.match(rest):
        return None
    if previous_text and not previous_text.endswith(_TERMINAL) and not _is_heading_shaped(previous_text):
        return None
    return key


def article_label(number: int, suffix: int = 0) -> str:
    """(120, 1) → 第一百二十条之一, as citations name an article."""
    return f"第{cn_number(number)}条" + (f"之{cn_number(suffix)}" if suffix else "")


class _Builder:
    """Accumulates headings and units while walking the lines once."""

    def __init__(self, text: NormalizedText):
        self.warnings: list[str] = []  # structure faults found on the way, in Chinese
        self.source = text
        self.headings: list[Heading] = []
        self.units: list[Unit] = []
        self.path: dict[int, Heading] = {}
        self.current: list[_Line] = []
        self.current_kind: str | None = None
        self.current_label = ""
        self.current_number: int | None = None
        self.current_suffix: int | None = None
        self.current_path: list[str] = []
        self.current_rank = 10  # outline rank of the open item
        self.tables = 0  # tables seen so far
        self.table_header: list[str] | None = None  # header of the table being read (None: none open)
        self.table_caption = ""
        self.table_rows = 0

    def table_line(self, line: _Line, cells: list[str], previous: str | None) -> None:
        """A row of a table: the first row of a table is its header; each further row is a unit of
        its own. A table inside an article (or outline item) stays part of its text too, and the
        article goes on after it; its rows are named after it: 第九条表1第2行."""
        within = self.current_label if self.current_kind in ("article", "item") else ""
        if within:
            self.current.append(line)
        else:
            self.close()
        if self.table_header is None:
            self.table_header, self.table_rows = cells, 0
            before = [l.text for l in self.current[:-1]] if within else ([self.units[-1].text] if self.units else [])
            self.table_caption = _caption(previous, before)
            numbered = re.match(r"^附?表\s*(\d+)", self.table_caption)  # "表2 …" names its own number
            self.tables = int(numbered.group(1)) if numbered else self.tables + 1
            return
        if not any(cells):
            return
        self.table_rows += 1
        self.units.append(Unit(
            kind="row", number=self.table_rows, label=f"{within}表{self.tables}第{self.table_rows}行",
            heading=self.heading_path(), start=line.start, end=line.end,
            page_start=self.source.page_at(line.start), page_end=self.source.page_at(max(line.start, line.end - 1)),
            text=self.source.text[line.start:line.end],
            table_row=TableRow(table=self.tables, caption=self.table_caption, header=self.table_header,
                               cells=cells, row=self.table_rows),
        ))

    def finish(self) -> None:
        """Close the open unit; units in document order (a table's rows after the article holding them)."""
        self.close()
        self.units.sort(key=lambda u: u.start)

    def end_table(self) -> None:
        self.table_header = None

    def heading_path(self) -> list[str]:
        return [self.path[level].text for level in sorted(self.path)]

    def push_heading(self, line: _Line, level: int, kind: str) -> None:
        self.close()
        for deeper in [lv for lv in self.path if lv >= level]:
            del self.path[deeper]
        if kind == "附件":
            self.path.clear()
        heading = Heading(
            level=level, kind=kind, text=line.text, start=line.start, end=line.end,
            page=self.source.page_at(line.start),
        )
        self.path[level] = heading
        self.headings.append(heading)

    def open(self, kind: str, line: _Line, label: str = "", number: int | None = None, suffix: int | None = None) -> None:
        self.close()
        self.current_kind, self.current_label, self.current_number = kind, label, number
        self.current_suffix = suffix
        self.current_path = self.heading_path()
        self.current = [line]

    def add(self, line: _Line) -> None:
        if self.current_kind is None:
            self.open("paragraph", line)
        else:
            self.current.append(line)

    def close(self) -> None:
        if not self.current:
            return
        lines, kind = self.current, self.current_kind
        self.current, self.current_kind = [], None
        start, end = lines[0].start, lines[-1].end
        unit = Unit(
            kind=kind, number=self.current_number, suffix=self.current_suffix, label=self.current_label,
            heading=self.current_path, start=start, end=end,
            page_start=self.source.page_at(start), page_end=self.source.page_at(max(start, end - 1)),
            text=self.source.text[start:end],
        )
        if kind == "article":
            unit.clauses = _clauses(lines)
        self.units.append(unit)


def _clauses(lines: list[_Line]) -> list[Clause]:
    """款 and 项 of an article: each paragraph is a 款 unless it is an item （一） of the one before."""
    clauses: list[Clause] = []
    for i, line in enumerate(lines):
        item = _ITEM.match(line.text)
        label_only = i == 1 and _ARTICLE.match(lines[0].text) and not lines[0].text[_ARTICLE.match(lines[0].text).end():]
        if clauses and (item or label_only):
            clause = clauses[-1]
            clause.end = line.end
            if item:
                clause.items.append(Item(label=item.group(0), number=to_int(item.group(1)), start=line.start, end=line.end))
            continue
        clauses.append(Clause(index=len(clauses) + 1, start=line.start, end=line.end))
    return clauses


def _inside_parentheses(lines: list[_Line], index: int, reach: int = 6) -> bool:
    """Whether line `index` continues a parenthesis opened on one of the few lines before it (a
    revision history "（…根据《关于修改〈…〉\n第三十一条的决定》第一次修正…）" wrapped over lines)."""
    depth = 0
    for line in lines[max(0, index - reach):index]:
        for char in line.text:
            if char in "（(":
                depth += 1
            elif char in "）)":
                depth = max(0, depth - 1)
    return depth > 0


def _is_section_heading(lines: list[_Line], index: int) -> bool:
    """A short 一、-numbered line right before an article: a section heading of a judicial
    interpretation ("二、标的物交付和所有权转移"), not the last line of the article before it."""
    text = lines[index].text
    return (
        index + 1 < len(lines)
        and _OUTLINE[0][1].match(text) is not None
        and _is_heading_shaped(text)
        and article_key(lines[index + 1].text) is not None
    )


_UNIT_LINE = re.compile(r"^[（(]?单位\s*[:：]\s*[^，。]{1,20}[）)]?$")
_ANNOUNCES = re.compile(r"([^，。；：]{2,30}?)(?:如下|见下表|详见下表|列表如下)[:：]?$")


def _caption(previous: str | None, before: list[str]) -> str:
    """A table's caption: the line above it when it names the table ("表2 培训费综合定额标准"); a
    bare unit line ("单位：元/人天") is named by the sentence that announces the table
    ("…综合定额标准如下：" → "综合定额标准（单位：元/人天）")."""
    caption = previous if previous and _is_caption(previous) else ""
    if caption and not _UNIT_LINE.match(caption):
        return caption
    lines = before[:-1] if caption and before and before[-1] == previous else before
    announced = _ANNOUNCES.search(lines[-1].strip()) if lines else None
    if announced:
        name = re.sub(r"^(第\S+条\s*)?", "", announced.group(1)).strip()
        unit = caption.strip("（()）")
        return f"{name}（{unit}）" if unit else name
    return caption


def _is_caption(text: str) -> bool:
    """A line above a table that names it: 表2 培训费综合定额标准, 附表, …标准表（单位：元）."""
    return _is_heading_shaped(text) and (text.startswith(("表", "附表")) or "表" in text[-6:] or "标准" in text
                                         or "单位：" in text or "单位:" in text)


def _table_line(b: _Builder, line: _Line, previous: str | None) -> bool:
    """Take `line` as a table row when it is one (True); a line that is not ends the open table."""
    cells = table_cells(line.text)
    if cells is None:
        b.end_table()
        return False
    b.table_line(line, cells, previous)
    return True


def _parse_regulation(lines: list[_Line], text: NormalizedText) -> _Builder:
    b = _Builder(text)
    last: ArticleKey | None = None
    annex_since_last = False
    previous: str | None = None
    seen: set[ArticleKey] = set()  # keys of this numbering (an annex starting at 第一条 starts a new one)
    for index, line in enumerate(lines):
        if _table_line(b, line, previous):
            previous = line.text
            continue
        division = match_division(line.text)
        key = _article_key(line.text, last, previous, annex_since_last)
        if key is not None and _inside_parentheses(lines, index):
            key = None
        if key is not None:
            label = re.sub(r"\s+", "", line.text[: _ARTICLE.match(line.text).end()])
            if key == (1, 0) and annex_since_last:
                _warn_missing(b, seen)
                seen = set()
            elif key in seen:
                b.warnings.append(f"{label}重复出现（第 {line_number(text, line.start)} 行），作为单独的条文保存，请核对原文。")
            elif last is not None and key < last:
                b.warnings.append(f"{label}出现在{article_label(*last)}之后（第 {line_number(text, line.start)} 行），"
                                  "条文顺序异常，请核对原文。")
            seen.add(key)
            b.open("article", line, label=label, number=key[0], suffix=key[1] or None)
            last, annex_since_last = key, False
        elif division is not None or _is_annex_line(line.text):
            level, kind = division or (0, "附件")
            b.push_heading(line, level, kind)
            annex_since_last = annex_since_last or kind == "附件"
        elif _is_section_heading(lines, index):
            b.push_heading(line, 2, "部分")
        elif b.current_kind == "article":
            b.add(line)
        else:
            _add_paragraph(b, line)
        previous = line.text
    _warn_missing(b, seen)
    b.finish()
    return b


def _warn_missing(b: "_Builder", seen: set[ArticleKey]) -> None:
    """Warn of article numbers missing from one numbering (1 … the highest seen; 之Y articles aside)."""
    numbers = {number for number, _ in seen}
    missing = [n for n in range(1, max(numbers, default=0)) if n not in numbers]
    if missing and len(seen) >= 2:
        listed = "、".join(f"第{cn_number(n)}条" for n in missing[:5]) + ("等" if len(missing) > 5 else "")
        b.warnings.append(f"缺少{listed}（共 {len(missing)} 条），请核对原文是否完整。")


def _outline_level(text: str) -> tuple[int, int | None, str] | None:
    for level, pattern in _OUTLINE:
        m = pattern.match(text)
        if m:
            return level, to_int(m.group(1)), m.group(0).strip()
    return None


def _parse_outline(lines: list[_Line], text: NormalizedText) -> _Builder:
    """Opinions and speeches: each outline marker opens an item; headings-only items become path."""
    b = _Builder(text)
    outline_levels: list[int] = []  # marker levels seen, outermost first, to rank nested markers
    previous: str | None = None
    for line in lines:
        is_row, previous = _table_line(b, line, previous), line.text
        if is_row:
            continue
        division = match_division(line.text)
        marker = _outline_level(line.text)
        if division is not None and marker is None:
            b.push_heading(line, division[0], division[1])
            continue
        if marker is None:
            _add_paragraph(b, line)
            continue
        level, number, label = marker
        if level not in outline_levels:
            outline_levels.append(level)
        rank = 10 + sorted(outline_levels).index(level)
        # Close the open item; if it was only a heading line, make it part of the path instead.
        if b.current_kind == "item" and len(b.current) == 1 and _is_heading_shaped(b.current[0].text):
            only = b.current[0]
            b.current, b.current_kind = [], None
            b.push_heading(only, b.current_rank, "outline")
        for deeper in [lv for lv in b.path if lv >= rank]:
            del b.path[deeper]
        b.open("item", line, label=label, number=number)
        b.current_rank = rank
    b.finish()
    return b


def _add_paragraph(b: _Builder, line: _Line, max_chars: int = 500) -> None:
    """Plain paragraphs: kept with the open item, or grouped until `max_chars`."""
    if b.current_kind in ("item", "article"):
        b.add(line)
        return
    if b.current_kind == "paragraph" and (line.end - b.current[0].start) <= max_chars:
        b.add(line)
        return
    b.open("paragraph", line)


def parse_structure(text: NormalizedText, title_line_end: int = 0, content_end: int | None = None) -> ParsedStructure:
    """Parse normalised text: the content lies from `title_line_end` (after the title) to
    `content_end` (before a 红头文件's signature and 版记; None: the end)."""
    lines = _lines(text.text)
    toc = _toc_span(lines)
    end = len(text.text) if content_end is None else content_end
    body = [l for l in lines if title_line_end <= l.start < end and not (toc and toc[0] <= l.start < toc[1])]
    regulation = _parse_regulation(body, text)
    if sum(1 for u in regulation.units if u.kind == "article") >= 2:
        return ParsedStructure(regulation.headings, regulation.units, toc, "regulation", regulation.warnings)
    outline = _parse_outline(body, text)
    return ParsedStructure(outline.headings, outline.units, toc, "outline")


def display_label(label: str) -> str:
    """How a unit is named in a sentence: 第十条 stays, 八、 → 第八部分, 3. → 第3项, （二） stays."""
    label = label.strip()
    m = re.fullmatch(rf"([{_CN}]+)、", label)
    if m:
        return f"第{m.group(1)}部分"
    m = re.fullmatch(r"([0-9]{1,3})[.．、]", label)
    if m:
        return f"第{m.group(1)}项"
    return label


_ROW_LABEL = re.compile(r"(第.+?条(?:之.+?)?|[^表]*?)表(\d+)第(\d+)行")
_ANNEX_LABEL = re.compile(r"^附\s*件\s*[0-9一二三四五六七八九十]*")
_OUTLINE_LABEL = re.compile(rf"^\s*([{_CN}]+、|（[{_CN}]+）|[0-9]{{1,3}}[.．、])")


def place(heading: str | list[str], label: str) -> str:
    """Where a unit stands, named so that no other unit of its document has the same name: 第十四条
    (article numbers are unique); an outline item with its parents' numbers, 第二部分（三）第4项 (several
    parts of a 实施意见 each have an item 4); the text before the first numbered part: 开头部分."""
    label = label.strip()
    if re.fullmatch(r"第.+条(之.+)?", label):
        return label
    parts = heading.split("›") if isinstance(heading, str) else list(heading)
    row = _ROW_LABEL.fullmatch(label)
    if row:  # a table row: 附件1 表2 第3行, or 第九条 表1 第2行 for a table inside an article
        annex = next((m.group(0) for m in (_ANNEX_LABEL.match(p.strip()) for p in parts) if m), "")
        within = display_label(row.group(1)) if row.group(1) else ""
        return " ".join(x for x in (annex, within, f"表{row.group(2)}", f"第{row.group(3)}行") if x)
    labels = [m.group(1) for m in (_OUTLINE_LABEL.match(p) for p in parts) if m]
    if label and (not labels or labels[-1] != label):
        labels.append(label)
    numbers = "".join(display_label(x) for x in labels)
    if label:
        return numbers
    # A paragraph without a number: in its numbered part ("第二部分"), or under its heading ("总纲").
    last = parts[-1].strip() if parts else ""
    if not last:
        return "开头部分"
    return numbers if _OUTLINE_LABEL.match(last) else numbers + last


def table_where(unit: Unit) -> str:
    """Where the table of row `unit` stands: "附件1 表1", "第九条 表1"."""
    return place(unit.heading, unit.label).rsplit(" 第", 1)[0]


def table_place(unit: Unit) -> str:
    """Where a table stands, named with its caption: "附件1 表1 培训费综合定额标准（单位：元/人天）",
    "第九条 表1 综合定额标准（单位：元/人天）" (a caption that starts with its 表N is not repeated)."""
    row = unit.table_row
    where = table_where(unit)
    if re.match(rf"^附?表\s*{row.table}(?!\d)", row.caption):
        where = where.rsplit(" ", 1)[0] if " " in where else ""
    return " ".join(x for x in (where, row.caption) if x)


def unit_place(units: list[Unit], index: int) -> str:
    """place() of one unit of a document; an unnumbered paragraph also gets its ordinal among the
    unnumbered paragraphs under the same heading ("总纲第3段"), when there are several."""
    unit = units[index]
    name = place(unit.heading, unit.label)
    if unit.label.strip():
        return name
    siblings = [i for i, u in enumerate(units) if u.heading == unit.heading and not u.label.strip()]
    return f"{name}第{siblings.index(index) + 1}段" if len(siblings) > 1 else name
