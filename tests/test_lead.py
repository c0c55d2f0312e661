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


RECEPTION = "第十四条 接待对象在10人以内的，陪餐人数不得超过3人；超过10人的，不得超过接待对象人数的三分之一。"
SANCTION = ("第九十七条 收受礼品、礼金，情节较轻的，给予警告或者严重警告处分；情节较重的，给予撤销党内职务或者留党察看处分；"
            "情节严重的，给予开除党籍处分。")


def test_a_number_comes_with_its_condition():
    c = citation(RECEPTION, RECEPTION.split(" ", 1)[1])
    lead = lead_for("接待对象8人，陪餐最多几人？", Kind.STANDARD, [c])
    assert lead.text == "简要回答：接待对象在10人以内的，陪餐人数不得超过3人[1]。"


def test_a_sanction_lists_its_range_with_the_circumstances():
    c = citation(SANCTION, SANCTION.split(" ", 1)[1])
    lead = lead_for("收受礼金给予什么处分？", Kind.SANCTION, [c])
    assert lead.clauses[:2] == ["情节较轻的", "给予警告或者严重警告处分"]
    assert "情节严重的，给予开除党籍处分" in lead.text


def test_yes_no_gets_a_verdict_only_when_the_modal_answers_it():
    rule = "第五条 党员领导干部不得违反规定在企业兼职。"
    c = citation(rule, rule.split(" ", 1)[1])
    assert lead_for("领导干部可以在企业兼职吗？", Kind.OBLIGATION, [c]).verdict == "不可以"
    duty = "第六条 接待单位应当严格控制陪餐人数。"
    d = citation(duty, duty.split(" ", 1)[1])
    assert lead_for("接待能不能多安排陪餐？", Kind.OBLIGATION, [d]).verdict is None  # 应当 does not answer 能不能
    assert lead_for("要不要控制陪餐人数？", Kind.OBLIGATION, [d]).verdict == "需要"


def test_an_unsettling_text_is_said_to_be_so():
    text = "第三条 公务接待应当坚持有利公务、务实节俭的原则。"
    c = citation(text, text.split(" ", 1)[1])
    lead = lead_for("接待最多几个人陪餐？", Kind.STANDARD, [c])
    assert not lead.settled and lead.text == PREFIX + UNSETTLED
    assert Lead().verified([c])
