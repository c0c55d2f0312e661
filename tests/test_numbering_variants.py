"""Article numbering met in real laws outside this project, on texts the team wrote (示例):
第X条之一 articles (刑法-style amendments), a revision history wrapped so that a line starts with
"第三十一条的决定》", 一、-numbered section headings of a judicial interpretation, an 附件 list
after the last article, 【bracketed headings】, Arabic 第4条, 附则 without 章, 目录 after a preamble,
and the 1..N check."""

from __future__ import annotations

import json
from pathlib import Path

import cn2an
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import parse_text

runner = CliRunner()

PROPERTY_TITLE = "清风市示例物业管理条例"
PROPERTY = f"""{PROPERTY_TITLE}

（2010年3月1日清风市人大常委会通过　根据2015年6月1日《清风市人大常委会关于修改〈{PROPERTY_TITLE}〉
第三十一条的决定》第一次修正　根据2020年5月1日决定第二次修正）

本条例为示例文本，由清风项目组编写，仅用于测试。

目录
第一章　总则
第二章　管理
附则

第一章　总则
第一条为了规范示例物业管理，制定本条例。
第二条本条例适用于本市行政区域内的示例物业管理活动。
第二章　管理
第三条【管理主体】业主委员会负责小区日常管理。
第三条之一【备案】业主委员会应当自成立之日起三十日内向街道办事处备案。
第三条之二　备案材料包括下列内容：
（一）业主大会成立决议；
（二）业主委员会成员名单。
第4条　物业服务企业应当在小区显著位置公示收费标准。
第五条依照第三条之一的规定备案后，街道办事处应当出具回执。
附则
第六条　本条例自2020年5月1日起施行。
附件：1.业主委员会备案表 2.物业服务收费公示表 3.物业服务合同示范文本（本附件列表较长，超过四十个字，用来检验附件列表不会并入最后一条）
1.业主委员会备案表
姓名、职务、联系方式。
"""

INTERPRETATION = """最高人民法院关于审理示例买卖合同纠纷案件适用法律问题的解释（示例）

为正确审理示例买卖合同纠纷案件，制定本解释（清风项目组编写的示例）。

一、买卖合同的成立
第一条　当事人之间没有书面合同，一方以送货单主张存在买卖合同关系的，人民法院应当结合其他证据认定。
第二条　当事人签订认购书约定将来订立买卖合同的，应当认定为预约合同。
二、标的物交付和所有权转移
第三条　标的物为无需以有形载体交付的电子信息产品的，以约定的交付方式为准。
第四条　出卖人仅以增值税发票主张已经履行交付义务的，不予支持。
三、附则
第五条　本解释自公布之日起施行。
"""


def test_inserted_articles_and_the_other_variants_parse_article_by_article(tmp_path):
    doc = parse_text(tmp_path, "property.md", PROPERTY)
    articles = [(u.label, u.number, u.suffix) for u in doc.articles]
    assert articles == [
        ("第一条", 1, None), ("第二条", 2, None), ("第三条", 3, None), ("第三条之一", 3, 1),
        ("第三条之二", 3, 2), ("第4条", 4, None), ("第五条", 5, None), ("第六条", 6, None),
    ]
    by_label = {u.label: u for u in doc.articles}
    assert by_label["第三条之一"].text.endswith("三十日内向街道办事处备案。")
    assert "第三条之一的规定" in by_label["第五条"].text  # a reference to it opens nothing
    assert [c.index for c in by_label["第三条之二"].clauses] == [1]
    assert [i.label for i in by_label["第三条之二"].clauses[0].items] == ["（一）", "（二）"]
    # the revision history stays out of the articles; the contents list is not content
    assert not any("第一次修正" in u.text for u in doc.articles)
    assert doc.toc is not None and doc.text[doc.toc[0]:doc.toc[1]].startswith("目录")
    assert [h.text for h in doc.headings].count("第二章 管理") == 1
    # 附则 without 章 is a heading; the 附件 list after the last article is not part of it
    assert by_label["第六条"].heading == ["附则"]
    assert by_label["第六条"].text == "第六条 本条例自2020年5月1日起施行。"
    assert [h.kind for h in doc.headings][-1] == "附件"
    assert doc.warnings == []


def test_a_wrapped_revision_history_line_opens_no_article(tmp_path):
    history = ("（1984年9月20日第六届全国人民代表大会常务委员会第七次会议通过　根据2009年8月27日第十一届全国人民代表大会"
               "常务委员会第十次会议《关于修改部分法律\n第三十一条的决定》第一次修正　2019年12月28日修订）")
    body = "\n".join(f"第{cn2an.an2cn(n)}条为了示例第{n}项规则，制定本条。" for n in range(1, 36))
    doc = parse_text(tmp_path, "forest.md", f"中华示例森林保护法（示例）\n\n{history}\n\n{body}\n")
    assert [u.number for u in doc.articles] == list(range(1, 36))
    assert doc.warnings == []


def test_section_headings_of_an_interpretation_are_headings_not_article_text(tmp_path):
    doc = parse_text(tmp_path, "interpretation.md", INTERPRETATION)
    assert [(u.number, u.heading) for u in doc.articles] == [
        (1, ["一、买卖合同的成立"]), (2, ["一、买卖合同的成立"]),
        (3, ["二、标的物交付和所有权转移"]), (4, ["二、标的物交付和所有权转移"]), (5, ["三、附则"]),
    ]
    assert doc.articles[1].text.endswith("应当认定为预约合同。")


def test_a_gap_in_the_numbers_is_warned(tmp_path):
    text = "示例规定\n\n" + "\n".join(f"第{cn2an.an2cn(n)}条　示例内容{n}。" for n in (1, 2, 4, 5))
    doc = parse_text(tmp_path, "gap.md", text)
    assert [u.number for u in doc.articles] == [1, 2, 4, 5]
    assert doc.warnings == ["缺少第三条（共 1 条），请核对原文是否完整。"]


@pytest.fixture(scope="module")
def property_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("numbering")
    (root / "docs").mkdir()
    (root / "docs" / "property.md").write_text(PROPERTY, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(root / "docs"), "--index", str(root / "index")])
    assert result.exit_code == 0, result.output
    return root / "index"


def _ask(index: Path, question: str) -> dict:
    result = runner.invoke(app, ["ask", "--index", str(index), "--json", "--no-llm", question])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_inserted_article_is_looked_up_and_cited_by_its_label(property_index):
    answer = _ask(property_index, f"{PROPERTY_TITLE}第三条之一是怎么规定的？")
    first = answer["citations"][0]
    assert (first["article"], first["article_suffix"], first["article_label"], first["place"]) == (3, 1, "第三条之一", "第三条之一")
    assert "三十日内向街道办事处备案" in first["quote"]
    assert "第三条之一" in answer["answer"]
    plain = _ask(property_index, f"{PROPERTY_TITLE}第三条是怎么规定的？")["citations"][0]
    assert (plain["article"], plain["article_suffix"], plain["article_label"]) == (3, None, "第三条")
    assert "日常管理" in plain["quote"]


def test_inspect_json_gives_the_suffix(property_index):
    result = runner.invoke(app, ["inspect", "--json", str(property_index.parent / "docs" / "property.md")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(a["label"], a["number"], a["suffix"]) for a in doc["articles"]][2:5] == [
        ("第三条", 3, None), ("第三条之一", 3, 1), ("第三条之二", 3, 2)]
