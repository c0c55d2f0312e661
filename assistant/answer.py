"""Cited answers: retrieve, decide whether the documents answer the question, quote the sentences
that do, and trace every quote to 《title》(version) 第X条, heading and page.

    answerer = Answerer.open(index_dir)
    answer = answerer.ask("操办婚丧喜庆要不要报告？")
    answer.answer, answer.citations, answer.refused

The default path needs no LLM. An optional LLM (assistant/llm.py) rewrites the same sources.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.compose import QuestionTerms, Unit, pick_sentences
from assistant.conversation import Turn, resolve
from assistant.question_kind import Kind, asks_quantity, has_quantity, question_kind, states_quantity
from assistant.retrieval import defined_term
from assistant.routing import analyze
from assistant.sentences import split_sentences
from assistant.versions import VersionMap
from ingest.metadata import title_key
from ingest.models import ParsedDocument
from ingest.numerals import to_chinese
from ingest.store import Store
from ingest.structure import display_label

REFUSAL = "知识库中未找到直接依据。"
NOT_COVERED = "知识库中没有涵盖这一问题的文件。"
NO_NUMBER = "所找到的条文中没有问题所问的具体标准或数额。"
CANDIDATE_PASSAGES = 10  # passages retrieval hands to the composer
CANDIDATE_UNITS = 8  # distinct articles among them
RELATED = 3  # articles listed as related (not cited) after an answer or a refusal
SAME_ARTICLE_SIMILARITY = 0.5  # an older article this close to a current one is the same rule


class EarlierVersion(BaseModel):
    """The article of an older version that corresponds to a cited current article (for cases
    judged under the rules in force at the time)."""

    source: str
    title: str
    version: str | None
    article: int | None
    article_label: str
    text: str
    start: int


class Citation(BaseModel):
    marker: int | None  # [n] in the answer; None for a related passage listed after a refusal
    source: str
    title: str
    version: str | None
    status: str
    article: int | None
    article_label: str = ""
    heading: str = ""
    page: int | None = None
    quote: str  # the exact sentence(s) used; runs that are not adjacent are joined by ……
    text: str  # the whole article (or outline item)
    spans: list[tuple[int, int]] = Field(default_factory=list)  # quoted sentences in `text`
    doc_id: str = ""
    start: int | None = None  # offset of `text` in its document
    current: bool = True  # False when a newer version of the document is in the index
    version_note: str | None = None
    earlier_versions: list[EarlierVersion] = Field(default_factory=list)  # of a current article

    @property
    def reference(self) -> str:
        """《title》（version，status）article · heading · page."""
        ref = f"《{self.title}》（{self.version or '未注明版本'}，{self.status}）{self.article_label or ''}"
        extras = [x for x in (self.heading, f"第{self.page}页" if self.page else "") if x]
        return " · ".join([ref, *extras])

    def contract(self) -> dict:
        return {"marker": self.marker, "source": self.source, "title": self.title, "version": self.version,
                "status": self.status, "article": self.article, "page": self.page, "quote": self.quote,
                "text": self.text, "article_label": self.article_label, "heading": self.heading,
                "spans": [list(s) for s in self.spans], "current": self.current, "version_note": self.version_note,
                "doc_id": self.doc_id, "start": self.start,
                "earlier_versions": [
                    {"source": e.source, "version": e.version, "article": e.article, "article_label": e.article_label}
                    for e in self.earlier_versions]}


class Answer(BaseModel):
    question: str
    resolved_question: str
    kind: str
    refused: bool
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    evidence: float = 0.0  # P(the documents answer the question), from the relevance model
    timing_ms: dict[str, float] = Field(default_factory=dict)
    mode: str = "extractive"  # or "llm"; "extractive" also when the LLM failed (see notes)

    def contract(self) -> dict:
        """The JSON of `qingfeng ask --json` and of each `--batch` output line (without id)."""
        return {"refused": self.refused, "answer": self.answer,
                "citations": [c.contract() for c in self.citations],
                "related": [c.contract() for c in self.related], "notes": self.notes, "kind": self.kind,
                "mode": self.mode, "evidence": round(self.evidence, 3), "timing_ms": self.timing_ms,
                "resolved_question": self.resolved_question}


# A document the question asks about (not one it only mentions): 《X》规定 / X法里 / X第N条 …
_ASKS_ABOUT = r"(?=规定|里|中|第|有关|关于|有|的|是|要求|明确|怎么|如何|对|[，。？?]|$)"
_QUOTED_TITLE = re.compile(r"《([^》]{2,40})》" + _ASKS_ABOUT)
# A regulation named without 《》: 党组工作条例里… / 请示报告条例要求…
_REGULATION_NAME = re.compile(r"([\u4e00-\u9fff（）]{3,20}?条例)" + _ASKS_ABOUT)
_GENERIC_NAME = re.compile(r"^(有关|相关|这个|这项|这条|该|上述|国家|中央|单位|党内|上级|具体|现行|哪些|什么|按照|根据|依照|违反|"
                           r"执行|落实|贯彻|我们|本|其他|各项|各种|党纪|纪律|法律|法规)")
_NAME_LEAD = re.compile(r"^(我想问|想问|请问|问一下|我们|按照|根据|依照|违反|关于|对于|执行|落实|学习|在|的|了|是|和|与)+")
_ISSUER_PREFIX = re.compile(r"^(中华人民共和国|中国共产党|中共中央|党政机关|中央和国家机关)")
_KIND_WORDS = re.compile(r"(条例|规定|办法|准则|细则|规则)(（试行）)?$")
_LAW_NAME = re.compile(r"([\u4e00-\u9fff]{1,10}(?:法典|法))" + _ASKS_ABOUT)
_NOT_A_LAW = re.compile(r"(违法|依法|办法|方法|做法|说法|看法|立法|执法|司法|合法|非法|守法|用法|想法|书法|枉法|不法|犯法|手法)$")
_YEAR_VERSION = re.compile(r"(19[5-9][0-9]|20[0-9]{2})\s*年\s*(?:修订|修正|修改|版|印发|颁布|发布|出台|制定|新修订|试行|的《)")


class Answerer:
    """Answers questions from one index. Thread-safe for the web app (one lock around the store)."""

    def __init__(self, store: Store, retriever, llm=None):
        self.store = store
        self.retriever = retriever
        self.index = retriever.index
        self.catalog = retriever.catalog
        self.llm = llm
        self._docs: dict[str, ParsedDocument] = {}
        self._lock = threading.Lock()
        self._versions = VersionMap()

    @classmethod
    def open(cls, index_dir: str | Path, settings=None) -> "Answerer":
        """Open an index directory (building stale search indexes) for answering."""
        from assistant.search import ensure_search_index

        store = Store(index_dir)
        index, _ = ensure_search_index(store, settings)
        return cls.from_index(store, index, settings)

    @classmethod
    def from_index(cls, store: Store, index, settings=None) -> "Answerer":
        """An answerer over a loaded search index, with the LLM when one is configured."""
        from assistant.config import get_settings
        from assistant.search import make_retriever

        settings = settings or get_settings()
        llm = None
        if settings.llm_base_url:
            from assistant.llm import LLMClient

            llm = LLMClient.from_settings(settings)
        return cls(store, make_retriever(index, settings, top_k=CANDIDATE_PASSAGES), llm=llm)

    def with_filters(self, filters) -> "Answerer":
        """An answerer over the same index and documents that searches only within `filters`
        (assistant.retrieval.SearchFilters); parsed documents and version maps are shared."""
        from assistant.retrieval import QingfengRetriever

        base = self.retriever
        retriever = QingfengRetriever(base.index, base.embedder, top_k=base.top_k, filters=filters,
                                      reranker=base.reranker, relevance=base.relevance,
                                      relevance_rerank=base.relevance_rerank)
        sibling = Answerer(self.store, retriever, llm=self.llm)
        sibling._docs, sibling._lock, sibling._versions = self._docs, self._lock, self._versions
        return sibling

    def document(self, doc_id: str) -> ParsedDocument:
        with self._lock:
            if doc_id not in self._docs:
                self._docs[doc_id] = self.store.document(doc_id)
            return self._docs[doc_id]

    # The steps of answering.

    def ask(self, question: str, history: list[Turn] | None = None, use_llm: bool = True) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        first_plan = analyze(question, self.catalog)
        resolved = resolve(question, history or [], bool(first_plan.groups), first_plan.article is not None)
        result = self.retriever.search(resolved)
        plan = result.plan
        kind = question_kind(resolved if resolved != question else question, plan.article is not None)
        retrieved = time.perf_counter()

        units = self._units(result.nodes, plan, result.relevance)
        terms = QuestionTerms(resolved, self.index)
        evidence = result.answerable if result.answerable is not None else max(
            (u.relevance or 0.0 for u in units), default=0.0)
        answer = Answer(question=question, resolved_question=resolved, kind=kind.value, refused=False,
                        answer="", evidence=evidence)

        picks, reason = self._evidence(question, plan, units, terms, kind, evidence)
        if reason is not None:
            self._refuse(answer, units, reason)
        else:
            answer.citations = [self._citation(i + 1, p.unit, p.sentences) for i, p in enumerate(picks)]
            cited = {(p.unit.doc_id, p.unit.unit_index) for p in picks}
            answer.related = [self._citation(None, u, split_sentences(u.text)[:1]) for u in units
                              if (u.doc_id, u.unit_index) not in cited][:RELATED]
            answer.answer = compose_text(answer.citations, kind)
            answer.notes = [c.version_note for c in answer.citations if c.version_note]
            if plan.article is not None and not plan.groups:
                answer.notes.insert(0, f"问题未指明文件，以上按最相关的《{answer.citations[0].title}》作答；"
                                       "如指其他文件，请写明文件名称。")
            if answer.notes:
                answer.answer += "\n\n" + "\n".join(f"注意：{n}" for n in answer.notes)
        composed = time.perf_counter()
        answer.timing_ms = {"retrieve": _ms(retrieved - started), "relevance": result.relevance_ms,
                            "compose": _ms(composed - retrieved)}
        if use_llm and self.llm is not None and not answer.refused:
            from assistant.llm import rewrite_with_llm

            rewrite_with_llm(self.llm, answer)
            answer.timing_ms["llm"] = _ms(time.perf_counter() - composed)
        answer.timing_ms["total"] = _ms(time.perf_counter() - started)
        return answer

    def _evidence(self, question, plan, units, terms, kind, evidence) -> tuple[list, str | None]:
        """The sentences to quote, or why the documents do not answer the question.

        The relevance model decides: below its refusal threshold the documents do not answer;
        besides the best article, only articles at or above its citation threshold are cited."""
        missing = self.missing_source(question, plan)
        if missing is not None:
            return [], missing
        if not units:
            return [], NOT_COVERED
        routed = plan.article is not None and bool(plan.groups) and units[0].metadata.get("article") == plan.article
        thresholds = self.retriever.relevance.thresholds if self.retriever.relevance is not None else None
        if thresholds is not None and not routed:
            if evidence < thresholds.refuse:
                return [], NOT_COVERED
            best = max(units, key=lambda u: u.relevance or 0.0)
            units = [u for u in units if u is best or (u.relevance or 0.0) >= thresholds.cite]
        for rank, unit in enumerate(units):
            unit.rank = rank
        defined = defined_term(question) if kind is Kind.DEFINITION else None
        picks = pick_sentences(units, terms, kind, defined)
        quoted = [s.text for p in picks for s in p.sentences]
        if kind is Kind.STANDARD and not any(has_quantity(s) for s in quoted):
            return [], NO_NUMBER
        if asks_quantity(question) and not any(states_quantity(s) for s in quoted):
            return [], NO_NUMBER
        return picks, None

    def _units(self, nodes, plan, relevance: list[float] | None = None) -> list[Unit]:
        """The distinct articles behind the passages, best first. Unless the question asks for a
        version, an article of an older version gives way to the current version's article that
        says the same (it is then listed among the current article's earlier versions)."""
        units: list[Unit] = []
        seen: set[tuple[str, int]] = set()
        by_unit: dict[tuple[str, int], Unit] = {}
        for i, item in enumerate(nodes):
            m = item.node.metadata
            doc_id, unit_index = m["doc_id"], m["unit_index"]
            doc = self.document(doc_id)
            if doc is None or unit_index >= len(doc.units):
                continue
            if not plan.asks_version:
                doc, unit_index = self._current_counterpart(doc, unit_index)
            p = relevance[i] if relevance else None
            if (doc.doc_id, unit_index) in seen:
                unit = by_unit.get((doc.doc_id, unit_index))
                if unit is not None and p is not None:
                    unit.relevance = max(unit.relevance or 0.0, p)
                continue
            seen.add((doc.doc_id, unit_index))
            if len(units) >= CANDIDATE_UNITS:
                continue
            u = doc.units[unit_index]
            meta = m if doc.doc_id == doc_id else _unit_metadata(doc, unit_index)
            unit = Unit(len(units), doc.doc_id, unit_index, doc.text[u.start:u.end], u.start, meta, relevance=p)
            units.append(unit)
            by_unit[(doc.doc_id, unit_index)] = unit
        return units

    def _current_counterpart(self, doc: ParsedDocument, unit_index: int) -> tuple[ParsedDocument, int]:
        key = title_key(doc.meta.title)
        if key not in self.catalog.groups or len(self.catalog.groups[key]) < 2:
            return doc, unit_index
        current = self.catalog.current(key)
        if current.doc_id == doc.doc_id:
            return doc, unit_index
        target = self.document(current.doc_id)
        unit = doc.units[unit_index]
        match = self._versions.corresponding(doc.text[unit.start:unit.end], target)
        if match is None or match.similarity < SAME_ARTICLE_SIMILARITY:
            return doc, unit_index
        return target, target.units.index(match.unit)

    def missing_source(self, question: str, plan) -> str | None:
        """A named document, or a named version of one, that the knowledge base does not hold."""
        text = re.sub(r"\s+", "", question)
        for key in plan.groups:
            years = {d.year for d in self.catalog.groups[key]}
            for m in _YEAR_VERSION.finditer(text):
                year = int(m.group(1))
                known = sorted(y for y in years if y)
                if year not in years:
                    have = "、".join(f"{y}年" for y in known) or "未注明年份的"
                    return f"知识库中没有《{self.catalog.current(key).title}》的{year}年版本（现有{have}版本）。"
        if plan.groups:
            return None
        names = _QUOTED_TITLE.findall(text) + [n for n in _LAW_NAME.findall(text) if not _NOT_A_LAW.search(n)]
        names += [n for n in (_NAME_LEAD.sub("", n) for n in _REGULATION_NAME.findall(text))
                  if len(n) >= 5 and not _GENERIC_NAME.search(n)]
        for name in names:
            if len(name) >= 3 and not analyze(f"《{name}》", self.catalog).groups and not self._like_held_title(name):
                return f"知识库中没有《{name}》。"
        return None

    def _like_held_title(self, name: str) -> bool:
        """A name that is a held document's title in other words (公务接待规定 for 国内公务接待管理规定):
        nearly all of its characters pairs, the kind word aside, are in one title."""
        if any(len(alias) >= 3 and name.endswith(alias) for alias in self.catalog.aliases):
            return True  # 他算不算监察法 ends with a held document's name
        kind = _KIND_WORDS.search(name)
        core = _ISSUER_PREFIX.sub("", _KIND_WORDS.sub("", name))
        if len(core) < 2 or any(core in doc.title for doc in self.catalog.documents.values()):
            return True  # too short to tell, or a held title holds it
        pairs = {core[i:i + 2] for i in range(len(core) - 1)}
        for doc in self.catalog.documents.values():
            title = doc.title
            if kind and kind.group(1) not in title:
                continue  # a 条例 is not an 意见
            if len(pairs & {title[i:i + 2] for i in range(len(title) - 1)}) >= 0.75 * len(pairs):
                return True
        return False

    def _refuse(self, answer: Answer, units: list[Unit], reason: str) -> None:
        answer.refused = True
        answer.related = [self._citation(None, u, split_sentences(u.text)[:1]) for u in units[:RELATED]]
        lines = [REFUSAL + reason]
        if answer.related:
            lines.append("以下条文可能相关，仅供参考（不作为答案依据）：")
            lines += [f"- {c.reference}" for c in answer.related]
        answer.answer = "\n".join(lines)

    def _citation(self, marker: int | None, unit: Unit, sentences) -> Citation:
        doc = self.document(unit.doc_id)
        m = doc.meta
        spans = [(s.start, s.end) for s in sentences]
        runs = _runs(unit, sentences)
        first = sentences[0].start if sentences else 0
        citation = Citation(
            marker=marker, source=doc.source, title=m.title, version=m.version, status=m.status,
            article=unit.metadata.get("article"), article_label=unit.metadata.get("article_label") or "",
            heading=unit.metadata.get("heading", ""), page=doc.page_at(unit.start + first),
            quote="……".join(runs), text=unit.text, spans=spans, doc_id=unit.doc_id, start=unit.start,
        )
        self._note_versions(citation, unit)
        return citation

    def _note_versions(self, citation: Citation, unit: Unit) -> None:
        """Say so when the cited version is not the newest one in the index, and name the current article."""
        key = title_key(citation.title)
        if key not in self.catalog.groups or len(self.catalog.groups[key]) < 2:
            return
        current = self.catalog.current(key)
        if current.doc_id == citation.doc_id:
            for older in sorted(self.catalog.groups[key], key=lambda d: -(d.year or 0)):
                if older.doc_id == current.doc_id:
                    continue
                doc = self.document(older.doc_id)
                match = self._versions.corresponding(unit.text, doc)
                if match is not None:
                    u = match.unit
                    citation.earlier_versions.append(EarlierVersion(
                        source=doc.source, title=doc.meta.title, version=doc.meta.version,
                        article=u.number if u.kind == "article" else None, article_label=u.label,
                        text=doc.text[u.start:u.end], start=u.start))
            return
        citation.current = False
        match = self._versions.corresponding(unit.text, self.document(current.doc_id))
        where = f"《{current.title}》（{current.version or '现行版本'}）"
        cited = f"[{citation.marker}]" if citation.marker else "该条"
        if match is None:
            citation.version_note = f"{cited}引自已被修订的版本（{citation.version}）；现行{where}中未找到对应条文，请以现行版本为准。"
        else:
            label = match.unit.label or "对应条目"
            citation.version_note = (f"{cited}引自已被修订的版本（{citation.version}）；现行{where}对应条文为{label}："
                                     f"“{_first_sentence(match.unit.text)}”")


def _unit_metadata(doc: ParsedDocument, unit_index: int) -> dict:
    """The metadata a passage of this unit would carry (for an article reached across versions)."""
    from ingest.chunking import HEADING_SEPARATOR

    u = doc.units[unit_index]
    return {"doc_id": doc.doc_id, "title": doc.meta.title, "unit_index": unit_index,
            "article": u.number if u.kind == "article" else None, "article_label": u.label,
            "heading": HEADING_SEPARATOR.join(u.heading), "status": doc.meta.status, "version": doc.meta.version}


def _runs(unit: Unit, sentences) -> list[str]:
    """Adjacent quoted sentences as one verbatim run (the text between them included)."""
    order = {s: i for i, s in enumerate(unit.sentences or split_sentences(unit.text))}
    runs: list[list] = []
    for s in sorted(sentences, key=lambda s: s.start):
        if runs and order.get(s, -9) == order.get(runs[-1][-1], -9) + 1:
            runs[-1].append(s)
        else:
            runs.append([s])
    return [unit.text[r[0].start:r[-1].end] for r in runs]


def _first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    first = sentences[0].text if sentences else text
    return first if len(first) <= 80 else first[:80] + "……"


def _article_name(c: Citation) -> str:
    if c.article_label.strip():
        return display_label(c.article_label)
    if c.article:
        return f"第{to_chinese(c.article)}条"
    return c.heading.split(" › ")[-1] if c.heading else ""


def compose_text(citations: list[Citation], kind: Kind) -> str:
    """The answer: one templated line per cited article, quoting its sentences, with markers."""
    lines = []
    for i, c in enumerate(citations):
        version = f"（{c.version}）" if c.version and c.version != "n/a" else ""
        where = f"《{c.title}》{version}{_article_name(c)}"
        lead = "根据" if i == 0 else "另据"
        verb = "全文" if kind is Kind.LOOKUP and i == 0 else "规定"
        lines.append(f"{lead}{where}{verb}：“{c.quote}”[{c.marker}]")
    return "\n".join(lines)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


class Conversation:
    """One user's chat: each question is answered with the earlier turns as context."""

    def __init__(self, answerer: Answerer):
        self.answerer = answerer
        self.turns: list[Turn] = []

    def ask(self, question: str, use_llm: bool = True) -> Answer:
        answer = self.answerer.ask(question, self.turns, use_llm=use_llm)
        self.turns.append(Turn(question, answer.resolved_question, [c.title for c in answer.citations]))
        return answer
