"""An article number read in context (team-written questions, tests/data/article_number_questions.jsonl,
asked of ../shared/corpus): "纪律处分条例第八十八条关于收受礼品礼金…" means 2018 第八十八条, not the
current text's 第八十八条, which says something else; where the current article of that number
is the one meant, it stays."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answer import Conversation

QUESTIONS = [json.loads(line) for line in
             (Path(__file__).parent / "data" / "article_number_questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def test_each_number_is_read_in_the_version_its_content_belongs_to(answerer):
    older = [q for q in QUESTIONS if q["year"] not in (2023, 2024)]
    assert len(older) >= 20
    for q in QUESTIONS:
        answer = answerer.ask(q["question"], use_llm=False)
        first = answer.citations[0]
        assert (first.title, first.version[:4], first.article) == (q["title"], str(q["year"]), q["article"]), q["question"]
        if q in older:
            # the answer says which version it reads the number in, and names the current counterpart
            assert answer.notes[0].startswith("问题所说的") and f"{q['year']}年版理解" in answer.notes[0]
            assert any("现行" in n and "对应条文" in n for n in answer.notes) or first.version_note
        else:
            assert not any(n.startswith("问题所说的") for n in answer.notes)


def test_a_named_document_wins_over_the_one_cited_before(answerer):
    chat = Conversation(answerer)
    first = chat.ask("纪律处分条例第九十七条是怎么规定的？", use_llm=False)
    assert first.citations[0].title == "中国共产党纪律处分条例" and first.citations[0].article == 97
    second = chat.ask("那监察法第二十二条呢？", use_llm=False)
    assert second.citations[0].title == "中华人民共和国监察法" and second.citations[0].article == 22
    assert second.citations[0].version == "2024"


TWO_DOCUMENTS = [
    # (question, [(file, article), …] in the question's order)
    ("监察法第十一条和政务处分法第七条分别规定了什么？",
     [("supervision_law_2024.md", 11), ("public_officials_administrative_sanctions_law_2020.md", 7)]),
    ("纪律处分条例第十七条和政务处分法第十一条是不是都讲从轻处分？",
     [("cpc_discipline_regulations_2023.md", 17), ("public_officials_administrative_sanctions_law_2020.md", 11)]),
    ("《监察官法》第九条与《监察法》第十五条的内容是什么？",
     [("supervisory_officials_law_2021.md", 9), ("supervision_law_2024.md", 15)]),
]


def test_a_number_after_each_document_name_belongs_to_that_document(answerer):
    from assistant.retrieval.routing import analyze

    plan = analyze(TWO_DOCUMENTS[0][0], answerer.catalog)
    assert [number for _, number in plan.named_articles] == [11, 7]
    assert len({key for key, _ in plan.named_articles}) == 2
    assert analyze("监察法第十一条讲的什么", answerer.catalog).named_articles[0][1] == 11
    assert analyze("第十一条讲的什么", answerer.catalog).named_articles == []  # no document named


def test_articles_of_two_documents_are_each_quoted_from_their_own_document(answerer):
    for question, expected in TWO_DOCUMENTS:
        answer = answerer.ask(question, use_llm=False)
        assert not answer.refused, question
        cited = [(Path(c.source).name, c.article) for c in answer.citations]
        assert cited[:len(expected)] == expected, (question, cited)
        for c in answer.citations[:len(expected)]:
            assert len(c.quote) >= 0.8 * len(c.text), question  # each named article quoted in full
