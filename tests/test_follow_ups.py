"""Follow-ups on the demo corpus, as a new user meets them: "接待对象8人以内，陪餐人员最多几人？" then
"那2020年版呢？" is answered from the 2020 version's article, and "那现行的呢？" back from the current one."""

from __future__ import annotations

import pytest

from assistant.answer import CANDIDATE_PASSAGES, Answerer, Conversation
from assistant.retrieval import ensure_search_index, make_retriever
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import DEMO_CORPUS


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Answerer:
    store = Store(tmp_path_factory.mktemp("demo-index"))
    ingest_paths([DEMO_CORPUS], store)
    index, _ = ensure_search_index(store)
    return Answerer(store, make_retriever(index, top_k=CANDIDATE_PASSAGES, for_answers=True))


def test_a_version_asked_in_a_follow_up_is_the_version_cited(demo):
    chat = Conversation(demo)
    first = chat.ask("接待对象8人以内，陪餐人员最多几人？", use_llm=False)
    assert (first.citations[0].version, first.citations[0].article) == ("2024", 14)
    assert "3人" in first.lead
    older = chat.ask("那2020年版呢？", use_llm=False)
    cited = older.citations[0]
    assert (cited.version, cited.status) == ("2020", "已修订")
    assert cited.article == 11 and "陪餐" in cited.quote
    assert older.lead and "[1]" in older.lead
    current = chat.ask("那现行的呢？", use_llm=False)
    assert (current.citations[0].version, current.citations[0].article) == ("2024", 14)
