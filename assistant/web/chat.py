"""The chat (问答) behind the web page and the `ask` API endpoint.

Each browser session has a `ChatSession` (in gr.State): the turns for follow-up questions, the
messages shown and the answers with their sources. Answers come from the knowledge base's
current engine; a question asked while an admin job runs is answered from the previous index.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, no version check

import gradio as gr  # noqa: E402

from assistant.answer import Conversation
from assistant.knowledge_base import KnowledgeBase
from assistant.retrieval import SearchFilters
from assistant.retrieval.milvus import MilvusUnavailable
from assistant.web.feedback import RATINGS, FeedbackStore
from assistant.web.render import (
    MAX_TURNS_SHOWN,
    TurnRecord,
    answer_html,
    notice_html,
    sources_html,
    streaming_html,
    user_html,
)
from assistant.web.sessions import address_of
from assistant.web.visitors import ANONYMOUS, LOGIN_FIRST, Visitor, Visitors
from ingest.access import OPEN_ONLY, may_read

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
STREAM_STEPS = 12  # the extractive answer is shown in about this many pieces
STREAM_DELAY = 0.03  # seconds between pieces
EMPTY_KB = "知识库中还没有文件，暂时无法回答。请管理员在“知识库”页上传文件。"

DEMO_MARK = "（示例）"  # the demo corpus's titles carry it
EXAMPLE_COUNT = 5
EXAMPLE_TRIES = 60  # questions asked at most to find them (≈0.1 s each)
EXAMPLE_MAX_CHARS = 30  # an example to click should read at a glance
EXAMPLES = [  # from the demo corpus (corpus/, 示例)
    "操办婚丧喜庆事宜需要报告吗？",
    "接待对象8人以内，陪餐人员最多几人？",
    "接待管理办法第六条讲的什么？",
    "领导干部操办婚礼要提前多少天报告？",
    "清廉机关建设有哪些工作要求？",
    "个人所得税起征点是多少？",
]


@dataclass
class ChatSession:
    messages: list[dict] = field(default_factory=list)
    turns: list = field(default_factory=list)  # assistant.conversation.Turn, for follow-ups
    records: list[TurnRecord] = field(default_factory=list)
    count: int = 0


# Whom the page's chat, API, examples, quiz, FAQ and article browser read for: a visitor who has not
# signed in reads the open documents only (documents with access groups never reach the page).
READER = OPEN_ONLY


def make_filters(documents, doc_types, include_superseded, groups: frozenset[str] | None = READER) -> SearchFilters:
    return SearchFilters(documents=list(documents or []), doc_types=list(doc_types or []),
                         include_superseded=bool(include_superseded), groups=groups)


class Chat:
    def __init__(self, kb: KnowledgeBase, feedback: FeedbackStore, visitors: Visitors | None = None, audit=None):
        """`visitors`: who asks (by default everyone is a visitor who has not signed in, reading the
        open documents); `audit`: an assistant.accounts.AuditLog, which gets a row per answer."""
        self.kb = kb
        self.feedback = feedback
        self.visitors = visitors
        self.audit = audit

    def visitor_of(self, request) -> Visitor | None:
        """Who sends this request (None: signing in is required and nobody is signed in)."""
        return ANONYMOUS if self.visitors is None else self.visitors.of_request(request)

    def _record(self, visitor: Visitor, question: str, answer, request, via: str) -> int | None:
        if self.audit is None:
            return None
        cited = [{"title": c.title, "version": c.version, "article": c.article, "article_label": c.article_label}
                 for c in answer.citations]
        return self.audit.record("ask", user=visitor.name, address=address_of(request), via=via,
                                 question=question, refused=answer.refused, cited=cited)

    def respond(self, question, session: ChatSession | None, documents, doc_types, include_superseded,
                request: gr.Request = None):
        """Stream one answer: yields (chat messages, sources panel, session, question box)."""
        session = session or ChatSession()
        visitor = self.visitor_of(request)
        if visitor is None:
            gr.Warning(LOGIN_FIRST)
            yield gr.skip(), gr.skip(), session, gr.skip()
            return
        question = (question or "").strip()
        if not question:
            gr.Warning("请输入问题。")
            yield gr.skip(), gr.skip(), session, gr.skip()
            return
        if len(question) > MAX_QUESTION_CHARS:
            gr.Warning(f"问题太长（{len(question)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内。")
            yield gr.skip(), gr.skip(), session, gr.skip()
            return
        messages = session.messages
        messages.append({"role": "user", "content": user_html(question)})
        messages.append({"role": "assistant", "content": notice_html("正在检索条文……", "pending")})
        yield messages, gr.skip(), session, ""

        answerer = self.kb.answerer(make_filters(documents, doc_types, include_superseded, visitor.groups))
        if answerer is None:
            messages[-1]["content"] = notice_html(EMPTY_KB)
            yield messages, gr.skip(), session, gr.skip()
            return
        conversation = Conversation(answerer)
        conversation.turns = session.turns
        try:
            answer = conversation.ask(question, use_llm=False)
        except MilvusUnavailable as exc:  # the search service is down: say so, and what to do
            log.warning("answering failed: %s (%s)", exc, exc.detail)
            messages[-1]["content"] = notice_html(f"暂时无法回答：{exc}")
            yield messages, gr.skip(), session, gr.skip()
            return
        except Exception:  # noqa: BLE001 - the user gets a message, the log the details
            log.exception("answering failed: %s", question)
            messages[-1]["content"] = notice_html("回答时出错了，请稍后重新提问。（如果管理员正在更新知识库，可能需要几秒钟。）")
            yield messages, gr.skip(), session, gr.skip()
            return
        session.count += 1
        turn = session.count

        if answerer.llm is not None and not answer.refused:
            yield from self._stream_llm(answerer.llm, answer, messages, session)
        else:
            text = answer.answer
            step = max(8, len(text) // STREAM_STEPS)
            for end in range(step, len(text), step):
                messages[-1]["content"] = answer_html(answer, turn, text[:end], final=False)
                yield messages, gr.skip(), session, gr.skip()
                time.sleep(STREAM_DELAY)

        session.records.append(TurnRecord(turn, question, answer, uuid.uuid4().hex,
                                          audit_id=self._record(visitor, question, answer, request, "chat")))
        del session.records[:-MAX_TURNS_SHOWN]
        del session.turns[:-MAX_TURNS_SHOWN]
        messages[-1]["content"] = answer_html(answer, turn)
        yield messages, sources_html(session.records), session, gr.skip()

    def _stream_llm(self, llm, answer, messages, session):
        """Show the model's reply as it streams; the checked reply (or the extractive answer) follows."""
        from assistant.answer.llm import rewrite_with_llm

        pieces: queue.Queue = queue.Queue()
        started = time.perf_counter()

        def work() -> None:
            try:
                rewrite_with_llm(llm, answer, on_token=pieces.put)
            finally:
                pieces.put(None)

        threading.Thread(target=work, daemon=True, name="qingfeng-llm").start()
        text, shown = "", 0.0
        while (piece := pieces.get()) is not None:
            text += piece
            if time.monotonic() - shown > 0.1:
                shown = time.monotonic()
                messages[-1]["content"] = streaming_html(text)
                yield messages, gr.skip(), session, gr.skip()
        answer.timing_ms["llm"] = round((time.perf_counter() - started) * 1000, 1)
        answer.timing_ms["total"] = round(answer.timing_ms.get("total", 0) + answer.timing_ms["llm"], 1)

    def new_conversation(self):
        session = ChatSession()
        return [], sources_html([]), session, ""

    def rate(self, rating: str, comment: str, session: ChatSession | None, request: gr.Request = None):
        """Store 👍 / 👎 (and the comment) for the latest answer; returns (status, comment box)."""
        if not session or not session.records:
            gr.Warning("还没有可以评价的回答，请先提问。")
            return gr.skip(), gr.skip()
        r = session.records[-1]
        a = r.answer
        sources = [c.contract() for c in (a.related if a.refused else a.citations)]
        self.feedback.record(r.answer_id, rating, comment or "", r.question, a.answer, a.refused, sources)
        if self.audit is not None and r.audit_id is not None:
            visitor = self.visitor_of(request)
            self.audit.record("feedback", user=visitor.name if visitor else "", answer_row=r.audit_id,
                              rating=RATINGS[rating], comment=comment or "")
        note = "，意见已一并保存" if (comment or "").strip() else ""
        return f"已记录您对第{r.turn}问回答的评价 {RATINGS[rating]}{note}。谢谢！", ""

    def ask_api(self, question: str, request: gr.Request = None) -> dict:
        """Answer one question (no conversation): the JSON of `qingfeng ask --json`, for the
        request's visitor (Gradio's `/ask`)."""
        visitor = self.visitor_of(request)
        if visitor is None:
            raise gr.Error(LOGIN_FIRST)
        return self.answer_for(question, visitor, request)

    def answer_for(self, question: str, visitor: Visitor | None = None, request=None, via: str = "api") -> dict:
        """One question answered for `visitor` (the plain HTTP route resolves its visitor itself;
        None: a visitor who has not signed in)."""
        visitor = visitor or ANONYMOUS
        q = (question or "").strip()
        if not q:
            raise gr.Error("请输入问题。")
        if len(q) > MAX_QUESTION_CHARS:
            raise gr.Error(f"问题太长（{len(q)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内。")
        answerer = self.kb.answerer(SearchFilters(groups=visitor.groups))
        if answerer is None:
            raise gr.Error(EMPTY_KB)
        try:
            answer = answerer.ask(q)
        except MilvusUnavailable as exc:
            raise gr.Error(f"暂时无法回答：{exc}") from exc
        self._record(visitor, q, answer, request, via)
        return {"question": question, **answer.contract()}


