"""FAQ questions read as a person would ask them (issue 14, item 9): the rule's whole sentence
turned into a question in place, no word of it dropped, never cut at a comma, in varied forms.
Real inputs: every document of ../shared/corpus, parsed."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from assistant.faq.questions import keeps_source_words, questions_for
from assistant.quiz.facts import without_label
from ingest.parse import parse_document
from tests.conftest import shared_texts


@pytest.fixture(scope="module")
def generated():
    """(document title, article label, question) for every article of the shared corpus."""
    out = []
    for path in shared_texts():
        doc = parse_document(path, path.read_bytes())
        for unit in doc.units:
            out += [(doc.meta.title, unit.label, q) for q in questions_for(doc.text[unit.start:unit.end])]
    return out


def _asked(generated, title: str, label: str) -> list[str]:
    return [q.text for t, l, q in generated if t == title and l == label]


def test_the_reported_awkward_questions_are_gone_and_read_whole(generated):
    reception = [q.text for t, _, q in generated if t == "党政机关国内公务接待管理规定"]
    for awkward in ("尽可能缩小警戒范围，可以清场闭馆吗？", "审计部门，需要党政机关国内公务接待经费进行审计吗？",
                    "国内公务接待，可以机场、车站、码头和辖区边界组织迎送活动吗？"):
        assert awkward not in reception
    assert "国内公务接待可以在机场、车站、码头和辖区边界组织迎送活动吗？" in _asked(generated, "党政机关国内公务接待管理规定", "第八条")
    assert "接待对象在10人以内的，陪餐人数不得超过多少人？" in _asked(generated, "党政机关国内公务接待管理规定", "第十条")
    assert "接待开支标准应当报谁备案？" in _asked(generated, "党政机关国内公务接待管理规定", "第十三条")
    assert "本规定自什么时候起施行？" in _asked(generated, "党政机关国内公务接待管理规定", "第二十六条")


def test_the_check_rejects_a_question_that_drops_words_of_its_rule():
    source = "审计部门应当对党政机关国内公务接待经费进行审计"
    assert not keeps_source_words("审计部门，需要党政机关国内公务接待经费进行审计吗？", source, ("应当",))
    assert keeps_source_words("审计部门是否应当对党政机关国内公务接待经费进行审计？", source)
    cut = "确因安全需要安排警卫的，应当按照规定的警卫界限执行，尽可能缩小警戒范围，不得清场闭馆"
    assert not keeps_source_words("尽可能缩小警戒范围，可以清场闭馆吗？", cut, ("不得",))


def test_every_question_keeps_its_rule_and_starts_where_a_sentence_starts(generated):
    assert len(generated) >= 600
    for title, label, q in generated:
        assert len(q.text) <= 60 and q.text.endswith("？"), q.text
        assert not re.search(r"(^|，)[^，]{0,3}该[\u4e00-\u9fff]", q.text), q.text  # 对该证据…: leans on a sentence not asked
        if q.kind in ("definition", "scope"):
            continue  # 什么是X？ / 哪些单位参照本规定执行？ ask for the term or the units themselves
        starts = [without_label(p).strip() for p in re.split(r"[；;]", q.sentence)]
        assert any(q.text[:2] == p[:2] for p in starts) or q.kind == "sanction", (title, label, q.text, q.sentence)


def test_forms_are_varied(generated):
    kinds = Counter(q.kind for _, _, q in generated)
    assert len(kinds) >= 9, kinds
    assert max(kinds.values()) <= 0.4 * sum(kinds.values()), kinds
    forms = Counter(
        "yes/no" if q.text.endswith("吗？") or "是否" in q.text else
        "what happens" if "会受到什么处分" in q.text else
        "how much / how long" if re.search(r"多少|几", q.text) else
        "who" if re.search(r"谁|哪些", q.text) else "what / how / when"
        for _, _, q in generated)
    assert len(forms) == 5 and forms["yes/no"] <= 0.5 * sum(forms.values()), forms
