"""Quiz exports: Word (a paper, then 参考答案与解析), Excel (one row per item, the layout exam
systems import), JSON (the contract) and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.office import new_document, write_by_extension, write_sheet
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


def stem_line(number: int, item: QuizItem) -> str:
    tail = "（　　）" if item.type == "judge" else ""
    return f"{number}. {item.stem}{tail}"


def write_json(items: list[QuizItem], path: Path, title: str = "") -> None:
    path.write_text(json.dumps([i.contract() for i in items], ensure_ascii=False, indent=1), encoding="utf-8")


def write_markdown(items: list[QuizItem], path: Path, title: str) -> None:
    lines = [f"# {title}", ""]
    for heading, numbered in sections(items):
        lines += [f"## {heading}", ""]
        for number, item in numbered:
            lines.append(stem_line(number, item))
            lines += [f"   - {k}. {v}" for k, v in item.options.items()]
            lines.append("")
    lines += ["## 参考答案与解析", ""]
    for _, numbered in sections(items):
        for number, item in numbered:
            lines.append(f"{number}. 答案：{item.answer_text}。{reasoning(item)}（出处：{item.citation.reference}；"
                         f"难度：{DIFFICULTY_NAMES[item.difficulty]}）")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def reasoning(item: QuizItem) -> str:
    """The explanation after the key, without repeating the key (a true/false item's explanation
    opens with 正确。/错误。, which the key line already says)."""
    return item.explanation.removeprefix(f"{item.answer_text}。")


def write_docx(items: list[QuizItem], path: Path, title: str) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    document = new_document(title, centered=True)
    document.add_paragraph("姓名：__________  单位：__________  得分：__________")
    for section, numbered in sections(items):
        document.add_heading(section, level=1)
        for number, item in numbered:
            document.add_paragraph(stem_line(number, item))
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
            document.add_paragraph(f"解析：{reasoning(item)}")
            document.add_paragraph(f"出处：{item.citation.reference}")
    document.save(path)


def write_xlsx(items: list[QuizItem], path: Path, title: str) -> None:
    rows = ([TYPE_NAMES[i.type], i.stem, *[i.options.get(k, "") for k in "ABCDE"], i.answer_text, i.explanation,
             i.citation.reference, DIFFICULTY_NAMES[i.difficulty]] for i in items)
    write_sheet(path, title, "题库", EXCEL_COLUMNS, rows, [8, 60, 20, 20, 20, 20, 20, 10, 60, 30, 6])


def export(items: list[QuizItem], path: Path, title: str = "党纪法规知识测试") -> Path:
    """Write the items in the format the file name asks for (.docx, .xlsx, .json or .md)."""
    writers = {"docx": write_docx, "xlsx": write_xlsx, "json": write_json, "md": write_markdown}
    return write_by_extension(path, {ext: (lambda p, w=w: w(items, p, title)) for ext, w in writers.items()})
