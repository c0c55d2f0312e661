"""红头文件 (GB/T 9704 layout) on a text the team wrote (示例): 版头 (份号, 密级★保密期限, 紧急程度,
发文机关标志, 发文字号), title, 主送, 附件说明, 署名, 成文日期, 附注 and 版记 (抄送, 印发) are read
into the document's metadata, stay out of its content, are shown in citations, filter searches,
are edited in the knowledge base, and a question naming the 文号 finds the document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from assistant.knowledge_base import InputError, KnowledgeBase
from ingest.parse import parse_document
from ingest.red_header import normalize_doc_number
from tests.conftest import DEMO_CORPUS, parse_text

runner = CliRunner()

TITLE = "清风市纪律检查委员会关于规范示例公务用车使用管理的规定"
RED_HEADER = """000123
机密★1年
特急
清风市纪律检查委员会文件
清纪发〔2023〕5号

清风市纪律检查委员会关于规范示例
公务用车使用管理的规定
各区纪委监委，市纪委监委各派驻纪检监察组：
现将有关规定印发给你们（本文件为清风项目组编写的示例，不具有任何效力），请认真贯彻执行。
第一条　为了规范示例公务用车使用管理，制定本规定。
第二条　公务用车实行统一编号管理，车辆使用登记表应当于每月5日前报送。
第三条　严禁公车私用。节假日期间公务用车应当封存停放，确因工作需要使用的，须经单位主要负责人批准。
第四条　本规定自2023年6月1日起施行。

附件：1.公务用车使用登记表
      2.公务用车封存情况统计表

清风市纪律检查委员会
2023年5月10日
（此件发至县处级）
抄送：市委办公室，市政府办公室。
清风市纪委办公室　　2023年5月12日印发
"""
# A 上行文: the 签发人 on the 发文字号's line, the year bracket written [2024], a date in Chinese numerals.
REPORT = """清风市示例局文件
清示局〔2024〕12号　　　　签发人：王明

清风市示例局关于示例工作情况的报告
市人民政府：
一、基本情况
今年以来，我局按照示例要求开展工作（本文件为清风项目组编写的示例）。
二、下一步打算
继续做好示例工作。

