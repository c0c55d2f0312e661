"""The 出题 and 常见问题 tabs in process, on the demo corpus (the browser side is in test_web_app.py)."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest

from assistant.web.faq import FaqTab
from assistant.web.quiz import QuizTab
from tests.test_web_kb import open_kb

RECEPTION = "清风区党政机关公务接待管理办法（示例）"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    kb = open_kb(tmp_path_factory.mktemp("tabs"))
    yield kb
    kb.close()


def _doc_id(kb, title: str, version: str) -> str:
    return next(d.doc_id for d in kb.documents() if d.title == title and d.meta.version == version)


def test_quiz_tab_makes_items_and_the_four_files(kb):
    doc = _doc_id(kb, RECEPTION, "2024")
    message, preview, files = QuizTab(kb).generate([doc], "", ["single", "judge", "blank"], 6, "", 3)
    assert message.startswith("已生成") and 'id="qf-quiz-items"' in preview
    assert sorted(Path(f).name for f in files) == ["quiz.json", "quiz.md", "试卷.docx", "题库.xlsx"]
    items = json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text(encoding="utf-8"))
    assert items and all(i["citation"]["title"] == RECEPTION and i["citation"]["version"] == "2024" for i in items)
    assert preview.count('class="qf-quiz-item"') == len(items)
    # Same seed, same quiz.
    again = QuizTab(kb).generate([doc], "", ["single", "judge", "blank"], 6, "", 3)[1]
    assert again == preview


def test_quiz_tab_rejects_bad_requests_in_chinese(kb):
    with pytest.raises(gr.Error, match="至少选择一种题型"):
        QuizTab(kb).generate([], "", [], 5, "", 0)
    with pytest.raises(gr.Error, match="题目数量"):
        QuizTab(kb).generate([], "", ["single"], 0, "", 0)
    with pytest.raises(gr.Error, match="没有可出题的条文"):
        QuizTab(kb).generate([], "没有这一章", ["single"], 5, "", 0)


def test_quiz_preview_escapes_document_text(kb):
    from assistant.quiz.models import QuizCitation, QuizItem
    from assistant.web.quiz import item_html

    citation = QuizCitation(source="x.md", title="<b>标题</b>", version="2024", article=1, article_label="第一条",
                            text="<script>alert(1)</script>")
    item = QuizItem(id="q0001", type="judge", stem="<script>alert(1)</script>", answer=True, explanation="<i>x</i>",
                    difficulty="easy", citation=citation)
    html = item_html(1, item)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>标题</b>" not in html


def test_faq_tab_generates_searches_and_exports(kb):
    from assistant.web.faq import matching

    doc = _doc_id(kb, RECEPTION, "2024")
    summary, shown, files, entries = FaqTab(kb).generate([doc], 0, progress=lambda *a, **k: None)
    assert summary.startswith("已生成") and entries
    assert shown.count('class="qf-faq-entry"') == len(entries) and f"共 {len(entries)} 条" in shown
    assert sorted(Path(f).suffix for f in files) == [".docx", ".jsonl", ".md", ".xlsx"]
    assert all(e["document"] == RECEPTION for e in entries) and shown.count(f"《{RECEPTION}》</h3>") == 1
    word = entries[0]["question"][:2]
    found = FaqTab.search(word, entries)
    assert 0 < found.count('class="qf-faq-entry"') == len(matching(entries, word))
    assert "没有找到包含这些词的问答" in FaqTab.search("不可能出现的词语组合", entries)
    # Document text is shown as text.
    evil = [{**entries[0], "question": "<script>alert(1)</script>？"}]
    assert "<script>" not in FaqTab.search("", evil) and "&lt;script&gt;" in FaqTab.search("", evil)