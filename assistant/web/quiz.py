"""The 出题 tab: choose documents, chapters, types, count, difficulty and seed; preview the items
(escaped HTML) and download the paper (Word), the bank (Excel), JSON and Markdown."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.knowledge_base import KnowledgeBase
from assistant.quiz import QuizRequest, make_quiz
from assistant.quiz.export import export
from assistant.quiz.models import DIFFICULTY_NAMES, TYPE_NAMES, QuizItem
from assistant.web.render import esc

TYPE_CHOICES = [(name, code) for code, name in TYPE_NAMES.items()]
DIFFICULTY_CHOICES = [("不限", ""), *[(name, code) for code, name in DIFFICULTY_NAMES.items()]]
MAX_COUNT = 200


def item_html(number: int, item: QuizItem) -> str:
    options = "".join(f"<li>{esc(k)}. {esc(v)}</li>" for k, v in item.options.items())
    return (f'<div class="qf-quiz-item" id="qf-quiz-{esc(item.id)}">'
            f"<p><b>{number}. [{esc(TYPE_NAMES[item.type])}·{esc(DIFFICULTY_NAMES[item.difficulty])}]</b> {esc(item.stem)}</p>"
            + (f"<ul>{options}</ul>" if options else "")
            + f'<p class="qf-quiz-key">答案：{esc(item.answer_text)}　解析：{esc(item.explanation)}</p>'
              f'<p class="qf-quiz-source">出处：{esc(item.citation.reference)}</p></div>')


class QuizTab:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def generate(self, documents: list[str] | None, chapter: str, types: list[str] | None, count: float,
                 difficulty: str, seed: float):
        """-> message, preview HTML, download files"""
        if not types:
            raise gr.Error("请至少选择一种题型。")
        count = int(count or 0)
        if not 1 <= count <= MAX_COUNT:
            raise gr.Error(f"题目数量应在 1 到 {MAX_COUNT} 之间。")
        request = QuizRequest(types=tuple(types), count=count, difficulty=difficulty or None, seed=int(seed or 0))
        chapters = [c.strip() for c in (chapter or "").replace("，", ",").split(",") if c.strip()]
        items = make_quiz(self.kb.read_store, request, documents or None, chapters or None)
        if not items:
            raise gr.Error("所选文件或章节中没有可出题的条文。")
        folder = Path(tempfile.mkdtemp(prefix="qingfeng-quiz-"))
        files = [str(export(items, folder / name)) for name in ("试卷.docx", "题库.xlsx", "quiz.json", "quiz.md")]
        made = "，".join(f"{TYPE_NAMES[t]} {sum(i.type == t for i in items)} 道" for t in types)
        message = f"已生成 {len(items)} 道题（{made}）。" + (
            f"所选范围内可出的题目不足 {count} 道。" if len(items) < count else "")
        preview = "".join(item_html(n, item) for n, item in enumerate(items, start=1))
        return message, f'<div id="qf-quiz-items">{preview}</div>', files
