"""Retrieval benchmark: warm query latency (retrieval alone), index load time and peak memory on
../shared/corpus, idle and with a CPU-bound process beside it (evals/contention.py), and how
they grow on synthetic corpora (replicated chunks, random vectors).

    python -m evals.bench [--index DIR] [--sizes 10000,100000,1000000] [--queries 50]
    python -m evals.bench --backend milvus --sizes 10000,100000   # searches in a Milvus Lite server

With `--backend milvus` each synthetic corpus goes into a Milvus Lite gRPC server started on
127.0.0.1 for it (a process of its own, so its memory is reported apart from this one's), and the
table adds the write rate and the server's peak memory.

OMP_WAIT_POLICY is PASSIVE unless set (assistant/__init__.py); run with OMP_WAIT_POLICY=ACTIVE to
see what spinning OpenMP threads cost beside a busy process.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from assistant.retrieval import QingfengRetriever, ensure_search_index
from assistant.retrieval.embeddings import load_embedder
from assistant.retrieval.index import (
    SearchIndex,
    average_length,
    lexical_text,
    load_search_index,
    make_dense_index,
    make_lexical_index,
)
from assistant.retrieval.lexicon import segmenter
from evals.contention import busy_cpu
from ingest.pipeline import ingest_paths
from ingest.store import Store

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
# Benchmark questions written for this benchmark (not taken from any evaluation set).
QUESTIONS = [
    "公务接待的陪餐人数有什么限制？", "纪律处分条例第八条", "党员收受礼金怎么处分？", "出差住宿费怎么报销？",
    "监察机关采取留置措施要经过什么批准？", "公务用车能不能私用？", "领导干部操办婚丧喜庆有什么要求？",
    "办公用房面积标准是多少？", "2018年版纪律处分条例第三十条", "什么是四种形态？", "违反八项规定精神会怎样？",
    "巡视组的职责是什么？", "公务员辞职需要什么程序？", "政务处分有哪几种？", "因公出国的伙食费标准",
    "会议费开支范围包括什么？", "培训费综合定额标准", "党组织不履行全面从严治党主体责任怎么处理？",
    "国有企业领导人员能否在企业兼职？", "村干部违反廉洁规定怎么处理？",
]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p50_p95(ms: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (the value at rank 0.95 × (n − 1)) of timings."""
    ordered = sorted(ms)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def latency(retriever, queries: list[str], rounds: int) -> tuple[float, float]:
    for q in queries[:3]:
        retriever.retrieve(q)  # warm up
    times = []
    for i in range(rounds):
        q = queries[i % len(queries)]
        started = time.perf_counter()
        retriever.retrieve(q)
        times.append((time.perf_counter() - started) * 1000)
    return p50_p95(times)


