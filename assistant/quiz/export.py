"""Quiz exports: Word (a paper, then 参考答案与解析), Excel (one row per item, the layout exam
systems import), JSON (the contract) and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.quiz.models import DIFFICULTY_NAMES, TYPE_NAMES, QuizItem

SECTION_ORDER = ("single", "multiple", "judge", "blank")
SECTION_NUMBERS = "一二三四"
EXCEL_COLUMNS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "解析", "出处", "难度"]
FORMATS = ("docx", "xlsx", "json", "md")


def sections(items: list[QuizItem]) -> list[tuple[str, list[tuple[int, QuizItem]]]]:
    """(section heading, [(number, item)]) in paper order, numbered through the paper."""
    out, number = [], 0
    present = [t for t in SECTION_ORDER if any(i.type == t for i in items)]
    for index, kind in enumerate(present):
        numbered = []
        for item in (i for i in items if i.type == kind):
            number += 1
            numbered.append((number, item))
        out.append((f"{SECTION_NUMBERS[index]}、{TYPE_NAMES[kind]}", numbered))
    return out


def _stem_line(number: int, item: QuizItem) -> str:
    tail = "（　　）" if item.type == "judge" else ""
    return f"{number}. {item.stem}{tail}"


def write_json(items: list[QuizItem], path: Path, title: str = "") -> None:
    path.write_text(json.dumps([i.contract() for i in items], ensure_ascii=False, indent=1), encoding="utf-8")


def write_markdown(items: list[QuizItem], path: Path, title: str) -> None:
    lines = [f"# {title}", ""]
    for heading, numbered in sections(items):
        lines += [f"## {heading}", ""]
        for number, item in numbered:
            lines.append(_stem_line(number, item))
            lines += [f"   - {k}. {v}" for k, v in item.options.items()]
            lines.append("")
    lines += ["## 参考答案与解析", ""]
    for _, numbered in sections(items):
        for number, item in numbered:
            lines.append(f"{number}. 答案：{item.answer_text}。{item.explanation}（出处：{item.citation.reference}；"
                         f"难度：{DIFFICULTY_NAMES[item.difficulty]}）")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_docx(items: list[QuizItem], path: Path, title: str) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("姓名：__________  单位：__________  得分：__________")
    for section, numbered in sections(items):
        document.add_heading(section, level=1)
        for number, item in numbered:
            document.add_paragraph(_stem_line(number, item))
            for key, value in item.options.items():
                option = document.add_paragraph(f"{key}. {value}")
                option.paragraph_format.left_indent = Pt(18)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("参考答案与解析", level=1)
    for _, numbered in sections(items):
        for number, item in numbered:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{number}. 答案：{item.answer_text}").bold = True
            paragraph.add_run(f"（{DIFFICULTY_NAMES[item.difficulty]}）")
            document.add_paragraph(f"解析：{item.explanation}")
            document.add_paragraph(f"出处：{item.citation.reference}")
    document.save(path)


def write_xlsx(items: list[QuizItem], path: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(EXCEL_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        options = [item.options.get(letter, "") for letter in "ABCDE"]
        sheet.append([TYPE_NAMES[item.type], item.stem, *options, item.answer_text, item.explanation,
                      item.citation.reference, DIFFICULTY_NAMES[item.difficulty]])
    widths = [8, 60, 20, 20, 20, 20, 20, 10, 60, 30, 6]
    for column, width in zip("ABCDEFGHIJK", widths):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.properties.title = title
    book.save(path)


def export(items: list[QuizItem], path: Path, title: str = "党纪法规知识测试") -> Path:
    """Write the items in the format the file name asks for (.docx, .xlsx, .json or .md)."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"不支持的导出格式：{path.suffix or '（无扩展名）'}，请使用 .docx、.xlsx、.json 或 .md。")
    path.parent.mkdir(parents=True, exist_ok=True)
    writers = {"docx": write_docx, "xlsx": write_xlsx, "json": write_json, "md": write_markdown}
    writers[suffix](items, path, title)
    return path
