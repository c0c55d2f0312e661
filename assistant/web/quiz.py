"""The 出题 tab: choose documents, chapters, types, count, difficulty and seed; preview the quiz as
a paper (sections by type, numbered items, each option on its own line, then the answer key in a
section of its own that opens on a click; all text escaped) and download the paper (Word), the
bank (Excel), JSON and Markdown."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.knowledge_base import KnowledgeBase
from assistant.quiz import QuizRequest, make_quiz
from assistant.quiz.export import export, reasoning, sections, stem_line
from assistant.quiz.models import DIFFICULTY_NAMES, TYPE_NAMES, QuizItem
from assistant.web.chat import READER
from assistant.web.render import esc

TYPE_CHOICES = [(name, code) for code, name in TYPE_NAMES.items()]
DIFFICULTY_CHOICES = [("不限", ""), *[(name, code) for code, name in DIFFICULTY_NAMES.items()]]
MAX_COUNT = 200


def item_html(number: int, item: QuizItem) -> str:
    """One item of the paper: its number and stem, then each option on a line of its own."""
    options = "".join(f'<div class="qf-quiz-option">{esc(k)}. {esc(v)}</div>' for k, v in item.options.items())
    return (f'<div class="qf-quiz-item" id="qf-quiz-{esc(item.id)}">'
            f'<div class="qf-quiz-stem">{esc(stem_line(number, item))}</div>{options}</div>')


def key_html(number: int, item: QuizItem) -> str:
    """One line of the answer key: the key, why, where from, how hard."""
    return (f'<div class="qf-quiz-key"><b>{number}. 答案：{esc(item.answer_text)}</b>'
            f'<div>{esc(reasoning(item))}</div>'
            f'<div class="qf-quiz-source">出处：{esc(item.citation.reference)}　难度：'
            f"{esc(DIFFICULTY_NAMES[item.difficulty])}</div></div>")


def paper_html(items: list[QuizItem]) -> str:
    paper, key = [], []
    for heading, numbered in sections(items):
        paper.append(f'<h3 class="qf-quiz-section">{esc(heading)}</h3>')
        paper += [item_html(number, item) for number, item in numbered]
        key += [key_html(number, item) for number, item in numbered]
    return (f'<div id="qf-quiz-items" class="qf-paper">{"".join(paper)}</div>'
            f'<details id="qf-quiz-keys" class="qf-paper"><summary>参考答案与解析（点击展开）</summary>{"".join(key)}</details>')


class QuizTab:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def generate(self, documents: list[str] | None, chapter: str, types: list[str] | None, count: float,
                 difficulty: str, seed: float, groups: frozenset[str] | None = READER):
        """-> message, preview HTML, download files; from what a reader in `groups` may read"""
        if not types:
            raise gr.Error("请至少选择一种题型。")
        count = int(count or 0)
        if not 1 <= count <= MAX_COUNT:
            raise gr.Error(f"题目数量应在 1 到 {MAX_COUNT} 之间。")
        request = QuizRequest(types=tuple(types), count=count, difficulty=difficulty or None, seed=int(seed or 0))
        chapters = [c.strip() for c in (chapter or "").replace("，", ",").split(",") if c.strip()]
        items = make_quiz(self.kb.read_store, request, documents or None, chapters or None, groups=groups)
        if not items:
            raise gr.Error("所选文件或章节中没有可出题的条文。")
        folder = Path(tempfile.mkdtemp(prefix="qingfeng-quiz-"))
        files = [str(export(items, folder / name)) for name in ("试卷.docx", "题库.xlsx", "quiz.json", "quiz.md")]
        made = "，".join(f"{TYPE_NAMES[t]} {sum(i.type == t for i in items)} 道" for t in types)
        message = f"已生成 {len(items)} 道题（{made}）。" + (
            f"所选范围内可出的题目不足 {count} 道。" if len(items) < count else "")
        return message, paper_html(items), files
