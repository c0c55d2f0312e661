"""The direct first sentence ("简要回答：…"): on both dev sets every answer to a standard, yes/no,
sanction, procedure or definition question opens with one, and every clause it states is found in
the cited article it names (questions are read from ../shared at run time, never copied here)."""

from __future__ import annotations

import re

import pytest

from assistant.answer.answerer import COMPARISON
from assistant.answer.lead import PREFIX, UNSETTLED, Lead, lead_for, needs_lead
from assistant.answer.models import Citation
from assistant.retrieval.question_kind import Kind
from tests.test_retrieval_quality import load


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Floors below the measured shares of settled leads (synthetic 0.873 of 71, ccdi 0.571 of 28).
@pytest.mark.parametrize("devset, floor", [("synthetic_dev.jsonl", 0.8), ("ccdi_dev.jsonl", 0.5)])
def test_answers_open_with_a_direct_sentence_from_the_cited_text(answerer, devset, floor):
    checked = settled = 0
    for item in load(devset):
        answer = answerer.ask(item["question"], use_llm=False)
        if answer.refused or answer.kind == COMPARISON or not needs_lead(answer.resolved_question, Kind(answer.kind)):
            continue
        checked += 1
        assert answer.lead and answer.answer.startswith(answer.lead), item["id"]
        lead = lead_for(answer.resolved_question, Kind(answer.kind), answer.citations)
        assert lead.text == answer.lead
        if lead.settled:
            settled += 1
            cited = next(c for c in answer.citations if c.marker == lead.marker)
            for clause in lead.clauses:  # every clause, verbatim, in the article it cites
                assert squash(clause) in squash(cited.text), (item["id"], clause)
            # the lead's own words are only the prefix, the verdict and punctuation
            rest = answer.lead.removeprefix(PREFIX).removesuffix(f"[{lead.marker}]。")
            if lead.verdict:
                rest = rest.removeprefix(lead.verdict + "。")
            for clause in lead.clauses:
                rest = rest.replace(clause, "", 1)
            assert not re.sub(r"[，,；;：:、]", "", rest), (item["id"], rest)
        else:
            assert answer.lead == PREFIX + UNSETTLED
    assert checked >= 15
    assert settled >= floor * checked, f"{settled}/{checked} settled"


def citation(text: str, quoted: str, marker: int = 1) -> Citation:
    start = text.index(quoted)
    return Citation(marker=marker, source="s", title="t", version="2024", status="现行", article=1, quote=quoted,
                    text=text, spans=[(start, start + len(quoted))])


# Team-written sample articles (示例, not official text).
RECEPTION = "第十二条 来访人员在6人以内的，陪同就餐人员不得超过2人；超过6人的，不得超过来访人员的四分之一。"
SANCTION = "第四十条 违规收受土特产、购物卡，情节较轻的，给予警告处分；情节较重的，给予记过或者降级处分；情节严重的，给予撤职处分。"


def test_a_number_comes_with_its_condition():
    c = citation(RECEPTION, RECEPTION.split(" ", 1)[1])
    lead = lead_for("来访5人，最多几人陪同就餐？", Kind.STANDARD, [c])
    assert lead.text == "简要回答：来访人员在6人以内的，陪同就餐人员不得超过2人[1]。"


def test_a_sanction_lists_its_range_with_the_circumstances():
    c = citation(SANCTION, SANCTION.split(" ", 1)[1])
    lead = lead_for("收受购物卡给予什么处理？", Kind.SANCTION, [c])
    assert lead.clauses[:2] == ["情节较轻的", "给予警告处分"]
    assert "情节严重的，给予撤职处分" in lead.text


def test_yes_no_gets_a_verdict_only_when_the_modal_answers_it():
    rule = "第五条 本单位工作人员不得在外部培训机构兼课取酬。"
    c = citation(rule, rule.split(" ", 1)[1])
    assert lead_for("工作人员可以在培训机构兼课吗？", Kind.OBLIGATION, [c]).verdict == "不可以"
    duty = "第六条 承办部门应当严格控制陪同就餐人数。"
    d = citation(duty, duty.split(" ", 1)[1])
    assert lead_for("承办部门能不能多安排陪同就餐？", Kind.OBLIGATION, [d]).verdict is None  # 应当 does not answer 能不能
    assert lead_for("要不要控制陪同就餐人数？", Kind.OBLIGATION, [d]).verdict == "需要"


def test_an_unsettling_text_is_said_to_be_so():
    text = "第三条 来访接待应当坚持简朴、务实的做法。"
    c = citation(text, text.split(" ", 1)[1])
    lead = lead_for("来访接待最多几个人陪同就餐？", Kind.STANDARD, [c])
    assert not lead.settled and lead.text == PREFIX + UNSETTLED
    assert Lead().verified([c])
