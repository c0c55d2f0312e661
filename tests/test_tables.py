"""Tables kept as tables: in Markdown, DOCX, HTML and PDF (ruled, through pdfplumber) each data row
is a unit of its own with its table's caption and header, cited as "附件1 表1 第2行" (or "第九条 表1
第2行" when the table sits inside an article, which keeps its whole text); a question about a value
is answered with that row and the column it asks for; the sources panel, the exports and the
knowledge-base tab show the table. Fixtures: a text the team wrote (示例), and the real 2016
training-expense measures of ../shared (read from there), whose 第九条 holds a table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from assistant.answer.export import export
from assistant.answer.llm import build_messages
from assistant.cli import app
from assistant.web.render import TurnRecord, sources_html
from ingest.parse import parse_document
from tests.conftest import DEMO_CORPUS, SHARED_CORPUS

runner = CliRunner()

TITLE = "清风市示例会议费管理办法"
HEADER = ["会议类别", "住宿费", "伙食费", "其他费用", "合计"]
ROWS = [["一类会议", "450", "140", "60", "650"], ["二类会议", "360", "130", "50", "540"],
        ["三类会议", "300", "110", "40", "450"]]
CAPTION = "表1 会议费综合定额标准（单位：元/人天）"
BEFORE = [f"# {TITLE}", "（本文件为清风项目组编写的示例，不具有任何效力）",
          "第一条　为了规范示例会议费管理，制定本办法。",
          "第二条　会议费实行综合定额控制，各项费用在定额内统筹使用。会议费综合定额标准见附件表1。",
          "第三条　本办法自2024年1月1日起施行。", "附件1　会议费综合定额标准", CAPTION]
AFTER = ["注：本表数额为清风项目组编写的示例，不具有任何效力。"]


def markdown() -> str:
    table = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)] + ["| " + " | ".join(r) + " |" for r in ROWS]
    return "\n\n".join(BEFORE) + "\n\n" + "\n".join(table) + "\n\n" + "\n\n".join(AFTER) + "\n"


def word(path: Path) -> Path:
    document = docx.Document()
    for line in BEFORE:
        document.add_paragraph(line.lstrip("# "))
    table = document.add_table(rows=len(ROWS) + 1, cols=len(HEADER))
    table.style = "Table Grid"  # ruled, as such tables are printed
    for r, cells in enumerate([HEADER, *ROWS]):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    for line in AFTER:
        document.add_paragraph(line)
    document.save(path)
    return path


def html() -> str:
    cells = lambda tag, row: "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in row) + "</tr>"  # noqa: E731
    body = "".join(f"<p>{line.lstrip('# ')}</p>" for line in BEFORE[1:])
    table = f"<table><thead>{cells('th', HEADER)}</thead><tbody>{''.join(cells('td', r) for r in ROWS)}</tbody></table>"
    return f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>{body}{table}<p>{AFTER[0]}</p></body></html>"


def _parsed(path: Path):
    return parse_document(path, path.read_bytes())


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tables")
    (folder / "training.md").write_text(markdown(), encoding="utf-8")
    (folder / "training.html").write_text(html(), encoding="utf-8")
    word(folder / "training.docx")
    out = folder / "pdf"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                    "--outdir", str(out), str(folder / "training.docx")], check=True, capture_output=True, timeout=180)
    return {"md": folder / "training.md", "html": folder / "training.html", "docx": folder / "training.docx",
            "pdf": out / "training.pdf"}


@pytest.mark.parametrize("kind", ["md", "html", "docx", "pdf"])
def test_each_row_is_a_unit_with_its_caption_and_header(files, kind):
    doc = _parsed(files[kind])
    rows = doc.table_rows
    assert [(u.label, u.table_row.header, u.table_row.cells) for u in rows] == [
        (f"表1第{i}行", HEADER, cells) for i, cells in enumerate(ROWS, start=1)]
    assert {u.table_row.caption for u in rows} == {CAPTION}
    assert [a.label for a in doc.articles] == ["第一条", "第二条", "第三条"]
    assert all(HEADER[0] not in a.text and ROWS[0][-1] not in a.text for a in doc.articles)  # no flattened numbers
    assert doc.units[-1].text == AFTER[0]  # the note after the table is text again
    if kind in ("md", "docx", "pdf"):
        assert {u.heading[-1] for u in rows} == {"附件1 会议费综合定额标准"}


def test_pdf_rows_keep_their_page(files):
    doc = _parsed(files["pdf"])
    assert doc.page_count == 1 and {u.page_start for u in doc.table_rows} == {1}


def test_inspect_json_lists_the_tables(files):
    result = runner.invoke(app, ["inspect", "--json", str(files["docx"])])
    tables = json.loads(result.stdout)["tables"]
    assert [(t["table"], t["caption"], t["place"], t["name"], t["header"]) for t in tables] == [
        (1, CAPTION, "附件1 表1", f"附件1 {CAPTION}", HEADER)]
    assert [r["cells"] for r in tables[0]["rows"]] == ROWS


@pytest.fixture(scope="module")
def index(tmp_path_factory, files) -> Path:
    root = tmp_path_factory.mktemp("tables_index")
    shutil.copytree(DEMO_CORPUS, root / "docs")
    shutil.copy(files["md"], root / "docs" / "training.md")
    result = runner.invoke(app, ["ingest", str(root / "docs"), "--index", str(root / "index")])
    assert result.exit_code == 0, result.output
    return root / "index"


@pytest.fixture(scope="module")
def table_answerer(index):
    from assistant.answer import CANDIDATE_PASSAGES, Answerer
    from assistant.retrieval import ensure_search_index, make_retriever
    from ingest.store import Store

    store = Store(index)
    search_index, _ = ensure_search_index(store)
    return Answerer(store, make_retriever(search_index, top_k=CANDIDATE_PASSAGES, for_answers=True))


@pytest.mark.parametrize("question, row, lead", [
    ("一类会议每人每天综合定额多少？", 1, "一类会议：合计为650（元/人天）"),
    ("二类会议的住宿费标准是多少？", 2, "二类会议：住宿费为360（元/人天）"),
    ("三类会议伙食费和其他费用各多少钱？", 3, "三类会议：伙食费为110，其他费用为40（元/人天）"),
])
def test_a_value_question_is_answered_with_its_row_and_header(table_answerer, question, row, lead):
    answer = table_answerer.ask(question, use_llm=False)
    first = answer.citations[0]
    assert (first.title, first.place, first.table_row.row, first.table_row.header) == (TITLE, f"附件1 表1 第{row}行", row, HEADER)
    assert first.table_row.cells == ROWS[row - 1] and first.table_row.caption == CAPTION
    assert answer.lead == f"简要回答：{lead}[1]。"
    assert f"附件1 表1 第{row}行（会议费综合定额标准，单位：元/人天）：会议类别为{ROWS[row - 1][0]}，住宿费{ROWS[row - 1][1]}" in answer.answer
    assert answer.contract()["citations"][0]["table_row"]["cells"] == ROWS[row - 1]


def test_a_row_or_column_the_table_lacks_is_not_answered_with_another_row(table_answerer):
    missing_row = table_answerer.ask("四类会议的住宿费是多少？", use_llm=False)
    assert missing_row.refused and missing_row.citations == []
    assert f"《{TITLE}》附件1 {CAPTION}中没有“四类会议”（表中只有一类会议、二类会议、三类会议）" in missing_row.answer
    missing_column = table_answerer.ask("一类会议的讲课费是多少？", use_llm=False)
    assert not any(c.table_row is not None for c in missing_column.citations)
    assert "650" not in (missing_column.lead or "") and "合计" not in (missing_column.lead or "")


def test_the_sources_panel_and_the_exports_show_the_table(table_answerer, tmp_path):
    answer = table_answerer.ask("二类会议的住宿费标准是多少？", use_llm=False)
    panel = sources_html([TurnRecord(1, answer.question, answer, "id")])
    table = panel[panel.index('<table class="qf-table">'):panel.index("</table>")]
    assert f"<caption>{CAPTION}</caption>" in table
    assert "".join(f"<th>{h}</th>" for h in HEADER) in table
    assert '<tr class="qf-cited-row">' + "".join(f"<td>{c}</td>" for c in ROWS[1]) + "</tr>" in table
    export([(1, answer)], tmp_path / "a.md")
    assert "| 会议类别 | 住宿费 | 伙食费 | 其他费用 | 合计 |\n|---|---|---|---|---|\n| 二类会议 | 360 |" in (
        tmp_path / "a.md").read_text(encoding="utf-8")
    export([(1, answer)], tmp_path / "a.docx")
    [table] = docx.Document(tmp_path / "a.docx").tables
    assert [[c.text for c in r.cells] for r in table.rows] == [HEADER, ROWS[1]]
    # an optional LLM reads the row under its caption and header
    prompt = build_messages(answer.question, answer.citations)[1]["content"]
    assert f"[1] 《{TITLE}》（2024）附件1 表1 第2行\n{CAPTION}\n｜{'｜'.join(HEADER)}｜\n｜{'｜'.join(ROWS[1])}｜" in prompt


def test_the_article_browser_shows_each_table_once_as_a_table(index):
    from assistant.config import Settings
    from assistant.knowledge_base import KnowledgeBase
    from assistant.web.browse import units_html

    kb = KnowledgeBase(index, Settings(_env_file=None, index_dir=index, upload_dir=index.parent / "uploads"))
    try:
        page = units_html(kb, next(d.doc_id for d in kb.documents() if d.title == TITLE), None)
    finally:
        kb.close()
    assert page.count('<table class="qf-table">') == 1 and "｜" not in page
    table = page[page.index('<table class="qf-table">'):page.index("</table>")]
    assert table.count("<tr>") == 4 and "".join(f"<td>{c}</td>" for c in ROWS[2]) in table


SHARED_TRAINING = SHARED_CORPUS / "texts/central_state_organs_training_expense_measures_2016.md"


def shared_ninth_article() -> dict:
    """What the expectations read from ../shared's 2016 training-expense measures: the Markdown
    table inside its 第九条, the unit line above it, the sentence announcing it, and the last
    sentence of 第九条 after it (the file is read here, never copied into the repository)."""
    lines = [line.strip() for line in SHARED_TRAINING.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("第九条"))
    end = next(i for i, line in enumerate(lines) if line.startswith("第十条"))
    table = [i for i in range(start, end) if lines[i].startswith("|") and not lines[i].startswith("|-")]
    cells = [[c.strip() for c in lines[i][1:-1].split("|")] for i in table]
    return {"header": cells[0], "rows": cells[1:], "unit": lines[table[0] - 1],
            "announce": lines[start].rstrip("：").split("。")[-1], "after": lines[end - 1].split("。")[0]}


def test_a_table_inside_an_article_of_the_shared_corpus(answerer):
    """第九条 of the 2016 training-expense measures announces a table, which is followed by more of
    第九条: the rows are units of their own and the article keeps its whole text."""
    shared = shared_ninth_article()
    header, rows, first = shared["header"], shared["rows"], shared["rows"][0]
    caption = f"{shared['announce'].removesuffix('如下')}（{shared['unit']}）"
    doc = answerer.document(next(d.doc_id for d in answerer.catalog.documents.values() if d.title == "中央和国家机关培训费管理办法"))
    article = next(a for a in doc.articles if a.number == 9)
    assert shared["after"] in article.text and "｜" + "｜".join(first) + "｜" in article.text
    units = [u for u in doc.table_rows if article.start <= u.start < article.end]
    assert [(u.label, u.table_row.cells, u.table_row.caption) for u in units] == [
        (f"第九条表1第{i}行", row, caption) for i, row in enumerate(rows, start=1)]
    answer = answerer.ask(f"{first[0]}每人每天综合定额多少？", use_llm=False)
    assert [c.place for c in answer.citations[:2]] == ["第九条 表1 第1行", "第九条"]
    assert answer.lead == f"简要回答：{first[0]}：{header[-1]}为{first[-1]}（{shared['unit'].split('：')[1]}）[1]。"
    lookup = answerer.ask("中央和国家机关培训费管理办法第九条是怎么规定的？", use_llm=False)
    assert lookup.citations[0].place == "第九条" and shared["after"] in lookup.citations[0].quote
    # the sources panel shows the article with its table as a table, the quoted text marked
    panel = sources_html([TurnRecord(1, lookup.question, lookup, "id")])
    source = panel[panel.index('id="qf-src-1-1"'):]
    source = source[:source.index("</details>")]
    table = source[source.index('<table class="qf-table">'):source.index("</table>")]
    assert "".join(f"<th>{h}</th>" for h in header) in table and "".join(f"<td>{c}</td>" for c in first) in table
    assert "｜" not in source
    assert source.index(shared["announce"]) < source.index("<table") < source.index(shared["after"])
    assert "<mark>" in source[source.index("</table>"):]


def test_browser_sources_panel_and_knowledge_base_tab_show_the_table(files, tmp_path):
    """app.py on the demo corpus plus the table document: Chromium asks a value question and reads
    the table in the sources panel; the admin picks the document in the 知识库 tab and sees it."""
    from playwright.sync_api import sync_playwright

    from tests.test_web_app import ADMIN_PASSWORD, ADMIN_USER, CHROMIUM, CHROMIUM_ARGS, Page, _choose
    from tests.test_web_own_corpus import start, stop

    corpus = tmp_path / "corpus"
    shutil.copytree(DEMO_CORPUS, corpus)
    shutil.copy(files["docx"], corpus / "training.docx")
    process, config = start(corpus, tmp_path / "index", tmp_path / "app.log",
                            {"QINGFENG_ADMIN_USER": ADMIN_USER, "QINGFENG_ADMIN_PASSWORD": ADMIN_PASSWORD})
    from tests.test_access import _app_url

    url = _app_url(tmp_path / "app.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                from types import SimpleNamespace

                page = Page(browser, SimpleNamespace(url=url), "tables")
                pg = page.page
                answer = page.ask("二类会议的住宿费标准是多少？", turn=1)
                assert "二类会议：住宿费为360（元/人天）" in answer
                pg.locator("#qf-chat a.qf-cite").first.click()  # opens source [1] in the panel
                pg.wait_for_selector("#qf-src-1-1[open]")
                table = pg.locator("#qf-src-1-1 table.qf-table")
                assert table.locator("th").all_inner_texts() == HEADER
                assert table.locator("tr.qf-cited-row td").all_inner_texts() == ROWS[1]
                page.shot("sources-table")
                page.login()
                pg.wait_for_selector("#qf-documents")
                _choose(pg, "#qf-edit-doc", TITLE)
                pg.wait_for_selector("#qf-doc-tables-box table.qf-table")
                shown = pg.locator("#qf-doc-tables-box table.qf-table tbody tr")
                assert [shown.nth(i).locator("td").all_inner_texts() for i in range(shown.count())] == ROWS
                assert pg.inner_text("#qf-doc-tables-box caption") == f"附件1 {CAPTION}（3 行）"
                page.shot("kb-tables")
                page.close()
            finally:
                browser.close()
    finally:
        stop(process)
