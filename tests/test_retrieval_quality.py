"""Regression guard: the product pipeline on ../shared/devset keeps the figures the retrieval
issue asks for (questions are read from ../shared at run time, never copied here)."""

from __future__ import annotations

import json

from assistant.retrieval import make_retriever
from evals.retrieval import Gold, Passage, _node_passage, evaluate, is_hit
from tests.conftest import SHARED


def load(name):
    path = SHARED / "devset" / name
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def run(shared_index, name):
    store, index = shared_index
    retriever = make_retriever(index, top_k=10)
    return evaluate(load(name), lambda q: [_node_passage(x) for x in retriever.retrieve(q)], Gold(store))


def test_synthetic_dev(shared_index):
    table = run(shared_index, "synthetic_dev.jsonl")
    assert table["ALL"]["hit@1"] >= 0.75 and table["ALL"]["hit@5"] >= 0.93
    assert table["lookup"]["hit@1"] == 1.0
    assert table["version"]["hit@1"] >= 0.8


def test_ccdi_dev_does_not_regress(shared_index):
    table = run(shared_index, "ccdi_dev.jsonl")
    assert table["ALL"]["hit@5"] >= 0.72  # measured 0.745; the target 0.85 is not reached yet


def test_hit_rule(shared_index):
    store, _ = shared_index
    gold = Gold(store)
    item = {"gold": [{"file": "texts/official_reception_rules_2013.md", "article": 10}], "evidence": ["陪餐人数不得超过3人"],
            "category": "standard"}
    path, start, end = gold.span(item["gold"][0])
    assert is_hit(Passage(path, start + 5, start + 20, "…"), item, gold)  # overlaps the article
    assert not is_hit(Passage(path, end + 1, end + 50, "别的条文"), item, gold)
    assert is_hit(Passage("/other/file.md", 0, 10, "接待对象在10人以内的，陪餐人数不得 超过3人"), item, gold)  # evidence
    item["category"] = "version"  # version items: evidence counts only from the gold file
    assert not is_hit(Passage("/other/file.md", 0, 10, "陪餐人数不得超过3人"), item, gold)
    section = {"gold": [{"file": "texts/eight_point_regulation_2012.md", "article": None, "section": "三"}],
               "evidence": [], "category": "lookup"}
    path, start, end = gold.span(section["gold"][0])
    doc = gold.doc_for("texts/eight_point_regulation_2012.md")[1]
    assert doc.text[start:end].startswith("三、要精简文件简报") and "四、" not in doc.text[start:end]
