"""The 常见问题 tab: run the batch FAQ on chosen documents with a progress bar, then browse and
search the entries and download them (Markdown, JSONL, Excel, Word)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.faq.export import export
from assistant.faq.run import run_faq
from assistant.knowledge_base import KnowledgeBase

FAQ_COLUMNS = ["文件", "章节", "问题", "回答", "出处"]


def _rows(entries: list[dict], query: str = "") -> list[list[str]]:
    words = [w for w in (query or "").split() if w]
    rows = []
    for e in entries:
        sources = "；".join(f"《{c['title']}》{c.get('place') or c.get('article_label') or ''}" for c in e["citations"])
        row = [e["document"], e["chapter"], e["question"], e["answer"], sources]
        if all(any(w in cell for cell in row) for w in words):
            rows.append(row)
    return rows


class FaqTab:
    def __init__(self, kb: KnowledgeBase, workers: int = 2):
        self.kb = kb
        self.workers = workers

    def generate(self, documents: list[str] | None, max_per_doc: float, progress=gr.Progress()):
        """-> summary, table rows, download files, entries (state)"""
        answerer = self.kb.answerer()
        if answerer is None:
            raise gr.Error("知识库中还没有文件。")
        folder = Path(tempfile.mkdtemp(prefix="qingfeng-faq-"))
        result = run_faq(self.kb.read_store, answerer, folder / "faq.checkpoint.jsonl", documents or None,
                         int(max_per_doc or 0) or None, self.workers,
                         progress=lambda done, total: progress((done, total), desc="生成问答"))
        if not result.tasks:
            raise gr.Error("所选文件中没有可生成问题的条文。")
        files = [str(export(result.entries, folder / name)) for name in
                 ("常见问题.docx", "常见问题.xlsx", "常见问题.md", "faq.jsonl")]
        summary = (f"已生成 {len(result.entries)} 条问答（{len(result.documents)} 个文件，候选问题 {result.tasks} 个）；"
                   f"未采用：{result.dropped_text}；条文覆盖 {result.articles_covered}/{result.articles_total}"
                   f"（{result.coverage:.0%}）；用时 {result.seconds:.1f} 秒。")
        entries = [e.contract() for e in result.entries]
        return summary, _rows(entries), files, entries

    @staticmethod
    def search(query: str, entries: list[dict] | None) -> list[list[str]]:
        return _rows(entries or [], query)
