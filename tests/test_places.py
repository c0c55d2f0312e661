"""Every citation names its place unambiguously: 第十四条, or for an outline item its parents'
numbers too (第二部分（三）第4项), or for an unnumbered paragraph its heading and ordinal (总纲第3段).
Checked on every unit of every document of the demo corpus and of ../shared/corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from ingest.pipeline import ingest_paths
from ingest.store import Store
from ingest.structure import place, unit_place
from tests.conftest import DEMO_CORPUS


def test_place_names_the_parents_of_an_outline_item():
    assert place("二、重点任务 › （三）深化作风建设，优化机关服务", "4.") == "第二部分（三）第4项"
    assert place("一、总体要求", "（一）") == "第一部分（一）"
    assert place("", "三、") == "第三部分"
    assert place("第三章 接待标准", "第十四条") == "第十四条"
    assert place("总纲", "") == "总纲" and place("", "") == "开头部分"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo-places"))
    ingest_paths([DEMO_CORPUS], store)
    return store


@pytest.mark.parametrize("which", ["demo", "shared"])
def test_no_two_units_of_a_document_share_a_place(which, demo_store, shared_index):
    store = demo_store if which == "demo" else shared_index[0]
    checked = 0
    for row in store.documents():
        doc = store.document(row.doc_id)
        places = Counter(unit_place(doc.units, i) for i in range(len(doc.units)))
        assert max(places.values()) == 1, (row.title, [p for p, n in places.items() if n > 1][:5])
        checked += len(doc.units)
    assert checked > (50 if which == "demo" else 2000)


def test_an_answer_cites_an_outline_item_by_its_full_place(demo_store):
    from assistant.answer import CANDIDATE_PASSAGES, Answerer
    from assistant.retrieval import ensure_search_index, make_retriever

    index, _ = ensure_search_index(demo_store)
    answerer = Answerer(demo_store, make_retriever(index, top_k=CANDIDATE_PASSAGES, for_answers=True))
    answer = answerer.ask("清廉机关建设实施意见里，对深化作风建设提了哪些要求？", use_llm=False)
    outline = [c for c in answer.citations + answer.related if c.article is None]
    assert outline, answer.answer
    for c in outline:
        assert c.place.startswith("第") and "部分" in c.place or c.place.startswith("开头"), c.place
        assert c.place in c.reference and c.contract()["place"] == c.place
    cited = [c for c in answer.citations if c.article is None]
    assert cited and all(f"{c.place}规定" in answer.answer for c in cited)
