"""Milvus's own BM25 (its jieba analyzer, no domain dictionary) against the product's BM25 (jieba
with the domain dictionary and stopwords, bm25s), lexical search alone, on the dev sets; and
Milvus's own fusion (hybrid search with its RRF ranker) against the product's RRF (issue 16:
which of each the Milvus backend should use).

    python -m evals.retrieval ... --pipelines bm25,milvus_bm25
    python -m evals.retrieval ... --backend milvus --pipelines hybrid,milvus_rrf

The collection is written to a Milvus Lite file in the index folder (`milvus/native_bm25.db`);
each chunk's text is what the product's BM25 sees (title, heading and text).
"""

from __future__ import annotations

from pathlib import Path

from llama_index.core.schema import NodeWithScore

from assistant.retrieval.index import SearchIndex, lexical_text

COLLECTION = "native_bm25"
MAX_TEXT = 8000  # characters of a chunk the VARCHAR field takes


def native_bm25_searcher(index: SearchIndex, folder: Path, k: int):
    """search(question) -> NodeWithScore list from Milvus's BM25 over `index`'s chunks."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    folder.mkdir(parents=True, exist_ok=True)
    client = MilvusClient(str(folder / "native_bm25.db"))
    if client.has_collection(COLLECTION):
        client.drop_collection(COLLECTION)
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
    schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT * 4, enable_analyzer=True,
                     analyzer_params={"tokenizer": "jieba"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(COLLECTION, schema=schema, index_params=params)
    rows = [{"id": n.node_id, "text": lexical_text(n)[:MAX_TEXT]} for n in index.nodes]
    for start in range(0, len(rows), 500):
        client.insert(COLLECTION, rows[start:start + 500])
    client.flush(COLLECTION)
    client.load_collection(COLLECTION)
    by_id = {n.node_id: n for n in index.nodes}

    def search(question: str) -> list[NodeWithScore]:
        hits = client.search(COLLECTION, data=[question], anns_field="sparse", limit=k, output_fields=["id"],
                             search_params={"metric_type": "BM25"})[0]
        # BM25 distances come back negative: more negative is a better match
        return [NodeWithScore(node=by_id[h["id"]], score=-float(h["distance"])) for h in hits]

    return search


def server_rrf_searcher(index, embedder, k: int):
    """search(question) -> NodeWithScore list from Milvus's hybrid search over the backend's own
    collection (index: a MilvusSearchIndex): the dense and BM25 searches fused in Milvus by its RRF
    ranker, with the depth and constant of the product's `rrf` (HybridRetriever)."""
    from pymilvus import AnnSearchRequest, RRFRanker

    from assistant.retrieval.lexicon import segmenter
    from assistant.retrieval.retriever import CANDIDATES, RRF_K

    chunks = index.chunks

    def search(question: str) -> list[NodeWithScore]:
        vector = embedder.embed_queries([question])[0].astype("float32").tolist()
        requests = [AnnSearchRequest([vector], "dense", {"metric_type": "IP"}, CANDIDATES)]
        query = index.lexical_query(segmenter().tokens(question))
        if query:
            requests.append(AnnSearchRequest([query], "bm25", {"metric_type": "IP"}, CANDIDATES))
        hits = chunks._client.hybrid_search(chunks.target.collection, requests, RRFRanker(RRF_K), limit=k,
                                            output_fields=["doc_id"])[0]
        rows = index.rows_of([h["id"] for h in hits])
        return [NodeWithScore(node=index.nodes[r], score=float(h["distance"])) for r, h in zip(rows, hits) if r is not None]

    return search
