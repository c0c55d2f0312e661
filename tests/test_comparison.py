"""Comparison questions ("A和B有什么区别"): both sides found, each cited, laid side by side. The
questions are the team's own (tests/data/comparison_questions.jsonl), asked of ../shared/corpus."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answer.comparison import comparison_sides
from assistant.web.render import answer_html

QUESTIONS = [json.loads(line) for line in
             (Path(__file__).parent / "data" / "comparison_questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def test_the_sides_are_read_from_the_question():
    sides = comparison_sides("党纪处分中，降级和撤职有什么不同？")
    assert (sides.a, sides.b, sides.context) == ("降级", "撤职", "党纪处分中")
    sides = comparison_sides("违规占用公物行为与职务侵占罪应当如何区分？")
    assert (sides.a, sides.b) == ("违规占用公物行为", "职务侵占罪")
    # 与 compares; 和 inside a side joins its items
    sides = comparison_sides("为他人谋取利益，配偶和子女收受财物行为与利用影响力受贿罪应当如何区分？")
    assert (sides.a, sides.b, sides.context) == ("配偶和子女收受财物行为", "利用影响力受贿罪", "为他人谋取利益")
    # the ask after a comma; a numbered sub-question; an article quoted before is not context
    sides = comparison_sides("违规兼职取酬行为与违规经商办企业行为，两者应当如何区分？")
    assert (sides.a, sides.b) == ("违规兼职取酬行为", "违规经商办企业行为")
    sides = comparison_sides("条例写有“给予警告或者严重警告处分”。请问：1.警告和严重警告有什么不同？2.怎么把握？")
    assert (sides.a, sides.b, sides.context) == ("警告", "严重警告", "")
    assert comparison_sides("新条例施行前发生的违纪行为，适用新条例还是旧规定？") is None  # which rule applies
    assert comparison_sides("一名科长利用上下级关系与下属发生不正当性关系，应当怎么处分？") is None
    assert comparison_sides("亲属和其他特定关系人收受财物的，如何处理？") is None
    assert comparison_sides("接待对象8人以内，陪餐人员最多几人？") is None
    assert comparison_sides("什么是公务接待？") is None


def test_team_comparison_questions_cite_both_sides(answerer):
    assert len(QUESTIONS) >= 20
    both = []
    for q in QUESTIONS:
        answer = answerer.ask(q["question"], use_llm=False)
        if answer.kind != "comparison":
            # the whole question was refused first (the same checks as any question), or no side's
            # lookup cited an article naming it, and the question was answered as a whole
            assert answer.refused or comparison_sides(q["question"]) is not None, q["question"]
            both.append(False)
            continue
        assert len(answer.comparison) == 2, q["question"]
        cited = {c.marker: c for c in answer.citations}
        ok = True
        for side, term in zip(answer.comparison, q["sides"]):
            c = cited.get(side.marker)
            # the side's citation states the side (its term is in the article), and the answer names it
            ok &= c is not None and term in c.text and f"[{c.marker}]" in answer.answer
        both.append(ok)
    # measured 2026-12-03: 18 of 22. The misses: 培训费/会议费 refused as a whole (no number found);
    # 调整职务, the 监察官 权利 and the 事业单位 警告/记过 pair cited from articles not naming the side.
    print(f"{sum(both)}/{len(both)} cite both sides")
    assert sum(both) >= 17, f"{sum(both)}/{len(both)} cite both sides"


def test_a_side_the_documents_do_not_name_is_not_found(answerer):
    # 诈骗罪 is a crime of the criminal law, which no document of the corpus names.
    answer = answerer.ask("党员利用职务上的影响向管理服务对象借钱不还行为与诈骗罪应当如何区分？", use_llm=False)
    assert answer.kind == "comparison"
    conduct, crime = answer.comparison
    assert conduct.marker == 1 and "中国共产党纪律处分条例" in answer.citations[0].title
    assert crime.marker is None and "诈骗罪：知识库中未找到直接规定。" in answer.answer
    # … while 利用影响力受贿罪 is named (监察法实施条例 lists the crimes 监察机关 investigate).
    answer = answerer.ask("为他人谋取利益，配偶和子女收受财物行为与利用影响力受贿罪应当如何区分？", use_llm=False)
    assert [c.article for c in answer.citations] == [94, 26]
    assert all(side.term in answer.citations[side.marker - 1].text or side.term.endswith("行为")
               for side in answer.comparison)


def test_the_web_app_lays_the_sides_side_by_side(answerer):
    answer = answerer.ask("从轻处分与减轻处分有什么区别？", use_llm=False)
    html = answer_html(answer, turn=1)
    assert '<table class="qf-compare">' in html
    assert "<th>从轻处分</th><th>减轻处分</th>" in html
    for side in answer.comparison:
        assert f'href="#qf-src-1-{side.marker}"' in html


def test_batch_answers_exported_with_the_comparison_as_a_table(shared_index, tmp_path):
    """`qingfeng ask --batch --out answers.docx|.xlsx|.md`: a comparison is a two-column table."""
    from docx import Document
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from assistant.cli.commands import app

    store, _ = shared_index
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": 1, "question": "从轻处分与减轻处分有什么区别？"},
        {"id": 2, "question": "股票交易的印花税税率现在是多少？"},
    ]) + "\n", encoding="utf-8")
    for suffix in ("docx", "xlsx", "md"):
        out = tmp_path / f"answers.{suffix}"
        result = CliRunner().invoke(app, ["ask", "--index", str(store.dir), "--batch", str(questions), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "其中 1 个未找到依据" in result.output
    table = Document(str(tmp_path / "answers.docx")).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["从轻处分", "减轻处分"]
    assert "从轻处分，是指" in table.rows[1].cells[0].text and "[1]" in table.rows[1].cells[0].text
    assert "减轻处分，是指" in table.rows[1].cells[1].text and "[2]" in table.rows[1].cells[1].text
    sheet = load_workbook(tmp_path / "answers.xlsx").active
    header = [cell.value for cell in sheet[1]]
    first, second = [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]
    assert first["对照：甲"].startswith("从轻处分：") and first["对照：乙"].startswith("减轻处分：")
    assert "中国共产党纪律处分条例》（2023" in first["出处"] and second["是否找到依据"] == "否"
    markdown = (tmp_path / "answers.md").read_text(encoding="utf-8")
    assert "| 从轻处分 | 减轻处分 |" in markdown and "## 2. 股票交易的印花税税率现在是多少？" in markdown
    result = CliRunner().invoke(app, ["ask", "--index", str(store.dir), "--batch", str(questions),
                                      "--out", str(tmp_path / "answers.pdf")])
    assert result.exit_code == 2 and ".docx" in result.output
