"""Retrievers (llama-index interface): BM25 only, dense only, hybrid (reciprocal-rank fusion),
and the product pipeline, which adds routing (document / article / version), version
preference, everyday-word bridging, metadata filters, de-duplication and an optional reranker."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.index import ReaderView, SearchIndex
from assistant.retrieval.lexicon import expand_colloquial, segmenter
from assistant.retrieval.relevance import Passage, QuestionContext, RelevanceModel
from assistant.retrieval.routing import Catalog, DocumentInfo, QueryPlan, analyze
from assistant.textsim import article_pairs, jaccard
from ingest.access import may_read
from ingest.metadata import title_key
from ingest.red_header import normalize_doc_number

RRF_K = 60
CANDIDATES = 100
QUOTE_BONUS = 0.1  # a passage holding words the question quotes
DEFINITION_BONUS = 0.05  # a passage defining the term a question asks about
FULL_SCAN_LIMIT = 50_000  # up to this many chunks, quotes are looked for in every chunk
RERANK_WEIGHT = 0.85  # of the relevance model against the retriever's score, chosen on the team's held-out questions
PHRASE_BONUS = 0.2  # a passage holding the question's words verbatim (a pasted sentence)
PHRASE_WINDOW = 10  # characters of a verbatim run looked for …
PHRASE_STRIDE = 3  # … every this many characters of the question
PHRASE_MAX_WINDOWS = 12  # at most this many runs looked for in a long question
PHRASE_DISTINCT_ROWS = 8  # a run found in more passages than this is boilerplate, not a source

_QUOTE = re.compile(r"“([^”]{2,80})”|\"([^\"]{2,80})\"|「([^」]{2,80})」|‘([^’]{2,80})’|『([^』]{2,80})』")
_DEFINITION_ASK = re.compile(
    r"([\u4e00-\u9fff（）()、]{2,20}?)(?:”|\")?(?:是什么意思|是什么|是指什么|指什么|指的是什么|怎么界定|如何界定|怎样界定|"
    r"怎么认定|如何认定|的定义|的含义|包括哪些|包括什么|都包括什么|有哪些|分哪几|分为哪)")
_QUESTION_LEAD = re.compile(r"^(请问|什么是|何为|何谓|所谓|条例里的|条例中的|规定里的|规定中的|法里的|里说的|中说的|里的|中的|说的|的)+")


def quoted_phrases(question: str) -> list[str]:
    found = []
    for groups in _QUOTE.findall(question):
        phrase = next(g for g in groups if g)
        phrase = re.sub(r"\s+", "", phrase).strip("，。；、：,.;:")
        if len(phrase) >= 2:
            found.append(phrase)
    return found


def defined_term(question: str) -> str | None:
    """The term a definition question asks about: 什么是X / X是指什么 / "X"怎么界定 / X包括哪些."""
    quotes = [q for q in quoted_phrases(question) if len(q) <= 20]
    if quotes:
        return quotes[0]
    m = re.search(r"(?:什么是|何为|何谓)([\u4e00-\u9fff]{2,15})", question)
    if m:
        return m.group(1)
    m = _DEFINITION_ASK.search(re.sub(r"[“”\"「」]", "", question))
    if m:
        term = re.split(r"[的里中说]", m.group(1))[-1] if len(m.group(1)) > 6 else m.group(1)
        term = _QUESTION_LEAD.sub("", term)
        return term if len(term) >= 2 else None
    return None


def defines(text: str, term: str) -> bool:
    t = re.escape(term)
    return re.search(rf"所称{t}|{t}[”\"]?[，,]?(是指|指|包括|分为|，是)", text) is not None


@dataclass
class SearchResult:
    """The passages for a question, best first, with how the question was read and, when a
    relevance model is set, P(passage answers the question) for each passage."""

    nodes: list[NodeWithScore]
    plan: QueryPlan
    passages: list[Passage]  # what retrieval knows of each node (same order)
    relevance: list[float] | None = None
    answerable: float | None = None  # P(the documents answer the question), from the same model
    relevance_ms: float = 0.0  # time the relevance model took (features and both predictions)


@dataclass
class SearchFilters:
    """Metadata filters: documents (doc_id, title or 文号), doc types, issuers (发文机关), statuses,
    superseded versions, and
    the reader's access groups (None: the reader may read everything; see ingest/access.py).

    The groups are enforced here, before anything is ranked: a document the reader may not read
    is not searched, not in the catalog (named documents, versions, article lookup) and not
    returned, on either backend (Milvus gets the kept documents as its filter expression)."""

    documents: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    include_superseded: bool = True
    groups: frozenset[str] | None = None

    def readable(self, meta: dict | None) -> bool:
        return meta is not None and may_read(meta.get("access"), self.groups)

    def mask(self, index: SearchIndex) -> np.ndarray | None:
        if not (self.documents or self.doc_types or self.issuers or self.statuses or not self.include_superseded
                or self.groups is not None):
            return None
        numbers = {normalize_doc_number(d) for d in self.documents}
        keep = np.ones(len(index), dtype=bool)
        for doc_id, rows in index.rows_by_doc.items():  # every filter keeps or drops whole documents
            m = index.doc_meta.get(doc_id)
            if m is None:
                continue
            if not self.readable(m):
                keep[rows] = False
            elif self.documents and doc_id not in self.documents and m["title"] not in self.documents \
                    and title_key(m["title"]) not in self.documents and m.get("doc_number") not in numbers:
                keep[rows] = False
            elif self.doc_types and m["doc_type"] not in self.doc_types:
                keep[rows] = False
            elif self.issuers and m.get("issuer") not in self.issuers:
                keep[rows] = False
            elif self.statuses and m["status"] not in self.statuses:
                keep[rows] = False
            elif not self.include_superseded and m["status"] != "现行有效":
                keep[rows] = False
        return keep


def catalog_from_store(store, groups: frozenset[str] | None = None) -> Catalog:
    """The stored documents a reader in `groups` may read (None: all), as that reader sees them."""
    return _reader_catalog([(DocumentInfo(d.doc_id, d.title, d.meta.version, d.meta.status, d.meta.doc_type, d.meta.doc_number),
                             d.meta.access)
                            for d in store.documents()], groups)


def catalog_of(index: SearchIndex, groups: frozenset[str] | None = None) -> Catalog:
    """The documents of an index a reader in `groups` may read (None: all), as that reader sees them."""
    return _reader_catalog([(DocumentInfo(doc_id, m["title"], m.get("version"), m["status"], m["doc_type"], m.get("doc_number")),
                             m.get("access"))
                            for doc_id, m in index.doc_meta.items()], groups)


def _reader_catalog(documents: list[tuple[DocumentInfo, list[str] | None]], groups: frozenset[str] | None) -> Catalog:
    """A catalog of the documents a reader may read. Where a title's in-force version is hidden
    from the reader, the newest readable one is the one the reader's answers treat as current
    (no note points to a version the reader cannot see; the status shown stays the document's own)."""
    readable = [info for info, access in documents if may_read(access, groups)]
    catalog = Catalog.build(readable)
    if len(readable) == len(documents):
        return catalog
    for key, docs in catalog.groups.items():
        if not any(d.status == "现行有效" for d in docs):
            newest = catalog.current(key)
            docs[docs.index(newest)] = catalog.documents[newest.doc_id] = replace(newest, status="现行有效")
    return catalog


def _ranked(scores: np.ndarray, mask: np.ndarray | None, k: int) -> list[int]:
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, len(scores))
    if k == 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(r) for r in top if np.isfinite(scores[r]) and scores[r] > 0]


