"""Open an index for searching: keep the derived indexes in step with the store, load models
once, and turn results into the stable JSON of `qingfeng search`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from llama_index.core.schema import NodeWithScore

from assistant.config import Settings, get_settings
from assistant.retrieval.embeddings import EmbeddingCache, load_embedder
from assistant.retrieval.index import DamagedIndex, SearchIndex, build_search_index, index_lock, load_search_index
from assistant.retrieval.retriever import QingfengRetriever, SearchFilters
from ingest.store import Store
from ingest.structure import place


def ensure_search_index(
    store: Store, settings: Settings | None = None, progress: Callable[[int, int], None] | None = None,
    rebuild: bool = False,
) -> tuple[SearchIndex, dict]:
    """The search index for the store's current content: loaded if saved, current and sound, else
    built (always built with `rebuild`; cached embeddings are reused either way). A damaged index
    (a file truncated, reordered or unreadable) is rebuilt with a line on stderr saying why; the
    stats then carry `repaired`. Builds hold the index's file lock, so concurrent processes build
    once and never write over each other."""
    settings = settings or get_settings()
    embedder = load_embedder(settings.embedding_model)
    thin = bool(settings.milvus_uri)  # Milvus searches: this process keeps no chunk in memory

    def load() -> tuple[SearchIndex | None, str | None]:
        try:
            return load_search_index(store, model=embedder.name, thin=thin), None
        except DamagedIndex as exc:
            return None, exc.reason

    index, damaged = (None, None) if rebuild else load()
    if index is not None:
        stats = {"chunks": len(index), "embedded": 0, "rebuilt": False}
    else:
        with index_lock(store.dir):
            if not rebuild:  # another process may have built it while this one waited
                index, damaged = load()
            if index is not None:
                stats = {"chunks": len(index), "embedded": 0, "rebuilt": False}
            else:
                if damaged:
                    print(f"检索索引已损坏（{damaged}），正在从知识库重建……", file=sys.stderr, flush=True)
                cache = EmbeddingCache(Path(settings.cache_dir) / "embeddings.sqlite")
                try:
                    index, stats = build_search_index(store, embedder, cache, progress=progress,
                                                      dense_kind="none" if thin else settings.dense_index)
                finally:
                    cache.close()
                if thin:  # the chunks just built are let go: read from the store when needed
                    index = load_search_index(store, model=embedder.name, thin=True) or index
                stats = {**stats, "rebuilt": True, **({"repaired": damaged} if damaged else {})}
    if settings.milvus_uri:
        index, stats["milvus_rows"] = attach_milvus(index, store, settings, embedder)
    return index, stats


def attach_milvus(index: SearchIndex, store: Store, settings: Settings, embedder) -> tuple[SearchIndex, int]:
    """The index with its searches in Milvus (assistant/retrieval/milvus.py), the collection brought
    in step with it first (vectors from the embedding cache). -> index, rows written."""
    from assistant.retrieval.embeddings import embed_with_cache
    from assistant.retrieval.index import embed_text
    from assistant.retrieval.milvus import MilvusChunks, MilvusSearchIndex, MilvusTarget, stable_token_ids

    token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
    chunks = MilvusChunks(MilvusTarget(settings.milvus_uri, token, settings.milvus_collection), embedder.dim)

    def vectors(rows: list[int]) -> np.ndarray:
        cache = EmbeddingCache(Path(settings.cache_dir) / "embeddings.sqlite")
        try:
            texts = [embed_text(n) for n in index.nodes] if len(rows) == len(index) else \
                [embed_text(index.nodes[r]) for r in rows]
            return embed_with_cache(embedder, texts, cache)[0]
        finally:
            cache.close()

    remote = MilvusSearchIndex.over(index, chunks, stable_token_ids(index, store))
    return remote, chunks.sync(remote, vectors)


def make_retriever(index: SearchIndex, settings: Settings | None = None, top_k: int = 10,
                   filters: SearchFilters | None = None, for_answers: bool = False) -> QingfengRetriever:
    """The product retriever; `for_answers` orders passages as answers cite them (settings.answer_rerank)."""
    settings = settings or get_settings()
    reranker = None
    if settings.reranker_model:
        from assistant.retrieval.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.reranker_model)
    return QingfengRetriever(index, load_embedder(settings.embedding_model), top_k=top_k, filters=filters,
                             reranker=reranker, relevance=load_relevance(settings),
                             relevance_rerank=settings.answer_rerank if for_answers else settings.relevance_rerank)


def load_relevance(settings: Settings):
    """The relevance model the settings name: the shipped one, a retrained folder, or none."""
    from assistant.retrieval.relevance import RelevanceModel

    if settings.relevance_model == "off":
        return None
    return RelevanceModel.load(None if settings.relevance_model == "shipped" else settings.relevance_model)


def result_json(item: NodeWithScore) -> dict:
    """One search result in the CLI contract."""
    m = item.node.metadata
    return {
        "source": m["source"],
        "title": m["title"],
        "version": m.get("version"),
        "status": m["status"],
        "article": m.get("article"),
        "heading": m.get("heading", ""),
        "page": m.get("page_start"),
        "text": item.node.text,
        "score": round(float(item.score or 0.0), 6),
        # extra fields (not part of the contract, useful to callers)
        "article_label": m.get("article_label"),
        "article_suffix": m.get("article_suffix"),
        "place": place(m.get("heading", ""), m.get("article_label") or ""),
        "doc_id": m["doc_id"],
        "node_id": item.node.node_id,
        "doc_type": m["doc_type"],
        "start_char": m.get("start_char"),
        "end_char": m.get("end_char"),
    }