def is_demo(documents) -> bool:
    """Whether the knowledge base holds only the demo documents (titles marked 示例)."""
    return bool(documents) and all(DEMO_MARK in d.title for d in documents)


def examples_for(kb, documents) -> list[str]:
    """Example questions for the page: the demo's own when the demo corpus is loaded; otherwise
    questions drawn from articles of the current documents (the largest first, one per document),
    each kept only when the knowledge base answers it from the article it was drawn from (at most
    EXAMPLE_TRIES questions are asked, so that a start stays quick)."""
    from assistant.faq.questions import questions_for

    if not documents or is_demo(documents):
        return list(EXAMPLES) if documents else []
    answerer = kb.answerer(SearchFilters(groups=READER))
    if answerer is None:
        return []
    found: list[str] = []
    tries = 0
    readable = [d for d in documents if may_read(d.meta.access, READER)]
    for row in sorted((d for d in readable if d.meta.status == "现行有效"), key=lambda d: (-d.n_articles, d.title)):
        doc = kb.read_store.document(row.doc_id)
        if doc is None:
            continue
        units = doc.units[len(doc.units) // 4:] + doc.units[:len(doc.units) // 4]  # past the 总则 first
        for unit in units[:EXAMPLE_TRIES - tries]:
            candidates = [q for q in questions_for(doc.text[unit.start:unit.end]) if len(q.text) <= EXAMPLE_MAX_CHARS]
            if not candidates:
                continue
            tries += 1
            answer = answerer.ask(candidates[0].text, use_llm=False)
            if not answer.refused and answer.citations and answer.citations[0].start == unit.start \
                    and answer.citations[0].doc_id == doc.doc_id:
                found.append(candidates[0].text)
                break
        if len(found) >= EXAMPLE_COUNT or tries >= EXAMPLE_TRIES:
            break
    return found
