"""Answers to a batch of questions as files an office keeps: Markdown, JSONL (the contract), Excel
and Word. Every answer keeps its citations (《title》(version) article, the quoted text); a comparison
("A和B的区别") is laid out as a two-column table (Word, Markdown) or two columns (Excel).

    export([(id, answer), ...], Path("answers.docx"), "问答汇编")
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answer.models import Answer, Citation
from assistant.office import new_document, write_by_extension, write_sheet

FORMATS = ("jsonl", "md", "xlsx", "docx")
EXCEL_COLUMNS = ["编号", "问题", "回答", "出处", "对照：甲", "对照：乙", "是否找到依据"]


def _reference(c: Citation) -> str:
    return f"[{c.marker}] {c.reference}"


def comparison_rows(answer: Answer) -> list[tuple[str, str]] | None:
    """The two sides of a comparison, each as (term, "quote [n]"), or None for other answers."""
    if not answer.comparison:
        return None
    cited = {c.marker: c for c in answer.citations}
    rows = []
    for side in answer.comparison:
        c = cited.get(side.marker)
        rows.append((side.term, f"{c.quote} [{c.marker}]" if c else "知识库中未找到直接规定。"))
    return rows


def write_jsonl(items: list[tuple[object, Answer]], path: Path, title: str = "") -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for key, answer in items:
            handle.write(json.dumps({"id": key, **answer.contract()}, ensure_ascii=False) + "\n")


def _md_row(values: list[str]) -> str:
    return "| " + " | ".join(v.replace("|", "｜") for v in values) + " |"


def write_markdown(items: list[tuple[object, Answer]], path: Path, title: str) -> None:
    lines = [f"# {title}", ""]
    for key, answer in items:
        lines += [f"## {key}. {answer.question}", ""]
        sides = comparison_rows(answer)
        if sides:
            lines += ["| " + " | ".join(term for term, _ in sides) + " |", "|" + "---|" * len(sides),
                      "| " + " | ".join(text.replace("|", "｜").replace("\n", " ") for _, text in sides) + " |", ""]
        lines += [answer.answer, ""]
        if answer.citations:
            lines += ["出处：", ""]
            for c in answer.citations:
                lines.append(f"- {_reference(c)}")
                if c.table_row is not None:  # the cited row under its table's header
                    row = c.table_row
                    lines += ["", _md_row(row.header), "|" + "---|" * len(row.header), _md_row(row.cells), ""]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_xlsx(items: list[tuple[object, Answer]], path: Path, title: str) -> None:
    rows = []
    for key, answer in items:
        sides = comparison_rows(answer) or []
        columns = [f"{term}：{text}" for term, text in sides] + ["", ""]
        rows.append([key, answer.question, answer.answer, "\n".join(_reference(c) for c in answer.citations),
                     columns[0], columns[1], "否" if answer.refused else "是"])
    write_sheet(path, title, "问答", EXCEL_COLUMNS, rows, [8, 40, 80, 50, 40, 40, 10])


def write_docx(items: list[tuple[object, Answer]], path: Path, title: str) -> None:
    document = new_document(title)
    for key, answer in items:
        document.add_heading(f"{key}. {answer.question}", level=2)
        sides = comparison_rows(answer)
        if sides:
            table = document.add_table(rows=2, cols=len(sides))
            table.style = "Table Grid"
            for column, (term, text) in enumerate(sides):
                table.cell(0, column).paragraphs[0].add_run(term).bold = True
                table.cell(1, column).text = text
        for line in answer.answer.splitlines():
            if line.strip():
                document.add_paragraph(line)
        for c in answer.citations:
            document.add_paragraph(_reference(c), style="List Bullet")
            if c.table_row is not None:  # the cited row under its table's header
                table = document.add_table(rows=2, cols=len(c.table_row.header))
                table.style = "Table Grid"
                for column, name in enumerate(c.table_row.header):
                    table.cell(0, column).paragraphs[0].add_run(name).bold = True
                    table.cell(1, column).text = c.table_row.cells[column] if column < len(c.table_row.cells) else ""
    document.save(path)


def export(items: list[tuple[object, Answer]], path: Path, title: str = "问答汇编") -> Path:
    writers = {"jsonl": write_jsonl, "md": write_markdown, "xlsx": write_xlsx, "docx": write_docx}
    return write_by_extension(path, {ext: (lambda p, w=w: w(items, p, title)) for ext, w in writers.items()})