class _IndexRetriever(BaseRetriever):
    def __init__(self, index: SearchIndex, embedder: Embedder | None = None, top_k: int = 10,
                 filters: SearchFilters | None = None):
        super().__init__()
        self.index, self.embedder, self.top_k = index, embedder, top_k
        self.filters = filters or SearchFilters()
        # The word statistics a reader's search and features use: those of what they may read.
        self.stats_index: SearchIndex | ReaderView = index
        if self.filters.groups is not None:
            visible = SearchFilters(groups=self.filters.groups).mask(index)
            if visible is not None and not visible.all():
                self.stats_index = ReaderView(index, visible)

    def _nodes(self, rows_scores: list[tuple[int, float]]) -> list[NodeWithScore]:
        return [NodeWithScore(node=self.index.nodes[r], score=float(s)) for r, s in rows_scores[: self.top_k]]

    def lexical_rows(self, question: str, mask, extra_terms: list[str] | None = None) -> list[int]:
        return [r for r, _ in self.lexical_hits(question, mask, extra_terms)]

    def lexical_hits(self, question: str, mask, extra_terms: list[str] | None = None) -> list[tuple[int, float]]:
        tokens = segmenter().tokens(question)
        weights = None
        if extra_terms:
            extra = [t for term in extra_terms for t in segmenter().tokens(term)]
            weights = {t: 0.5 for t in extra if t not in tokens}
            tokens = tokens + [t for t in extra if t not in tokens]
        if isinstance(self.stats_index, ReaderView):  # BM25 weights with the reader's idf
            weights = {t: (weights or {}).get(t, 1.0) * self.stats_index.idf_ratio(t) for t in tokens}
        scores = self.index.lexical_scores(tokens, weights, mask=mask)
        return [(r, float(scores[r])) for r in _ranked(scores, mask, CANDIDATES)]

    def dense_rows(self, question: str, mask) -> list[int]:
        return [r for r, _ in self.dense_hits(question, mask)]

    def dense_hits(self, question: str, mask) -> list[tuple[int, float]]:
        vector = self.embedder.embed_queries([question])[0]
        # A filter applied after the search needs more candidates; a backend that filters while
        # searching (Milvus) returns CANDIDATES that all pass.
        k = CANDIDATES if mask is None or self.index.filters_in_search else min(len(self.index), CANDIDATES * 10)
        rows, scores = self.index.dense_search(vector, k, mask=mask)
        return [(int(r), float(s)) for r, s in zip(rows, scores) if mask is None or mask[r]][:CANDIDATES]


