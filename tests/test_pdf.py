"""The two real PDFs: articles with the page each starts on, pinned against the PDF by hand."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_file
from ingest.normalize import normalize
from ingest.parse import parse_document
from tests.conftest import SHARED_CORPUS

CIVIL_SERVANT_PDF = SHARED_CORPUS / "pdf/civil_servant_law_2018.pdf"
CONSTITUTION_PDF = SHARED_CORPUS / "pdf/constitution_prc_2018.pdf"


def parse(path: Path):
    return parse_document(path, path.read_bytes())


def test_civil_servant_law_pdf_articles_and_pages():
    doc = parse(CIVIL_SERVANT_PDF)
    articles = {a.number: a for a in doc.articles}
    assert sorted(articles) == list(range(1, 114))
    assert doc.page_count == 14
    # (article, first page, last page), read off the PDF page by page.
    pinned = [(1, 1, 1), (3, 1, 2), (4, 2, 2), (32, 4, 5), (46, 5, 6), (56, 7, 7), (69, 9, 9),
              (87, 10, 11), (102, 13, 13), (110, 14, 14), (113, 14, 14)]
    for number, first, last in pinned:
        assert (articles[number].page_start, articles[number].page_end) == (first, last), number
    # Hard line-wraps are joined: an article that wraps in the PDF reads as one paragraph.
    assert "建设信念坚定" in articles[1].text and "\n" not in articles[1].text
    # ...while its real paragraphs (款) and items (项) stay apart.
    assert len(articles[2].clauses) == 2
    assert [i.label for i in articles[13].clauses[0].items] == [f"（{n}）" for n in "一二三四五六七"]
    # Chapter headings come from the body, not from the table of contents on page 1.
    chapter_11 = next(h for h in doc.headings if h.text == "第十一章 交流与回避")
    assert chapter_11.page == 8 and articles[69].heading == ["第十一章 交流与回避"]
    assert doc.toc is not None and [h.text for h in doc.headings].count("第一章 总则") == 1


def test_constitution_pdf():
    doc = parse(CONSTITUTION_PDF)
    articles = {a.number: a for a in doc.articles}
    assert sorted(articles) == list(range(1, 144))
    assert articles[95].page_start == 14
    assert articles[95].heading[-1] == "第五节 地方各级人民代表大会和地方各级人民政府"
    # The preamble (序言) is content under its own heading, before article 1.
    preamble = [u for u in doc.units if u.heading == ["序言"]]
    assert preamble and preamble[0].page_start == 1 and "中国是世界上历史最悠久的国家之一" in preamble[0].text


def test_page_map_points_back_to_the_pdf_page():
    loaded = load_file(CIVIL_SERVANT_PDF, CIVIL_SERVANT_PDF.read_bytes())
    text = normalize(loaded)
    offset = 0
    for page_number, raw in enumerate(loaded.pages, start=1):
        first_line = raw.strip().split("\n")[0].strip()
        offset = text.text.find(first_line[:30], offset)  # in reading order, past the TOC
        assert offset >= 0 and text.page_at(offset) == page_number
        last_line = raw.strip().split("\n")[-1].strip()
        assert text.page_at(text.text.find(last_line[-30:], offset)) == page_number
