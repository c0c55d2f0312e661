"""The outside anchor: llama-index's default pipeline with the same embedding model.

SentenceSplitter(chunk_size=1024, chunk_overlap=200) over each document's text + VectorStoreIndex.
llama-index's default tokenizer (tiktoken) downloads its vocabulary at run time, which this
offline machine cannot do; the splitter counts characters instead (one CJK character is about
one token for Chinese text).
"""

from __future__ import annotations

from typing import Any

from llama_index.core import Document, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from pydantic import PrivateAttr

from assistant.retrieval.embeddings import Embedder, EmbeddingCache, embed_with_cache
from ingest.store import Store


class CachedEmbedding(BaseEmbedding):
    """Our embedder (and its cache) as a llama-index embedding model."""

    _embedder: Any = PrivateAttr()
    _cache: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, **kwargs: Any):
        super().__init__(model_name=embedder.name, embed_batch_size=32, **kwargs)
        self._embedder, self._cache = embedder, cache

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_queries([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors, _ = embed_with_cache(self._embedder, texts, self._cache)
        return vectors.tolist()


def build_baseline(store: Store, embedder: Embedder, cache: EmbeddingCache, top_k: int = 10):
    documents = []
    for row in store.documents():
        parsed = store.document(row.doc_id)
        documents.append(Document(text=parsed.text, doc_id=row.doc_id, metadata={"source": row.source, "title": row.title}))
    splitter = SentenceSplitter(chunk_size=1024, chunk_overlap=200, tokenizer=list)
    nodes = splitter.get_nodes_from_documents(documents)
    for node in nodes:  # the splitter keeps metadata in the text by default; keep the raw text
        node.excluded_embed_metadata_keys = ["source"]
    index = VectorStoreIndex(nodes, embed_model=CachedEmbedding(embedder, cache), show_progress=False)
    return index.as_retriever(similarity_top_k=top_k), len(nodes)
