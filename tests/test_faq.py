"""Batch FAQ over the real corpus: entries cite the article they came from, de-duplication,
grouped exports read back, and an interrupted run resumed to the same file (killed for real)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.answer import Answerer
from assistant.cli.commands import app
from assistant.faq.export import EXCEL_COLUMNS, export
from assistant.faq.questions import questions_for
from assistant.faq.run import finish, run_faq
from tests.conftest import ROOT

runner = CliRunner()
DOCS = ["党政机关国内公务接待管理规定", "党政机关公务用车管理办法", "中华人民共和国公职人员政务处分法"]


@pytest.fixture(scope="module")
def faq_result(answerer, tmp_path_factory):
    checkpoint = tmp_path_factory.mktemp("faq") / "faq.checkpoint.jsonl"
    return run_faq(answerer.store, answerer, checkpoint, DOCS, workers=2)


def test_every_entry_cites_its_source_article(faq_result, answerer):
    entries = faq_result.entries
    assert len(entries) >= 30
    for entry in entries:
        source = entry.source
        doc = answerer.document(source["doc_id"])
        unit = next(u for u in doc.units if u.start == source["start"])
        cited = [c for c in entry.citations if c["doc_id"] == source["doc_id"] and c["start"] == source["start"]]
        assert cited, entry.question
        assert cited[0]["text"] == doc.text[unit.start:unit.end]  # resolves to the article as stored
        assert cited[0]["article_label"] == unit.label == entry.article_label
        assert entry.question.endswith("？")
        quote_line = entry.answer.split("\n")[1] if entry.answer.startswith("简要回答：") else entry.answer
        assert quote_line.startswith("根据《")  # after the direct first sentence, where the kind has one


def test_summary_counts(faq_result):
    r = faq_result
    assert r.tasks == len(r.entries) + sum(r.dropped.values())
    assert set(r.dropped) <= {"refused", "source_not_cited", "duplicate", "over_limit"}
    assert 0 < r.articles_covered <= r.articles_total and r.coverage > 0.3
    assert r.documents == sorted(DOCS)


def test_entries_are_grouped_by_document_and_chapter(faq_result):
    seen_groups, previous = [], None
    for entry in faq_result.entries:
        group = (entry.order[0], entry.chapter)
        if group != previous:
            assert group not in seen_groups  # a group is contiguous
            seen_groups.append(group)
            previous = group
    kinds = Counter(e.kind for e in faq_result.entries)
    assert {"sanction", "prohibition"} <= set(kinds)


def test_near_identical_questions_are_merged(answerer):
    def entry(i, question, start, score):
        return {"id": str(i), "status": "kept", "entry": {
            "id": str(i), "document": "d", "version": None, "chapter": "", "article_label": "第一条", "kind": "prohibition",
            "question": question, "answer": "a", "citations": [{"doc_id": "x", "start": start}], "score": score,
            "order": [0, i, 0], "source": {"doc_id": "x", "start": start}}}

    outcomes = [entry(0, "公务接待可以安排宴请吗？", 10, 5.0), entry(1, "公务接待，可以安排宴请吗？", 10, 4.0),
                entry(2, "公务接待可以安排宴请吗", 10, 3.0), entry(3, "出差可以乘坐飞机头等舱吗？", 20, 4.0),
                {"id": "4", "status": "refused"}]
    kept, dropped, _ = finish(outcomes, [], answerer.retriever.embedder, None, {})
    assert [e.question for e in kept] == ["公务接待可以安排宴请吗？", "出差可以乘坐飞机头等舱吗？"]
    assert dropped == Counter({"duplicate": 2, "refused": 1})


def test_questions_in_a_staff_voice():
    article = "第八条 示例单位接待人员不得安排超标准住宿，不得组织与公务无关的娱乐活动。"
    texts = {q.kind: q.text for q in questions_for(article)}
    assert texts.get("prohibition") == "示例单位接待人员可以安排超标准住宿吗？"
    assert questions_for("第九条 本办法所称公务接待，是指出席会议、考察调研等公务活动的接待。")[0].text == "什么是公务接待？"


def test_exports_read_back(faq_result, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    entries = faq_result.entries
    rows = [json.loads(l) for l in export(entries, tmp_path / "faq.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(entries)
    assert {"id", "document", "chapter", "question", "answer", "citations"} <= set(rows[0])
    assert {"marker", "source", "title", "version", "status", "article", "page", "quote", "text"} <= set(rows[0]["citations"][0])
    sheet = load_workbook(export(entries, tmp_path / "faq.xlsx")).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == EXCEL_COLUMNS and len(table) == len(entries) + 1
    document = Document(export(entries, tmp_path / "faq.docx", "常见问题解答（示例）"))
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split("》")[0] + "》" for h in level1] == [f"《{d}》" for d in dict.fromkeys(e.document for e in entries)]
    assert sum(p.text.startswith("问：") for p in document.paragraphs) == len(entries)
    md = export(entries, tmp_path / "faq.md").read_text(encoding="utf-8")
    assert md.count("**问：") == len(entries)


def _faq_command(index_dir: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli.commands", "faq", "--index", str(index_dir), "--doc", DOCS[2],
            "--workers", "1", "--out", str(out), *extra]


def test_killed_run_resumes_to_the_same_file(shared_index, tmp_path):
    store, _ = shared_index
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    whole = tmp_path / "whole.jsonl"
    subprocess.run(_faq_command(store.dir, whole), check=True, env=env, cwd=ROOT, capture_output=True, timeout=300)

    out = tmp_path / "resumed.jsonl"
    checkpoint = out.with_name(out.name + ".checkpoint.jsonl")
    process = subprocess.Popen(_faq_command(store.dir, out), env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:  # kill it once a few answers are checkpointed
        if checkpoint.is_file() and len(checkpoint.read_text(encoding="utf-8").splitlines()) > 10:
            break
        assert process.poll() is None, "the run finished before it could be interrupted"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists()
    done_before = len(checkpoint.read_text(encoding="utf-8").splitlines()) - 1

    resumed = subprocess.run(_faq_command(store.dir, out, "--resume"), check=True, env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
    assert out.read_bytes() == whole.read_bytes()
    answered_now = int(resumed.stdout.split("本次回答")[1].split("个")[0].strip())
    total = int(resumed.stdout.split("候选问题")[1].split("个")[0].strip())
    assert answered_now == total - done_before < total
    assert not checkpoint.exists()  # removed once the file is written


def test_resume_refuses_a_checkpoint_of_other_tasks(shared_index, tmp_path):
    store, _ = shared_index
    out = tmp_path / "faq.md"
    out.with_name(out.name + ".checkpoint.jsonl").write_text('{"tasks": "something else"}\n', encoding="utf-8")
    result = runner.invoke(app, ["faq", "--index", str(store.dir), "--doc", DOCS[0], "--resume", "--out", str(out)])
    assert result.exit_code == 2 and "断点文件与本次任务不一致" in result.output


def test_llm_phrasing_is_kept_only_when_the_answer_still_cites_the_article(answerer, tmp_path):
    """Against a scripted OpenAI-compatible server (no LLM runs here; tests/openai_stub.py): it
    rephrases every question by prefixing 请问, except that it turns questions about 公务用车 into
    an off-topic one, which must fall back to the rule-based wording."""
    from assistant.answer.llm import LLMClient
    from assistant.faq.run import REPHRASE_PROMPT
    from tests.openai_stub import ScriptedLLM

    def reply(messages):
        if messages[0]["content"] != REPHRASE_PROMPT:
            return "无法核实的回答。"  # answer rewriting: nothing verifiable, the extractive answer stands
        question = messages[1]["content"].split("\n")[0].removeprefix("问题：")
        return "个人所得税怎么申报？" if "公务用车" in question else "请问" + question

    with ScriptedLLM(reply) as stub:
        llm_answerer = Answerer(answerer.store, answerer.retriever, llm=LLMClient(stub.base_url, "scripted"))
        result = run_faq(answerer.store, llm_answerer, tmp_path / "c.jsonl", DOCS[:2], workers=2, use_llm=True)
    questions = [e.question for e in result.entries]
    assert any(q.startswith("请问") for q in questions)
    assert not any("个人所得税" in q for q in questions)
    assert any("公务用车" in q and not q.startswith("请问") for q in questions)
    for entry in result.entries:
        assert any(c["doc_id"] == entry.source["doc_id"] and c["start"] == entry.source["start"] for c in entry.citations)
