"""Ingestion benchmark: parse+chunk throughput, and first vs. repeated (incremental) ingest.

    python -m evals.bench_ingest [--corpus ../shared/corpus] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant.retrieval.embeddings import EmbeddingCache, embed_with_cache, load_embedder
from assistant.retrieval.index import embed_text
from ingest.chunking import build_nodes
from ingest.parse import parse_document
from ingest.pipeline import discover, ingest_paths
from ingest.store import Store

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--embed-sample", type=int, default=256, help="chunks for the embedding throughput check (0: skip)")
    args = parser.parse_args()

    files, problems, _ = discover([args.corpus])
    blobs = [(path, path.read_bytes()) for path, _ in files]
    runs, chars, chunks = [], 0, 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        chars = chunks = 0
        for path, data in blobs:
            doc = parse_document(path, data)
            chars += len(doc.text)
            chunks += len(build_nodes(doc))
        runs.append(time.perf_counter() - started)
    best = min(runs)
    print(f"corpus: {args.corpus} ({len(blobs)} files, {sum(len(d) for _, d in blobs) / 2**20:.1f} MB)")
    print(f"parse+chunk: {len(blobs) / best:.1f} files/s, {chars / best / 1000:.0f}k chars/s, "
          f"{chunks} chunks, best of {args.repeat}: {best:.2f} s (median {statistics.median(runs):.2f} s)")

    with tempfile.TemporaryDirectory() as tmp, Store(tmp) as store:
        started = time.perf_counter()
        first = ingest_paths([args.corpus], store)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = ingest_paths([args.corpus], store)
        second_s = time.perf_counter() - started
        print(f"ingest into store: first {first_s:.2f} s ({first.count('added')} added), "
              f"second {second_s:.3f} s ({second.count('unchanged')} unchanged) = {second_s / first_s:.1%} of first")
        if args.embed_sample:
            embedding_throughput([embed_text(n) for n in store.nodes()[: args.embed_sample]])


def embedding_throughput(texts: list[str]) -> None:
    """Chunks/s of the model's raw batch call vs. the ingestion path (hashing, cache, batching)."""
    embedder = load_embedder()
    embedder.embed_passages(texts[:8])  # warm up
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        embedder.embed_passages(texts[start:start + 32])
    raw = len(texts) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache(Path(tmp) / "cache.sqlite")
        started = time.perf_counter()
        embed_with_cache(embedder, texts, cache)
        piped = len(texts) / (time.perf_counter() - started)
        cache.close()
    print(f"embedding ({embedder.name}, {len(texts)} chunks): raw batches {raw:.1f} chunks/s, "
          f"ingestion path {piped:.1f} chunks/s = {piped / raw:.0%} of raw")


if __name__ == "__main__":
    main()
