"""Word and Excel files shared by the exports (quiz papers, FAQ): a Word document set up for
Chinese text, an Excel sheet with a header row, and choosing the writer by file extension."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path


def new_document(title: str, centered: bool = False):
    """A python-docx Document in 宋体 with `title` as its title."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    heading = document.add_heading(title, level=0)
    if centered:
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def write_sheet(path: Path, title: str, sheet_name: str, columns: list[str], rows: Iterable[list],
                widths: list[int]) -> None:
    """One sheet: a bold header row, then the rows, wrapped, with the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.properties.title = title
    book.save(path)


def write_by_extension(path: Path, writers: dict[str, Callable[[Path], None]]) -> Path:
    """Call the writer for the file's extension; a Chinese error names the extensions allowed."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in writers:
        allowed = "、".join(f".{s}" for s in writers)
        raise ValueError(f"不支持的导出格式：{path.suffix or '（无扩展名）'}，请使用 {allowed}。")
    path.parent.mkdir(parents=True, exist_ok=True)
    writers[suffix](path)
    return path