def rrf(*rankings: list[int], weights: tuple[float, ...] | None = None) -> dict[int, float]:
    fused: dict[int, float] = {}
    for i, ranking in enumerate(rankings):
        w = weights[i] if weights else 1.0
        for rank, row in enumerate(ranking):
            fused[row] = fused.get(row, 0.0) + w / (RRF_K + rank + 1)
    return fused


class BM25Retriever(_IndexRetriever):
    """Lexical only: BM25 over jieba words."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        mask = self.filters.mask(self.index)
        rows = self.lexical_rows(query_bundle.query_str, mask)
        return self._nodes([(r, 1.0 / (i + 1)) for i, r in enumerate(rows)])


class DenseRetriever(_IndexRetriever):
    """Dense only: the embedding model over FAISS."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        mask = self.filters.mask(self.index)
        rows = self.dense_rows(query_bundle.query_str, mask)
        return self._nodes([(r, 1.0 / (i + 1)) for i, r in enumerate(rows)])


class HybridRetriever(_IndexRetriever):
    """BM25 and dense, fused by reciprocal rank."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        mask = self.filters.mask(self.index)
        q = query_bundle.query_str
        fused = rrf(self.lexical_rows(q, mask), self.dense_rows(q, mask))
        return self._nodes(sorted(fused.items(), key=lambda kv: -kv[1]))


class QingfengRetriever(_IndexRetriever):
    """The product pipeline."""

    SUPERSEDED_FACTOR = 0.5  # an old version's passage whose text the current version still has
    CHANGED_FACTOR = 1.0  # an old version's passage the current version changed or dropped
    TWIN_SIMILARITY = 0.6  # character-bigram overlap above which two passages say the same
    NAMED_DOCUMENT_FACTOR = 2.0

    RELEVANCE_DEPTH = 20  # passages the relevance model scores (and re-ranks, when on)

    def __init__(self, index: SearchIndex, embedder: Embedder, top_k: int = 10,
                 filters: SearchFilters | None = None, reranker=None,
                 relevance: RelevanceModel | None = None, relevance_rerank: bool = True):
        super().__init__(index, embedder, top_k, filters)
        self.catalog = catalog_of(index, self.filters.groups)
        self.reranker = reranker
        self.relevance = relevance
        self.relevance_rerank = relevance_rerank
        self._group_of = {doc_id: title_key(d.title) for doc_id, d in self.catalog.documents.items()}
        self._twins: dict[int, float] = {}
        self._bigram_cache: dict[int, set[str]] = {}

    def _article_rows(self, doc: DocumentInfo, number: int, suffix: int = 0) -> list[int]:
        """Rows of article `number` (之`suffix`); in a document without articles, of outline item `number`."""
        rows = self.index.rows_by_doc.get(doc.doc_id, [])
        found = [r for r in rows if self.index.nodes[r].metadata.get("article") == number
                 and (self.index.nodes[r].metadata.get("article_suffix") or 0) == suffix]
        if found or any(self.index.nodes[r].metadata.get("article") is not None for r in rows):
            return found
        labels = _outline_labels(number)
        return [r for r in rows if self.index.nodes[r].metadata.get("article_label") in labels
                or self.index.nodes[r].metadata.get("heading", "").startswith(labels)]

    FUSION = "convex"  # or "rrf"; convex measured better on the dev questions (evals/README.md)
    LEXICAL_WEIGHT = 0.5

    def fuse(self, lexical: list[tuple[int, float]], dense: list[tuple[int, float]]) -> dict[int, float]:
        if self.FUSION == "rrf":
            return rrf([r for r, _ in lexical], [r for r, _ in dense])
        # Convex combination of max-normalised BM25 and min-max-normalised cosine, scaled to RRF's range.
        fused: dict[int, float] = {}
        if lexical:
            top = lexical[0][1] or 1.0
            for r, s in lexical:
                fused[r] = fused.get(r, 0.0) + self.LEXICAL_WEIGHT * s / top
        if dense:
            hi, lo = dense[0][1], dense[-1][1]
            for r, s in dense:
                fused[r] = fused.get(r, 0.0) + (1 - self.LEXICAL_WEIGHT) * ((s - lo) / (hi - lo) if hi > lo else 1.0)
        return {r: s / 30.0 for r, s in fused.items()}

    def _current_twin_similarity(self, row: int) -> float:
        """How much of an old-version passage the current version of its document still says."""
        if row not in self._twins:
            m = self.index.nodes[row].metadata
            current = self.catalog.current(self._group_of[m["doc_id"]])
            mine = article_pairs(self.index.squashed_text(row))
            best = 0.0
            for other in self.index.rows_by_doc.get(current.doc_id, []):
                theirs = self._bigram_cache.get(other)
                if theirs is None:
                    theirs = self._bigram_cache[other] = article_pairs(self.index.squashed_text(other))
                best = max(best, jaccard(mine, theirs))
            self._twins[row] = best
        return self._twins[row]

    def _add_verbatim_runs(self, question: str, fused: dict[int, float], mask) -> list[int]:
        """A question that is (or holds) a sentence pasted from a document finds that document:
        passages holding distinctive runs of the question's characters verbatim get a bonus in
        proportion to the share of the question's runs they hold."""
        text = re.sub(r"\s+", "", question).rstrip("？?。！!")
        if len(text) < PHRASE_WINDOW:
            return []
        # The whole question (or the words it quotes) is a run of a document: every passage holding
        # it (boilerplate too).
        pasted: list[int] = []
        for run in [text] + [q for q in quoted_phrases(question) if len(q) >= PHRASE_WINDOW]:
            pasted = [r for r in self.index.rows_containing(run, limit=len(self.index)) if mask is None or mask[r]]
            if pasted:
                break
        for row in pasted:
            fused[row] = fused.get(row, 0.0) + PHRASE_BONUS
        span = len(text) - PHRASE_WINDOW + 1
        starts = range(0, span, max(PHRASE_STRIDE, span // PHRASE_MAX_WINDOWS + 1))
        found: dict[int, int] = {}
        for start in starts:
            window = text[start:start + PHRASE_WINDOW]
            # How distinctive a run is counts only the passages searched (a hidden document's
            # text must not change a score).
            rows = self.index.rows_containing(window, limit=PHRASE_DISTINCT_ROWS + 1 if mask is None else len(self.index))
            rows = [r for r in rows if mask is None or mask[r]]
            if len(rows) > PHRASE_DISTINCT_ROWS:
                continue
            for row in rows:
                found[row] = found.get(row, 0) + 1
        for row, count in found.items():
            fused[row] = fused.get(row, 0.0) + PHRASE_BONUS * count / len(starts)
        return pasted

    def _add_text_signals(self, question: str, fused: dict[int, float], mask) -> list[int]:
        """Bonuses for passages that hold the words the question quotes, or define its term; the
        passages that hold the whole question verbatim (a pasted sentence) are returned."""
        pasted = self._add_verbatim_runs(question, fused, mask)
        quotes = [q for q in quoted_phrases(question) if len(q) >= 4]
        term = defined_term(question)
        if not quotes and not term:
            return pasted
        if len(self.index) <= FULL_SCAN_LIMIT:
            rows = range(len(self.index)) if mask is None else [int(r) for r in np.flatnonzero(mask)]
        else:
            rows = list(fused)
        for row in rows:
            text = self.index.squashed_text(row)
            bonus = 0.0
            if quotes and any(q in text for q in quotes):
                bonus += QUOTE_BONUS
            if term and defines(text, term):
                bonus += DEFINITION_BONUS
            if bonus:
                fused[row] = fused.get(row, 0.0) + bonus
        return pasted

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(query_bundle.query_str).nodes

    def search(self, question: str, depth: int | None = None) -> SearchResult:
        """The passages for a question and how the question was read (no state kept: safe to call
        from several threads at once). `depth` passages are returned (default: top_k)."""
        plan = analyze(question, self.catalog)
        mask = self.filters.mask(self.index)
        # Each named document's requested version; when a version is asked for, the document's
        # other versions are left out (otherwise they only rank below the current one).
        chosen = {key: self.catalog.pick_version(key, plan) for key in plan.groups}
        excluded = {d.doc_id for key, doc in chosen.items() for d in self.catalog.groups[key]
                    if d.doc_id != doc.doc_id} if plan.asks_version else set()
        if plan.named_document is not None:  # a 文号 names one document: the question is about it alone
            keep = np.zeros(len(self.index), dtype=bool)
            keep[self.index.rows_by_doc.get(plan.named_document, [])] = True
            mask = keep if mask is None else (mask & keep)
        elif excluded:
            keep = np.ones(len(self.index), dtype=bool)
            for doc_id in excluded:
                keep[self.index.rows_by_doc.get(doc_id, [])] = False
            mask = keep if mask is None else (mask & keep)

        expansions = expand_colloquial(question)
        lexical, dense = self.lexical_hits(question, mask, expansions), self.dense_hits(question, mask)
        fused = self.fuse(lexical, dense)

        pasted = self._add_text_signals(question, fused, mask)
        for row in list(fused):
            m = self.index.nodes[row].metadata
            key = self._group_of[m["doc_id"]]
            if key in chosen and chosen[key].doc_id == m["doc_id"]:
                fused[row] *= self.NAMED_DOCUMENT_FACTOR
            elif self.catalog.documents[m["doc_id"]].status != "现行有效" and self.catalog.has_versions(key):
                twin = self._current_twin_similarity(row)
                fused[row] *= self.SUPERSEDED_FACTOR if twin >= self.TWIN_SIMILARITY else self.CHANGED_FACTOR
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])

        # Direct route: a named article of a named document comes first. Without a named
        # document, the document of the best passage is taken when it has that article.
        direct: list[int] = []
        if pasted and not (plan.article is not None and plan.groups):
            # A pasted sentence: the passages that hold it verbatim come first (a 第X条 inside it
            # is part of the quote, not an article asked for).
            top = (ranked[0][1] if ranked else 1.0) + 1.0
            direct = sorted(pasted, key=lambda r: -fused.get(r, 0.0))[:2 * self.RELEVANCE_DEPTH]
            pinned = set(direct)
            ranked = [(r, top) for r in direct] + [(r, s) for r, s in ranked if r not in pinned]
        elif plan.article is not None:
            docs = list(chosen.values())
            if not docs and ranked:
                docs = [self.catalog.documents[self.index.nodes[ranked[0][0]].metadata["doc_id"]]]
            if len({key for key, _ in plan.named_articles}) > 1:
                # Articles of two documents: each number in its own document, in the question's order.
                direct = [r for key, number in plan.named_articles if key in chosen
                          for r in self._article_rows(chosen[key], number)]
            else:
                direct = [r for doc in docs for r in self._article_rows(doc, plan.article, plan.article_suffix)]
            # Words quoted from that article decide which document's article it is.
            quotes = [q for q in quoted_phrases(question) if len(q) >= 6]
            if quotes and not any(q in self.index.squashed_text(r) for r in direct for q in quotes):
                quoted = [r for r, _ in ranked[:CANDIDATES] if self.index.nodes[r].metadata.get("article") == plan.article
                          and any(q in self.index.squashed_text(r) for q in quotes)]
                direct = quoted or direct
            if direct:
                top = (ranked[0][1] if ranked else 1.0) + 1.0
                routed = set(direct)
                ranked = [(r, top) for r in direct] + [(r, s) for r, s in ranked if r not in routed]

        routed_rows = set(direct)
        if self.reranker is not None:
            ranked = self.reranker.rerank(question, self.index, ranked)
        ranked = _dedupe(self.index, ranked)
        keep = depth or self.top_k
        head = ranked[:max(keep, self.RELEVANCE_DEPTH if self.relevance is not None else 0)]
        lexical_of, dense_of = dict(lexical), dict(dense)
        dense_floor = min(dense_of.values(), default=0.0)
        passages = [self._passage(r, s, i, lexical_of.get(r, 0.0), dense_of.get(r, dense_floor), r in routed_rows)
                    for i, (r, s) in enumerate(head)]
        relevance, answerable = None, None
        started = time.perf_counter()
        if self.relevance is not None and head:
            ctx = QuestionContext(question, self.stats_index, plan.groups, plan.article is not None)
            judgement = self.relevance.judge(ctx, passages)
            probabilities, answerable = judgement.probabilities, judgement.answerable
            order = list(range(len(head)))
            if self.relevance_rerank:
                # Routed passages (a named article) stay first; the rest by the model's probability
                # blended with the retriever's own score (evals/README.md: how the weight was chosen).
                top = max(p.fused for p in passages) or 1.0
                blended = [float(passages[i].routed) + RERANK_WEIGHT * probabilities[i]
                           + (1 - RERANK_WEIGHT) * passages[i].fused / top for i in order]
                order.sort(key=lambda i: -blended[i])
                head = [(head[i][0], blended[i]) for i in range(len(head))]
            head = [head[i] for i in order]
            passages = [passages[i] for i in order]
            relevance = [float(probabilities[i]) for i in order]
        nodes = [NodeWithScore(node=self.index.nodes[r], score=float(s)) for r, s in head[:keep]]
        return SearchResult(nodes, plan, passages[:keep], relevance[:keep] if relevance else None, answerable,
                            round(1000 * (time.perf_counter() - started), 2))

    def _passage(self, row: int, score: float, rank: int, lexical: float, dense: float, routed: bool) -> Passage:
        m = self.index.nodes[row].metadata
        key = self._group_of[m["doc_id"]]
        current = not self.catalog.has_versions(key) or self.catalog.current(key).doc_id == m["doc_id"]
        return Passage(self.index.nodes[row].text, m["title"], m.get("heading", ""), key, current,
                       lexical, dense, score, rank, routed)


def _outline_labels(number: int) -> tuple[str, ...]:
    from ingest.numerals import to_chinese

    cn = to_chinese(number)
    return (f"{cn}、", f"{number}.", f"{number}、", f"{number}．", f"（{cn}）", f"({cn})")


def _dedupe(index: SearchIndex, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The same passage ingested twice (e.g. a law as .md and as .pdf) is shown once."""
    seen: set[tuple] = set()
    out = []
    for row, score in ranked:
        node = index.nodes[row]
        m = node.metadata
        key = (title_key(m["title"]), m.get("version"), m.get("article"), re.sub(r"\s+", "", node.text)[:60])
        if key in seen:
            continue
        seen.add(key)
        out.append((row, score))
    return out
