"""Search over the real corpus: routing to articles and versions, current versions first,
everyday words, filters, and the `qingfeng search` JSON / JSONL contract."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli.commands import app
from assistant.retrieval import SearchFilters, make_retriever, result_json
from tests.conftest import SHARED_CORPUS

runner = CliRunner()


def top(index, question, k=5, filters=None):
    retriever = make_retriever(index, top_k=k, filters=filters)
    return [result_json(r) for r in retriever.retrieve(question)]


@pytest.mark.parametrize("question, title, version, article", [
    ("纪律处分条例第三十条", "中国共产党纪律处分条例", "2023", 30),
    ("《条例》第30条", "中国共产党纪律处分条例", "2023", 30),
    ("2018年版纪律处分条例第三十条讲的什么", "中国共产党纪律处分条例", "2018", 30),
    ("修订前的纪律处分条例第八条", "中国共产党纪律处分条例", "2018", 8),
    ("监察法第二十七条讲的什么", "中华人民共和国监察法", "2024", 27),
    ("2018年的监察法第二十七条", "中华人民共和国监察法", "2018", 27),
    ("公务员法第一百零二条", None, "2018", 102),
])
def test_named_articles_come_first(shared_index, question, title, version, article):
    _, index = shared_index
    first = top(index, question)[0]
    assert (first["version"], first["article"]) == (version, article)
    if title:
        assert first["title"] == title


def test_outline_item_by_number(shared_index):
    _, index = shared_index
    first = top(index, "中央八项规定第五条是什么")[0]
    assert first["text"].startswith("五、")


def test_current_version_first_when_no_version_is_named(shared_index):
    _, index = shared_index
    results = top(index, "党员受到严重警告处分后多长时间内不得在党内提升职务？", k=5)
    discipline = [r for r in results if r["title"] == "中国共产党纪律处分条例"]
    assert discipline and discipline[0]["version"] == "2023" and discipline[0]["status"] == "现行有效"
    assert results.index(discipline[0]) == min(results.index(r) for r in discipline)


def test_everyday_words_find_the_rule(shared_index):
    _, index = shared_index
    results = top(index, "单位请客吃饭最多几个人陪？", k=3)
    assert any(r["title"] == "党政机关国内公务接待管理规定" and r["article"] == 10 for r in results)


def test_quoted_words_decide(shared_index):
    """A question quoting a rule's words (taken from the file at run time) finds that rule."""
    _, index = shared_index
    text = (SHARED_CORPUS / "texts/rural_cadres_integrity_rules_trial_2011.md").read_text(encoding="utf-8")
    article = next(l for l in text.splitlines() if l.startswith("第七条"))
    phrase = article.split(maxsplit=1)[1][:14]
    first = top(index, f"“{phrase}”是哪个文件规定的？")[0]
    assert first["title"].startswith("农村基层干部廉洁履行职责若干规定") and first["article"] == 7


def test_same_article_from_two_files_is_shown_once(shared_index):
    _, index = shared_index
    results = top(index, "公务员法第十四条规定了公务员的哪些义务？", k=10)
    firsts = [r for r in results if r["article"] == 14 and "公务员法" in r["title"]]
    assert len({r["text"][:60] for r in firsts}) == len(firsts)


def test_filters(shared_index):
    _, index = shared_index
    speeches = top(index, "巡视工作", filters=SearchFilters(doc_types=["讲话"]))
    assert speeches and {r["doc_type"] for r in speeches} == {"讲话"}
    current = top(index, "纪律处分条例第三十条", k=10, filters=SearchFilters(include_superseded=False))
    assert {r["status"] for r in current} == {"现行有效"}
    one_doc = top(index, "留置", filters=SearchFilters(documents=["中华人民共和国监察法"]))
    assert {r["title"] for r in one_doc} == {"中华人民共和国监察法"}


def test_cli_search_json_and_batch(shared_index, tmp_path):
    store, _ = shared_index
    result = runner.invoke(app, ["search", "--index", str(store.dir), "--json", "--top-k", "3", "监察法第二十七条"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["results"]) == 3 and payload["results"][0]["article"] == 27

    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "a", "question": "纪律处分条例第八条"}, {"id": 2, "question": "出差住宿费标准"}]), encoding="utf-8")
    out = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["search", "--index", str(store.dir), "--batch", str(questions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [l["id"] for l in lines] == ["a", 2]
    for line in lines:
        assert len(line["results"]) == 10
        for r in line["results"]:
            assert set(r) >= {"source", "title", "version", "status", "article", "heading", "page", "text", "score"}
            assert r["article"] is None or isinstance(r["article"], int)
            assert r["source"].endswith((".md", ".pdf"))
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["results"][0]["article"] == 8 and lines[0]["results"][0]["version"] == "2023"


def test_cli_search_errors(tmp_path):
    result = runner.invoke(app, ["search", "--index", str(tmp_path / "empty"), "问题"])
    assert result.exit_code == 1 and "没有文档" in result.output
    result = runner.invoke(app, ["search", "--index", str(tmp_path), "--batch", "q.jsonl"])
    assert result.exit_code == 2 and "--out" in result.output
