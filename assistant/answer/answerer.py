"""Cited answers: retrieve, decide whether the documents answer the question, quote the sentences
that do, and trace every quote to 《title》(version) 第X条, heading and page.

    answerer = Answerer.open(index_dir)
    answer = answerer.ask("操办婚丧喜庆要不要报告？")
    answer.answer, answer.citations, answer.refused

The default path needs no LLM. An optional LLM (llm.py) rewrites the same sources.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from pathlib import Path

from assistant.answer.article_versions import meant_version
from assistant.answer.case import RETROACTIVE, category, general_rules, imposes_sanction, is_case
from assistant.answer.comparison import Sides, comparison_sides, side_question
from assistant.answer.compose import Unit, pick_sentences
from assistant.answer.conversation import Turn, resolve
from assistant.answer.lead import lead_for
from assistant.answer.models import Answer, CaseAnalysis, CaseRule, Citation, CitedRow, ComparisonSide, EarlierVersion
from assistant.answer.named_sources import missing_source
from assistant.answer.overview import asks_about_document, describe, purpose_sentences, purpose_unit
from assistant.answer.table_rows import answers, missing_rows
from assistant.retrieval.question_kind import Kind, asks_quantity, has_quantity, question_kind, states_quantity
from assistant.retrieval.relevance import squash
from assistant.retrieval.retriever import defined_term
from assistant.retrieval.routing import analyze
from assistant.retrieval.terms import QuestionTerms
from assistant.retrieval.versions import VersionMap
from assistant.sentences import split_sentences
from ingest.access import may_read
from ingest.metadata import title_key
from ingest.models import ParsedDocument
from ingest.numerals import to_chinese
from ingest.store import Store
from ingest.structure import display_label, table_place, unit_place

REFUSAL = "知识库中未找到直接依据。"
RELATED_INTRO = "以下条文可能相关，仅供参考（不作为答案依据）："
NOT_COVERED = "知识库中没有涵盖这一问题的文件。"
NO_NUMBER = "所找到的条文中没有问题所问的具体标准或数额。"
CANDIDATE_PASSAGES = 10  # passages retrieval hands to the composer
CANDIDATE_UNITS = 8  # distinct articles among them
COMPARISON = "comparison"  # the kind of an answer to "A和B的区别" (not a question_kind.Kind)
TERM_OF_ART_LENGTH = 10  # a comparison side this short (and not "…行为") is a term an article names
RELATED = 3  # articles listed as related (not cited) after an answer or a refusal
SAME_ARTICLE_SIMILARITY = 0.5  # an older article this close to a current one is the same rule
SEARCH_CACHE = 512  # recent searches kept per answerer (a new index brings a new answerer, so none go stale)


class Answerer:
    """Answers questions from one index. Thread-safe for the web app (one lock around the store)."""

    def __init__(self, store: Store, retriever, llm=None):
        self.store = store
        self.retriever = retriever
        self.index = getattr(retriever, "stats_index", retriever.index)  # a reader's word statistics
        self.catalog = retriever.catalog
        self.llm = llm
        self._docs: dict[str, ParsedDocument] = {}
        self._lock = threading.Lock()
        self._versions = VersionMap()
        # The same question asked again (an example clicked, a popular question) skips retrieval:
        # a search is a pure function of the question within one index and one filter set.
        self._search = functools.lru_cache(maxsize=SEARCH_CACHE)(retriever.search)

    @classmethod
    def open(cls, index_dir: str | Path, settings=None) -> "Answerer":
        """Open an index directory (building stale search indexes) for answering."""
        from assistant.retrieval.build import ensure_search_index

        store = Store(index_dir)
        index, _ = ensure_search_index(store, settings)
        return cls.from_index(store, index, settings)

    @classmethod
    def from_index(cls, store: Store, index, settings=None) -> "Answerer":
        """An answerer over a loaded search index, with the LLM when one is configured."""
        from assistant.config import get_settings
        from assistant.retrieval.build import make_retriever

        settings = settings or get_settings()
        llm = None
        if settings.llm_base_url:
            from assistant.answer.llm import LLMClient

            llm = LLMClient.from_settings(settings)
        return cls(store, make_retriever(index, settings, top_k=CANDIDATE_PASSAGES, for_answers=True), llm=llm)

    def with_filters(self, filters) -> "Answerer":
        """An answerer over the same index and documents that searches only within `filters`
        (assistant.retrieval.SearchFilters); parsed documents and version maps are shared."""
        from assistant.retrieval.retriever import QingfengRetriever

        base = self.retriever
        retriever = QingfengRetriever(base.index, base.embedder, top_k=base.top_k, filters=filters,
                                      reranker=base.reranker, relevance=base.relevance,
                                      relevance_rerank=base.relevance_rerank)
        sibling = Answerer(self.store, retriever, llm=self.llm)
        sibling._docs, sibling._lock, sibling._versions = self._docs, self._lock, self._versions
        return sibling

    def for_groups(self, groups: frozenset[str] | None) -> "Answerer":
        """An answerer for a reader in `groups` (None: one who may read everything): documents
        outside them are not searched, named, cited, listed or counted (SearchFilters.groups)."""
        from dataclasses import replace

        if groups is None:
            return self
        return self.with_filters(replace(self.retriever.filters, groups=frozenset(groups)))

    @property
    def groups(self) -> frozenset[str] | None:
        return self.retriever.filters.groups

    def document(self, doc_id: str) -> ParsedDocument | None:
        """A stored document, or None when it is gone or this answerer's reader may not read it."""
        with self._lock:
            if doc_id not in self._docs:
                self._docs[doc_id] = self.store.document(doc_id)
            doc = self._docs[doc_id]
        return doc if doc is not None and may_read(doc.meta.access, self.groups) else None

    # The steps of answering.

    def ask(self, question: str, history: list[Turn] | None = None, use_llm: bool = True) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        first_plan = analyze(question, self.catalog)
        resolved = resolve(question, history or [], bool(first_plan.groups), first_plan.article is not None)
        result = self._search(resolved)
        plan = result.plan
        meant = meant_version(resolved, plan, self.catalog, self.document)
        if meant is not None:  # 第N条 of an older version is what the question is about
            result = self._search(f"{meant.document.year}年版{resolved}")
            plan = result.plan
        kind = question_kind(resolved if resolved != question else question, plan.article is not None)
        retrieved = time.perf_counter()

        units = self._units(result.nodes, plan, result.relevance)
        terms = QuestionTerms(resolved, self.index)
        evidence = result.answerable if result.answerable is not None else max(
            (u.relevance or 0.0 for u in units), default=0.0)
        answer = Answer(question=question, resolved_question=resolved, kind=kind.value, refused=False,
                        answer="", evidence=evidence)

        if plan.named_document is not None and asks_about_document(resolved) and self._overview(answer, plan.named_document):
            answer.timing_ms = {"retrieve": _ms(retrieved - started), "total": _ms(time.perf_counter() - started)}
            return answer
        picks, reason = self._evidence(question, plan, units, terms, kind, evidence)
        if reason is not None:
            self._refuse(answer, units, reason)
        else:
            answer.citations = [self._citation(i + 1, p.unit, p.sentences) for i, p in enumerate(picks)]
            cited = {(p.unit.doc_id, p.unit.unit_index) for p in picks}
            answer.related = [self._citation(None, u, split_sentences(u.text)[:1]) for u in units
                              if (u.doc_id, u.unit_index) not in cited][:RELATED]
            lead = lead_for(resolved, kind, answer.citations)
            answer.lead = lead.text if lead is not None else None
            answer.answer = "\n".join(x for x in (answer.lead, compose_text(answer.citations, kind)) if x)
            if is_case(resolved):
                self._add_case(answer)
            answer.notes = [c.version_note for c in answer.citations if c.version_note]
            if meant is not None:
                answer.notes.insert(0, f"问题所说的第{to_chinese(plan.article)}条按《{meant.document.title}》"
                                       f"{meant.document.year}年版理解：该版本此条的内容与问题相符，现行"
                                       f"{meant.current.year}年版的同号条文规定的是其他内容。")
            if plan.article is not None and not plan.groups:
                answer.notes.insert(0, f"问题未指明文件，以上按最相关的《{answer.citations[0].title}》作答；"
                                       "如指其他文件，请写明文件名称。")
            if answer.notes:
                answer.answer += "\n\n" + "\n".join(f"注意：{n}" for n in answer.notes)
        # A comparison ("A和B有什么区别") that the documents cover (the whole question passes the same
        # refusal checks first): each side looked up and cited on its own.
        sides = comparison_sides(resolved) if not answer.refused else None
        if sides is not None:
            compared = self._compare(question, resolved, sides, started)
            if compared.citations:
                return compared
        composed = time.perf_counter()
        answer.timing_ms = {"retrieve": _ms(retrieved - started), "relevance": result.relevance_ms,
                            "compose": _ms(composed - retrieved)}
        if use_llm and self.llm is not None and not answer.refused:
            from assistant.answer.llm import rewrite_with_llm

            rewrite_with_llm(self.llm, answer)
            answer.timing_ms["llm"] = _ms(time.perf_counter() - composed)
        answer.timing_ms["total"] = _ms(time.perf_counter() - started)
        return answer

    def _compare(self, question: str, resolved: str, sides: Sides, started: float) -> Answer:
        """Each side looked up on its own and cited; the answer lays them side by side."""
        answer = Answer(question=question, resolved_question=resolved, kind=COMPARISON, refused=False, answer="")
        found = [(term, self.ask(side_question(term, sides), use_llm=False)) for term in (sides.a, sides.b)]
        seen: dict[tuple[str, int | None], int] = {}
        lines = [f"“{sides.a}”与“{sides.b}”的规定对照如下："]
        firsts = [(side.citations[0].doc_id, side.citations[0].start) if side.citations else None for _, side in found]
        for term, side in found:
            # Both sides looked up to one article: a side that article does not name is not found there.
            # A term of art (a crime, a sanction, a named rule: short, not a described conduct) must
            # be named by the article cited for it.
            named = side.citations and squash(term).removesuffix("行为") in squash(side.citations[0].text)
            shared = firsts[0] is not None and firsts[0] == firsts[1]
            term_of_art = len(term) <= TERM_OF_ART_LENGTH and not term.endswith("行为")
            if side.refused or not side.citations or ((shared or term_of_art) and not named):
                answer.comparison.append(ComparisonSide(term=term))
                lines.append(f"{term}：知识库中未找到直接规定。")
                continue
            first = side.citations[0]
            key = (first.doc_id, first.start)
            if key not in seen:
                marker = len(answer.citations) + 1
                cited = first.model_copy(update={"marker": marker, "version_note": first.version_note and
                                                 first.version_note.replace(f"[{first.marker}]", f"[{marker}]")})
                answer.citations.append(cited)
                seen[key] = marker
            marker = seen[key]
            answer.comparison.append(ComparisonSide(term=term, marker=marker))
            line = compose_text([answer.citations[marker - 1]], Kind.DEFINITION)
            lines.append(f"{term}：{line}")
        if answer.citations:
            cited = {(c.doc_id, c.start) for c in answer.citations}
            answer.related = [c for _, side in found for c in side.related + side.citations[1:]
                              if (c.doc_id, c.start) not in cited][:RELATED]
            for c in answer.related:
                c.marker = None
            answer.notes = [c.version_note for c in answer.citations if c.version_note]
            answer.answer = "\n".join(lines)
            if answer.notes:
                answer.answer += "\n\n" + "\n".join(f"注意：{n}" for n in answer.notes)
        answer.evidence = min(side.evidence for _, side in found)
        answer.timing_ms = {"total": _ms(time.perf_counter() - started)}
        return answer

    def _add_case(self, answer: Answer) -> None:
        """A case description: what kind of violation the conduct's article is (its chapter), the
        general rules of the same document on lighter and heavier sanctions and on conduct before
        this version took effect (cited), and the article's earlier versions."""
        first = answer.citations[0]
        doc = self.document(first.doc_id)
        unit_index = next((i for i, u in enumerate(doc.units) if u.start == first.start), None)
        if unit_index is None or not imposes_sanction(first.text):
            return
        case = CaseAnalysis(conduct=first.marker, category=category(first.heading))
        rules = general_rules(doc, unit_index)
        if case.category is None and not rules:  # not an article of a sanctions code: nothing to add
            return
        qualification = [f"定性：所述行为符合{_article_name(first)}所列情形的，属于{case.category}的行为"
                         f"（该条列于“{first.heading.split(' › ')[-1]}”）[{first.marker}]。"] if case.category else []
        after = ["适用的总则规定："] if rules else []
        for rule in rules:
            unit = doc.units[rule.unit_index]
            text = doc.text[unit.start:unit.end]
            sentences = [s for s in split_sentences(text) if rule.key in s.text][:1] or split_sentences(text)[:1]
            marker = len(answer.citations) + 1
            cited = self._citation(marker, Unit(0, doc.doc_id, rule.unit_index, text, unit.start,
                                                _unit_metadata(doc, rule.unit_index)), sentences)
            answer.citations.append(cited)
            case.general.append(CaseRule(role=rule.role, marker=marker))
            after.append(f"- {rule.role}：{_article_name(cited)}：“{cited.quote}”[{marker}]")
        if first.earlier_versions:
            history = "、".join(f"{e.version}年版{display_label(e.article_label) or '对应条文'}" if e.version
                               else display_label(e.article_label) for e in first.earlier_versions)
            line = f"版本沿革：{_article_name(first)}在{history}有对应规定"
            if any(r.role == RETROACTIVE for r in rules):
                line += "；行为发生在旧版本施行期间的，按上列“行为发生在本版本施行前”的规定确定适用的版本"
            after.append(line + "。")
        answer.case = case
        # the first sentence, then the qualification, the quotes, and the general rules and history
        lead, _, quotes = answer.answer.partition("\n") if answer.lead else ("", "", answer.answer)
        answer.answer = "\n".join(x for x in (lead, *qualification, quotes, *after) if x)

    def _evidence(self, question, plan, units, terms, kind, evidence) -> tuple[list, str | None]:
        """The sentences to quote, or why the documents do not answer the question.

        The relevance model decides: below its refusal threshold the documents do not answer;
        besides the best article, only articles at or above its citation threshold are cited."""
        missing = self.missing_source(question, plan)
        if missing is not None:
            return [], missing
        units, missing_row = self._without_other_rows(units, question)
        if missing_row is not None:
            return [], missing_row
        if not units:
            return [], NOT_COVERED
        routed = plan.article is not None and bool(plan.groups) and units[0].metadata.get("article") == plan.article
        thresholds = self.retriever.relevance.thresholds if self.retriever.relevance is not None else None
        if thresholds is not None and not routed:
            if evidence < thresholds.refuse:
                return [], NOT_COVERED
            best = max(units, key=lambda u: u.relevance or 0.0)
            kept = [u for u in units if u is best or (u.relevance or 0.0) >= thresholds.cite]
            units = self._rows_first(kept, [u for u in units if u not in kept], question)
        for rank, unit in enumerate(units):
            unit.rank = rank
        defined = defined_term(question) if kind is Kind.DEFINITION else None
        picks = pick_sentences(units, terms, kind, defined, whole=_named_at_top(units, plan, self.catalog))
        quoted = [s.text for p in picks for s in p.sentences]
        # (states_quantity also reads "七个工作日", which the relevance model's has_quantity feature,
        # fixed until it is retrained, does not)
        if kind is Kind.STANDARD and not any(has_quantity(s) or states_quantity(s) for s in quoted):
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

    def _without_other_rows(self, units: list[Unit], question: str) -> tuple[list[Unit], str | None]:
        """Table rows that do not answer the question (it names another row, or a column the table
        lacks: answer/table_rows.py) are left out. When the question names a row the best-ranked
        table does not have ("四类培训"), that is why the documents do not answer it."""
        kept, missing = [], None
        for unit in units:
            doc = self.document(unit.doc_id)
            row = doc.units[unit.unit_index].table_row
            if row is not None:
                keys = [u.table_row.cells[0] for u in doc.table_of(doc.units[unit.unit_index]) if u.table_row.cells]
                absent = missing_rows(question, keys)
                if absent and missing is None:
                    where = table_place(doc.units[unit.unit_index])
                    missing = (f"《{doc.meta.title}》{where}中没有“{'、'.join(absent)}”"
                               f"（表中只有{'、'.join(keys)}）。")
                if not answers(question, row, keys, doc.meta.title):
                    continue
            kept.append(unit)
        return kept, missing

    def _rows_first(self, kept: list[Unit], others: list[Unit], question: str) -> list[Unit]:
        """A table row the question names by its first cell ("一类培训") is a more exact source than
        the article holding the table: when that article is cited, the row goes before it (the row
        is part of the article's text, so the article's relevance holds for it)."""
        asked = re.sub(r"\s+", "", question)
        units = list(kept)
        for unit in [*kept, *others]:
            row = self.document(unit.doc_id).units[unit.unit_index].table_row
            key = row.cells[0] if row and row.cells else ""
            if len(key) < 2 or key not in asked:
                continue
            before = units[:units.index(unit)] if unit in units else units
            holder = next((u for u in before if u.doc_id == unit.doc_id and u.start <= unit.start < u.start + len(u.text)), None)
            if holder is not None:
                if unit in units:
                    units.remove(unit)
                units.insert(units.index(holder), unit)
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
        return missing_source(question, plan, self.catalog)

    def _refuse(self, answer: Answer, units: list[Unit], reason: str) -> None:
        answer.refused = True
        answer.related = [self._citation(None, u, split_sentences(u.text)[:1]) for u in units[:RELATED]]
        lines = [REFUSAL + reason]
        if answer.related:
            lines.append(RELATED_INTRO)
            lines += [f"- {c.reference}" for c in answer.related]
        answer.answer = "\n".join(lines)

    def _overview(self, answer: Answer, doc_id: str) -> bool:
        """Answer what the document a 文号 names is: its title, issuer and date, and the sentence
        stating its purpose, cited. False when the reader may not read it."""
        doc = self.document(doc_id)
        if doc is None or not doc.units:
            return False
        index = purpose_unit(doc)
        u = doc.units[index]
        text = doc.text[u.start:u.end]
        cited = self._citation(1, Unit(0, doc.doc_id, index, text, u.start, _unit_metadata(doc, index)),
                               purpose_sentences(text))
        answer.citations = [cited]
        lines = [describe(doc), f"其{_article_name(cited)}说明了制定目的：“{cited.quote}”[1]"]
        if doc.meta.attachments:
            lines.append("附件：" + "；".join(doc.meta.attachments) + "。")
        answer.answer = "\n".join(lines)
        answer.evidence = 1.0
        return True

    def _citation(self, marker: int | None, unit: Unit, sentences) -> Citation:
        doc = self.document(unit.doc_id)
        m = doc.meta
        spans = [(s.start, s.end) for s in sentences]
        runs = _runs(unit, sentences)
        first = sentences[0].start if sentences else 0
        citation = Citation(
            marker=marker, source=doc.source, title=m.title, version=m.version, status=m.status,
            article=unit.metadata.get("article"), article_label=unit.metadata.get("article_label") or "",
            article_suffix=unit.metadata.get("article_suffix"), place=unit_place(doc.units, unit.unit_index),
            heading=unit.metadata.get("heading", ""), page=doc.page_at(unit.start + first),
            quote="……".join(runs), text=unit.text, spans=spans, doc_id=unit.doc_id, start=unit.start,
            doc_number=m.doc_number, secrecy=m.secrecy, ocr_used=doc.ocr_used,
            table_row=_cited_row(doc.units[unit.unit_index]),
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


def _named_at_top(units: list[Unit], plan, catalog) -> int:
    """How many of the first articles are ones the question names with their documents (at least 1)."""
    named = set(plan.named_articles)
    count = 0
    for unit in units:
        key = title_key(catalog.documents[unit.doc_id].title) if unit.doc_id in catalog.documents else None
        if (key, unit.metadata.get("article")) not in named:
            break
        count += 1
    return max(count, 1)


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
    if c.place:
        return c.place
    if c.article_label.strip():
        return display_label(c.article_label)
    if c.article:
        return f"第{to_chinese(c.article)}条"
    return c.heading.split(" › ")[-1] if c.heading else ""


def compose_text(citations: list[Citation], kind: Kind) -> str:
    """The answer: one templated line per cited article, quoting its sentences, with markers; a
    table row is read out with its column names."""
    lines = []
    for i, c in enumerate(citations):
        version = f"（{c.version}）" if c.version and c.version != "n/a" else ""
        where = f"《{c.title}》{version}{_article_name(c)}"
        lead = "根据" if i == 0 else "另据"
        if c.table_row is not None:
            caption = f"（{c.table_row.caption_phrase()}）" if c.table_row.caption else ""
            lines.append(f"{lead}{where}{caption}：{c.table_row.statement()}。[{c.marker}]")
            continue
        verb = "全文" if kind is Kind.LOOKUP and i == 0 else "规定"
        lines.append(f"{lead}{where}{verb}：“{c.quote}”[{c.marker}]")
    return "\n".join(lines)


def _cited_row(unit) -> CitedRow | None:
    row = unit.table_row
    if row is None:
        return None
    return CitedRow(**row.model_dump())


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