def synthetic_index(base: SearchIndex, size: int, dense_kind: str) -> tuple[SearchIndex, float]:
    """`size` chunks: the corpus's chunks replicated (as separate documents), random unit vectors."""
    started = time.perf_counter()
    seg = segmenter()
    base_tokens = [seg.tokens(lexical_text(n)) for n in base.nodes]
    nodes, tokens = [], []
    copy = 0
    while len(nodes) < size:
        for node, toks in zip(base.nodes, base_tokens):
            if len(nodes) >= size:
                break
            meta = dict(node.metadata, doc_id=f"{node.metadata['doc_id']}-{copy}")
            nodes.append(TextNode(id_=f"{node.node_id}-{copy}", text=node.text, metadata=meta))
            tokens.append(toks)
        copy += 1
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((size, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = SearchIndex(nodes, make_dense_index(vectors, dense_kind), make_lexical_index(tokens), base.model, "synthetic",
                        avgdl=average_length(tokens))
    index.vectors = vectors  # kept for a Milvus backend to load
    return index, time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def on_milvus(big: SearchIndex, size: int, embedder, queries: list[str], rounds: int) -> str:
    """Load `big` into a fresh Milvus Lite server and measure -> the table row's Milvus columns."""
    from assistant.retrieval.milvus import MilvusChunks, MilvusSearchIndex, MilvusTarget
    from evals.milvus_server import start_milvus_lite, stop

    with tempfile.TemporaryDirectory(prefix="qingfeng-milvus-") as folder:
        process, port = start_milvus_lite(Path(folder))
        try:
            chunks = MilvusChunks(MilvusTarget(f"http://127.0.0.1:{port}", collection=f"bench_{size}"), embedder.dim)
            started = time.perf_counter()
            remote = MilvusSearchIndex.over(big, chunks, np.arange(len(big.lexical.vocab_dict)))  # no store: bm25s's ids
            chunks.sync(remote, lambda rows: big.vectors[rows])
            write_s = time.perf_counter() - started
            p50, p95 = latency(QingfengRetriever(remote, embedder, top_k=10), queries, rounds)
            server_mb = peak_rss_mb(process.pid)
            chunks.close()
        finally:
            stop(process)
    return f"{size / write_s:,.0f} chunks/s | {p50:.1f} | {p95:.1f} | {server_mb:,.0f}"


def base_index_dir(index: Path | None, scratch: Path) -> Path:
    """`index`, or an index of ../shared/corpus built in `scratch` when it is None."""
    if index is not None:
        return index
    with Store(scratch) as store:
        ingest_paths([DEFAULT_CORPUS], store)
        ensure_search_index(store)
    return scratch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of ../shared/corpus (built in a temp folder if omitted)")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--dense", default="auto", help="dense index for the synthetic corpora: flat, hnsw, ivfpq, auto")
    parser.add_argument("--backend", choices=["local", "milvus"], default="local",
                        help="milvus: the synthetic corpora also searched in a Milvus Lite server")
    args = parser.parse_args()

    embedder = load_embedder()
    tmp = None
    if args.index is None:
        tmp = tempfile.TemporaryDirectory()
        args.index = base_index_dir(None, Path(tmp.name))
    before = peak_memory_mb()
    started = time.perf_counter()
    store = Store(args.index)
    index = load_search_index(store)
    if index is None:
        index, _ = ensure_search_index(store)
    load_s = time.perf_counter() - started
    retriever = QingfengRetriever(index, embedder, top_k=10)

    def measure() -> tuple[float, float, float, float]:
        p50, p95 = latency(retriever, QUESTIONS, args.queries)
        embed_times = []
        for q in QUESTIONS:
            started = time.perf_counter()
            embedder.embed_queries([q])
            embed_times.append((time.perf_counter() - started) * 1000)
        return (p50, p95, *p50_p95(embed_times))

    idle = measure()
    with busy_cpu():
        contended = measure()
    print(f"../shared/corpus: {len(index)} chunks; index load {load_s * 1000:.0f} ms; peak memory {peak_memory_mb():.0f} MB "
          f"(+{peak_memory_mb() - before:.0f} MB for the index); OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    print("\n| warm retrieval | p50 ms | p95 ms | query embedding p50 ms | p95 ms |")
    print("|:--|:--|:--|:--|:--|")
    for name, (p50, p95, e50, e95) in (("idle", idle), ("beside a CPU-bound process", contended)):
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {e50:.1f} | {e95:.1f} |")
    milvus = args.backend == "milvus"
    print("\n| chunks | dense index | build s | p50 ms | p95 ms | peak memory MB |"
          + (" Milvus write | Milvus p50 ms | Milvus p95 ms | Milvus server peak MB |" if milvus else ""))
    print("|:--|:--|:--|:--|:--|:--|" + ("--|--|--|--|" if milvus else ""))
    for size in [int(s) for s in args.sizes.split(",") if s]:
        gc.collect()
        kind = args.dense if args.dense != "auto" else ("hnsw" if size > 200_000 else "flat")
        big, build_s = synthetic_index(index, size, kind)
        p50, p95 = latency(QingfengRetriever(big, embedder, top_k=10), QUESTIONS, args.queries)
        extra = (" " + on_milvus(big, size, embedder, QUESTIONS, args.queries) + " |") if milvus else ""
        print(f"| {size:,} | {kind} | {build_s:.0f} | {p50:.1f} | {p95:.1f} | {peak_memory_mb():.0f} |{extra}", flush=True)
        del big
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
