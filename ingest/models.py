"""Typed data at the seams of ingestion: loaded pages, the parsed document tree, metadata."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

STATUSES = ("现行有效", "已修订", "已废止")
DOC_TYPES = ("法规", "实施意见", "讲话", "其他")


@dataclass
class LoadedFile:
    """Raw text of a file as a loader returns it, one string per page.

    `paged` is False when the format has no real pages (TXT, MD, HTML, DOCX without page
    breaks); then there is a single element and page numbers are unknown.
    """

    pages: list[str]
    paged: bool
    file_type: Literal["pdf", "docx", "doc", "wps", "ofd", "text", "markdown", "html"]
    ocr_used: bool = False
    encoding: str | None = None
    hard_wrapped: bool = False


@dataclass
class NormalizedText:
    """Clean text plus the offsets at which each page starts (for mapping back to pages)."""

    text: str
    page_starts: list[int] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """1-based page holding character `offset`, or None for an unpaged source."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


class DocumentMeta(BaseModel):
    title: str = ""
    version: str | None = None
    issuer: str | None = None
    date: str | None = None
    doc_number: str | None = None  # 文号, e.g. 财行〔2013〕531号
    status: str = "现行有效"
    status_note: str | None = None  # the free text a manifest gave, e.g. 已被2023年修订版取代
    doc_type: str = "其他"
    # An editorial note taken out of the title, e.g. 含2018年修正案，第三章第七节 监察委员会.
    title_note: str | None = None
    # Set when this document is the same text as another one in another format (the same law as
    # .md and .pdf): the doc_id of the copy that is searched and shown.
    duplicate_of: str | None = None
    # What the 版头 and 版记 of a 红头文件 say (ingest/red_header.py); None when it has none.
    secrecy: str | None = None  # 密级: 绝密 / 机密 / 秘密
    secrecy_term: str | None = None  # 保密期限
    urgency: str | None = None  # 紧急程度
    issuer_mark: str | None = None  # 发文机关标志
    signer: str | None = None  # 签发人
    recipients: str | None = None  # 主送机关
    cc: str | None = None  # 抄送机关
    printed_by: str | None = None  # 印发机关
    printed_date: str | None = None  # 印发日期
    remark: str | None = None  # 附注, e.g. 此件发至县处级
    attachments: list[str] = Field(default_factory=list)  # 附件说明
    # Access groups (ingest/access.py): empty = open to every reader.
    access: list[str] = Field(default_factory=list)
    # Which fields were set explicitly by a sidecar file or a manifest (not inferred).
    explicit: list[str] = Field(default_factory=list)


class Heading(BaseModel):
    """A structural heading: 附件 / 编 / 章 / 节 (regulations) or an outline item used as a heading."""

    level: int
    kind: str  # 附件 | 编 | 章 | 节 | 附则 | outline
    text: str  # the heading line as it reads, e.g. "第一章 总则"
    start: int
    end: int
    page: int | None = None


class Item(BaseModel):
    """项: an enumerated item （一）… inside a 款."""

    label: str
    number: int | None
    start: int
    end: int


class Clause(BaseModel):
    """款: a paragraph of an article (with the 项 it introduces)."""

    index: int  # 1-based
    start: int
    end: int
    items: list[Item] = Field(default_factory=list)


# A table row in loaded and normalised text: its cells between full-width bars, "｜一类培训｜500｜760｜".
TABLE_CELL = "｜"


class TableRow(BaseModel):
    """A data row of a table (表格), cited on its own and shown with its table's header."""

    table: int  # 1-based number of the table in its document: 表2
    caption: str = ""  # the line above the table, e.g. 表2 培训费综合定额标准（单位：元/人天）
    header: list[str]
    cells: list[str]
    row: int  # 1-based among the data rows (the header is not counted)

    def pairs(self) -> list[tuple[str, str]]:
        """(column name, value) of each cell; a cell without a header gets 第N列."""
        return [(self.header[i] if i < len(self.header) and self.header[i] else f"第{i + 1}列", cell)
                for i, cell in enumerate(self.cells)]


def table_cells(line: str) -> list[str] | None:
    """The cells of a table-row line, or None when the line is not one."""
    line = line.strip()
    if not (line.startswith(TABLE_CELL) and line.endswith(TABLE_CELL) and len(line) > 1):
        return None
    return [cell.strip() for cell in line[1:-1].split(TABLE_CELL)]


def table_line(cells: list[str]) -> str:
    """How a loader writes a table row: "｜cell｜cell｜" (bars inside cells become "|")."""
    clean = [" ".join(str(c).replace(TABLE_CELL, "|").split()) for c in cells]
    return TABLE_CELL + TABLE_CELL.join(clean) + TABLE_CELL


class Unit(BaseModel):
    """What chunks are made of: an article (条), an outline item, a group of paragraphs, or a
    table row (with its table's caption and header)."""

    kind: Literal["article", "item", "paragraph", "row"]
    number: int | None = None  # article number (条) or outline item number
    # 之Y of an article inserted by an amendment: 第一百二十条之一 has number 120, suffix 1.
    suffix: int | None = None
    label: str = ""  # 第一百零二条 / 一、 / （二） / ""
    heading: list[str] = Field(default_factory=list)  # path of headings above it
    start: int
    end: int
    page_start: int | None = None
    page_end: int | None = None
    text: str
    clauses: list[Clause] = Field(default_factory=list)
    table_row: TableRow | None = None  # for kind "row"


class ParsedDocument(BaseModel):
    doc_id: str
    source: str
    file_type: str
    meta: DocumentMeta
    text: str
    page_starts: list[int] = Field(default_factory=list)
    headings: list[Heading] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    toc: tuple[int, int] | None = None  # span of a table of contents, excluded from content
    ocr_used: bool = False
    encoding: str | None = None
    warnings: list[str] = Field(default_factory=list)  # structure faults (repeated, out-of-order, missing articles)
    instructions: list[tuple[int, int]] = Field(default_factory=list)  # spans of instruction-like sentences

    @property
    def articles(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "article"]

    @property
    def table_rows(self) -> list[Unit]:
        return [u for u in self.units if u.kind == "row"]

    def tables(self) -> list[list[Unit]]:
        """The rows of each table, in document order (a table's rows are consecutive units)."""
        tables: list[list[Unit]] = []
        previous: Unit | None = None
        for unit in self.units:
            if unit.kind == "row":
                if previous is not None and previous.kind == "row" and previous.table_row.table == unit.table_row.table:
                    tables[-1].append(unit)
                else:
                    tables.append([unit])
            previous = unit
        return tables

    def table_of(self, unit: Unit) -> list[Unit]:
        """The rows of the table that row `unit` belongs to."""
        return next((rows for rows in self.tables() if any(u is unit for u in rows)), [])

    @property
    def page_count(self) -> int | None:
        return len(self.page_starts) or None

    def page_at(self, offset: int) -> int | None:
        return NormalizedText(self.text, self.page_starts).page_at(offset)
