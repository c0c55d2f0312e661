"""The 常见问题 tab: run the batch FAQ on chosen documents with a progress bar, then read and
search the entries and download them (Markdown, JSONL, Excel, Word).

The entries are shown as a document, not a table: grouped under their document and chapter, each
question with its whole answer and its sources below it, so that nothing is cut or hidden off to
the side however long the answer is."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.faq.export import export
from assistant.faq.run import run_faq
from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters
from assistant.web.chat import READER
from assistant.web.render import esc

EMPTY = '<div class="qf-faq-empty">生成后，问答按文件和章节列在这里。</div>'


def _sources(entry: dict) -> str:
    return "；".join(f"《{c['title']}》（{c.get('version') or '未注明版本'}）{c.get('place') or c.get('article_label') or ''}"
                    for c in entry["citations"])


def matching(entries: list[dict], query: str = "") -> list[dict]:
    """Entries holding every word of `query` (in the document, chapter, question, answer or sources)."""
    words = [w for w in (query or "").split() if w]
    return [e for e in entries
            if all(any(w in part for part in (e["document"], e["chapter"], e["question"], e["answer"], _sources(e)))
                   for w in words)]


def faq_html(entries: list[dict], query: str = "") -> str:
    """The entries as a readable list, grouped by document and chapter (all text escaped)."""
    shown = matching(entries, query)
    if not entries:
        return EMPTY
    if not shown:
        return '<div class="qf-faq-empty">没有找到包含这些词的问答。</div>'
    out, document, chapter = [f'<div class="qf-faq-count">共 {len(shown)} 条</div>'], None, None
    for n, e in enumerate(shown, start=1):
        if e["document"] != document:
            document, chapter = e["document"], None
            out.append(f'<h3 class="qf-faq-doc">《{esc(document)}》</h3>')
        if e["chapter"] and e["chapter"] != chapter:
            chapter = e["chapter"]
            out.append(f'<h4 class="qf-faq-chapter">{esc(chapter)}</h4>')
        out.append(f'<div class="qf-faq-entry"><p class="qf-faq-q">{n}. {esc(e["question"])}</p>'
                   f'<div class="qf-faq-a">{esc(e["answer"])}</div>'
                   f'<p class="qf-faq-src">出处：{esc(_sources(e))}</p></div>')
    return '<div class="qf-faq-list">' + "".join(out) + "</div>"


class FaqTab:
    def __init__(self, kb: KnowledgeBase, workers: int = 2):
        self.kb = kb
        self.workers = workers

    def generate(self, documents: list[str] | None, max_per_doc: float, progress=gr.Progress(),
                 groups: frozenset[str] | None = READER):
        """-> summary, entries as HTML, download files, entries (state); from what a reader in
        `groups` may read"""
        answerer = self.kb.answerer(SearchFilters(groups=groups))  # run_faq reads as the answerer's reader
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
        return summary, faq_html(entries), files, entries

    @staticmethod
    def search(query: str, entries: list[dict] | None) -> str:
        return faq_html(entries or [], query)
