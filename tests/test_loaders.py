"""Encodings, HTML, DOCX and normalisation, on real regulation text from ../shared."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK

from ingest.loaders import load_file
from ingest.models import LoadedFile
from ingest.normalize import clean_line, normalize
from ingest.parse import parse_document
from tests.conftest import SHARED_CORPUS

RECEPTION = SHARED_CORPUS / "texts/official_reception_rules_2013.md"  # 26 articles


def reception_text() -> str:
    return RECEPTION.read_text(encoding="utf-8").replace("# ", "", 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_encodings_are_detected(tmp_path: Path, encoding: str):
    text = reception_text()
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # without a BOM: left to detection
        assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    path = tmp_path / "接待规定.txt"  # the name says nothing about the encoding
    path.write_bytes(data)
    doc = parse_document(path, data)
    assert doc.meta.title == "党政机关国内公务接待管理规定"
    assert [a.number for a in doc.articles] == list(range(1, 27))
    article_10 = next(l for l in text.split("\n") if l.startswith("第十条"))
    assert article_10.split(" ", 1)[1][:30] in doc.text


def test_html_gives_visible_text_only(tmp_path: Path):
    paragraphs = "".join(f"<p>{line}</p>\n" for line in reception_text().split("\n") if line.strip())
    html = (
        "<html><head><title>页面标题不是正文</title><style>p{color:red}</style>"
        "<script>var secret = '第九十九条 脚本';</script></head>"
        f"<body><nav><script>alert('x')</script></nav>{paragraphs}<noscript>请启用脚本</noscript></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = parse_document(path, path.read_bytes())
    assert [a.number for a in doc.articles] == list(range(1, 27))
    for hidden in ("alert", "secret", "color:red", "请启用脚本", "页面标题不是正文"):
        assert hidden not in doc.text


def test_docx_paragraphs_and_tables_in_order_with_pages(tmp_path: Path):
    lines = [l for l in reception_text().split("\n") if l.strip()]
    document = docx.Document()
    for line in lines[:12]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "类别", "标准"
    table.cell(1, 0).text, table.cell(1, 1).text = "工作餐", "按当地标准"
    document.add_paragraph(lines[12]).runs[0].add_break(WD_BREAK.PAGE)
    for line in lines[13:]:
        document.add_paragraph(line)
    path = tmp_path / "规定.docx"
    document.save(path)
    doc = parse_document(path, path.read_bytes())
    assert [a.number for a in doc.articles] == list(range(1, 27))
    table_at = doc.text.index("｜工作餐｜按当地标准｜")  # a table row, between the paragraphs around it
    assert doc.text.index(lines[11]) < table_at < doc.text.index(lines[12])
    [row] = doc.table_rows
    assert (row.table_row.header, row.table_row.cells, row.label) == (["类别", "标准"], ["工作餐", "按当地标准"], "第六条表1第1行")
    assert "｜工作餐｜按当地标准｜" in doc.articles[5].text  # the table stays in the article it sits in
    assert doc.page_count == 2
    last = doc.articles[-1]
    assert last.page_start == 2 and doc.articles[0].page_start == 1


def test_clean_line():
    assert clean_line("　　第一章　总　则") == "第一章 总则"
    assert clean_line("第三条　讲话 精神　ＡＢＣ１２３") == "第三条 讲话精神 ABC123"
    assert clean_line("目 录") == "目录"
    assert clean_line("Party  rules 2024") == "Party rules 2024"


def test_page_numbers_and_running_headers_are_dropped():
    body = reception_text().split("\n")
    body = [l for l in body if l.strip()]
    pages, size = [], 8
    for n in range(0, len(body), size):
        number = n // size + 1
        pages.append("\n".join(["党政机关国内公务接待管理规定", *body[n:n + size], f"- {number} -"]))
    loaded = LoadedFile(pages=pages, paged=True, file_type="pdf")
    text = normalize(loaded)
    assert text.text.count("党政机关国内公务接待管理规定") == 1  # the title, not the running header
    assert "- 3 -" not in text.text
    assert text.page_at(text.text.index(body[8][:20])) == 2


def test_hard_wrapped_text_file_is_rejoined(tmp_path: Path):
    article = "第十条 示例单位的来访人员原则上在食堂就餐。确有需要的，可以安排一次工作餐，陪同人员从严控制。"
    wrapped = "\n".join(article[i:i + 20] for i in range(0, len(article), 20))
    text = "\n".join(["某规定", *[wrapped.replace("第十条", f"第{n}条") for n in "一二三四五六七八九十"]])
    path = tmp_path / "wrapped.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_document(path, path.read_bytes())
    assert len(doc.articles) == 10
    assert all("\n" not in a.text for a in doc.articles)


def test_loaded_pdf_keeps_one_text_per_page():
    path = SHARED_CORPUS / "pdf/constitution_prc_2018.pdf"
    loaded = load_file(path, path.read_bytes())
    assert loaded.paged and len(loaded.pages) == 17


def test_docx_in_memory_roundtrip_has_no_pages_without_breaks(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("示例文件")
    document.add_paragraph("第一条 本办法适用于示例单位。")
    document.add_paragraph("第二条 本办法自印发之日起施行。")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = parse_document(tmp_path / "a.docx", buffer.getvalue())
    assert doc.page_count is None and doc.articles[0].page_start is None
    assert [a.number for a in doc.articles] == [1, 2]