清风市示例局
二〇二四年三月八日
"""


def test_the_header_and_footer_are_read_into_metadata_and_kept_out_of_the_content(tmp_path):
    doc = parse_text(tmp_path, "car.txt", RED_HEADER)
    m = doc.meta
    assert (m.title, m.doc_number, m.issuer, m.date, m.version) == (TITLE, "清纪发〔2023〕5号", "清风市纪律检查委员会",
                                                                   "2023-05-10", "2023")
    assert (m.secrecy, m.secrecy_term, m.urgency, m.issuer_mark) == ("机密", "1年", "特急", "清风市纪律检查委员会")
    assert m.recipients == "各区纪委监委，市纪委监委各派驻纪检监察组"
    assert (m.cc, m.printed_by, m.printed_date, m.remark) == ("市委办公室，市政府办公室", "清风市纪委办公室", "2023-05-12",
                                                              "此件发至县处级")
    assert m.attachments == ["公务用车使用登记表", "公务用车封存情况统计表"]
    assert [u.label for u in doc.articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert doc.articles[-1].text == "第四条 本规定自2023年6月1日起施行。"
    content = "".join(u.text for u in doc.units)
    for outside in ("000123", "机密", "抄送", "12日印发", "附件", "2023年5月10日", TITLE):
        assert outside not in content, outside
    assert any("密级“机密”" in w and "访问组" in w for w in doc.warnings)


def test_a_report_with_its_signer_and_a_docx_copy(tmp_path):
    doc = parse_text(tmp_path, "report.txt", REPORT.replace("〔2024〕", "[2024]"))
    m = doc.meta
    assert (m.title, m.doc_number, m.signer, m.issuer, m.date) == (
        "清风市示例局关于示例工作情况的报告", "清示局〔2024〕12号", "王明", "清风市示例局", "2024-03-08")
    assert m.recipients == "市人民政府" and m.secrecy is None
    assert [u.label for u in doc.units if u.label] == ["一、", "二、"]
    # the same document as a Word file
    document = docx.Document()
    for line in RED_HEADER.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "car.docx")
    word = parse_document(tmp_path / "car.docx", (tmp_path / "car.docx").read_bytes())
    assert (word.meta.title, word.meta.doc_number, word.meta.secrecy) == (TITLE, "清纪发〔2023〕5号", "机密")
    assert len(word.articles) == 4


def test_an_ordinary_text_with_a_doc_number_under_its_title_is_no_red_header(tmp_path):
    doc = parse_text(tmp_path, "plain.md", "清风示例差旅费管理办法\n\n财行〔2013〕531号\n\n第一条　为了规范示例差旅费管理，制定本办法。\n"
                                        "第二条　本办法自发布之日起施行。\n")
    assert (doc.meta.title, doc.meta.doc_number, doc.meta.secrecy) == ("清风示例差旅费管理办法", "财行〔2013〕531号", None)
    assert [normalize_doc_number(x) for x in ("财行[2013]531号", "财行（2013）531 号", "财行【2013】531号")] == ["财行〔2013〕531号"] * 3


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("red_header")
    shutil.copytree(DEMO_CORPUS, root / "docs")
    (root / "docs" / "car.txt").write_text(RED_HEADER, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(root / "docs"), "--index", str(root / "index")])
    assert result.exit_code == 0, result.output
    assert "密级“机密”" in result.output
    return root / "index"


def _ask(index: Path, question: str) -> dict:
    result = runner.invoke(app, ["ask", "--index", str(index), "--json", "--no-llm", question])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("written", ["清纪发〔2023〕5号", "清纪发[2023]5号", "请问清纪发（2023）5号"])
def test_a_question_naming_the_doc_number_cites_that_document(index, written):
    answer = _ask(index, f"{written}文件是关于什么的？")
    assert not answer["refused"]
    first = answer["citations"][0]
    assert (first["title"], first["doc_number"], first["article_label"], first["secrecy"]) == (
        TITLE, "清纪发〔2023〕5号", "第一条", "机密")
    assert first["quote"] == "为了规范示例公务用车使用管理，制定本规定。"
    assert answer["answer"].startswith(f"清纪发〔2023〕5号是《{TITLE}》（清风市纪律检查委员会，2023年5月10日）。")
    assert "附件：公务用车使用登记表；公务用车封存情况统计表。" in answer["answer"]


def test_a_question_about_the_documents_content_searches_it_alone(index):
    answer = _ask(index, "清纪发〔2023〕5号对节假日用车有什么要求？")
    assert {c["title"] for c in answer["citations"]} == {TITLE}
    assert answer["citations"][0]["article_label"] == "第三条" and "封存停放" in answer["citations"][0]["quote"]
    result = runner.invoke(app, ["ask", "--index", str(index), "--no-llm", "清纪发〔2023〕5号对节假日用车有什么要求？"])
    assert f"《{TITLE}》清纪发〔2023〕5号（2023，现行有效）第三条（机密）" in result.output.replace("\n", "")


def test_an_unknown_doc_number_is_refused_by_name(index):
    answer = _ask(index, "中纪发〔2018〕9号文件是关于什么的？")
    assert answer["refused"] and "知识库中没有文号为“中纪发〔2018〕9号”的文件" in answer["answer"]
    assert answer["citations"] == []


def test_search_filters_by_doc_number_and_issuer(index):
    def titles(*args):
        result = runner.invoke(app, ["search", "--index", str(index), "--json", "公务用车", *args])
        assert result.exit_code == 0, result.output
        return {r["title"] for r in json.loads(result.stdout)["results"]}

    assert titles("--doc", "清纪发[2023]5号") == {TITLE}
    assert titles("--issuer", "清风市纪律检查委员会") == {TITLE}
    assert TITLE not in titles("--issuer", "中共清风区纪委办公室")


def test_inspect_json_gives_the_red_header_fields(tmp_path):
    path = tmp_path / "car.txt"
    path.write_text(RED_HEADER, encoding="utf-8")
    result = runner.invoke(app, ["inspect", "--json", str(path)])
    data = json.loads(result.stdout)
    assert (data["doc_number"], data["secrecy"], data["secrecy_term"], data["printed_by"], data["attachments"]) == (
        "清纪发〔2023〕5号", "机密", "1年", "清风市纪委办公室", ["公务用车使用登记表", "公务用车封存情况统计表"])


def test_the_knowledge_base_edits_the_details_and_the_new_doc_number_finds_it(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "car.txt").write_text(RED_HEADER, encoding="utf-8")
    settings = Settings(_env_file=None, index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")
    assert runner.invoke(app, ["ingest", str(tmp_path / "docs"), "--index", str(settings.index_dir)]).exit_code == 0
    kb = KnowledgeBase(settings.index_dir, settings)
    try:
        doc_id = kb.documents()[0].doc_id
        with pytest.raises(InputError, match="密级只能是"):
            kb.edit(doc_id, TITLE, "2023", "现行有效", "法规", {"secrecy": "内部"})
        with pytest.raises(InputError, match="不是日期"):
            kb.edit(doc_id, TITLE, "2023", "现行有效", "法规", {"date": "五月"})
        job = kb.edit(doc_id, TITLE, "2023", "现行有效", "法规",
                      {"doc_number": "清纪发[2023]6号", "secrecy": "", "date": "2023年5月11日"})
        assert job.wait(120) and job.error is None, job.error
        assert "文号" in job.summary and "密级" in job.summary
        meta = kb.documents()[0].meta
        assert (meta.doc_number, meta.secrecy, meta.date) == ("清纪发〔2023〕6号", None, "2023-05-11")
        # a date written as the table shows it is kept as it is (the tab fills the box with it)
        assert kb.edit(doc_id, TITLE, "2023", "现行有效", "法规", {"date": "2023-05-12"}).wait(120)
        assert kb.documents()[0].meta.date == "2023-05-12"
    finally:
        kb.close()
    answer = _ask(settings.index_dir, "清纪发〔2023〕6号文件是关于什么的？")
    assert answer["citations"][0]["doc_number"] == "清纪发〔2023〕6号" and answer["citations"][0]["secrecy"] is None
    assert _ask(settings.index_dir, "清纪发〔2023〕5号文件是关于什么的？")["refused"]
