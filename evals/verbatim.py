"""Pasted sentences: a run of 12–20 characters cut at random (seeded) from an article must find
that article first.

    python -m evals.verbatim --index DIR [--count 200] [--seed 0]

Runs are cut from the articles (第X条) of the index's documents, whitespace removed. A run that
also occurs in another document (not a version of the same one) cannot name its source and is
skipped (counted). The first result is a hit when it holds the run and belongs to the run's
document (any version: the product puts the current version first, which holds the same words).
Each run is asked bare and inside a question ("……出自哪个文件？").
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from assistant.answer import CANDIDATE_PASSAGES
from assistant.retrieval import ensure_search_index, make_retriever
from ingest.metadata import title_key
from ingest.store import Store

FRAMES = ("{run}", "“{run}”出自哪个文件？")


def cut_runs(store: Store, count: int, seed: int) -> tuple[list[tuple[str, str]], int]:
    """(run, document group) pairs, and how many ambiguous runs were skipped."""
    rng = random.Random(seed)
    docs = [store.document(d.doc_id) for d in sorted(store.documents(), key=lambda d: d.doc_id)]
    articles = [(doc, u) for doc in docs if doc is not None for u in doc.articles]
    squashed = {doc.doc_id: re.sub(r"\s+", "", doc.text) for doc in docs if doc is not None}
    group = {doc.doc_id: title_key(doc.meta.title) for doc in docs if doc is not None}
    runs, skipped = [], 0
    while len(runs) < count:
        doc, unit = rng.choice(articles)
        text = re.sub(r"\s+", "", re.sub(r"^\s*第[零〇一二三四五六七八九十百千0-9]+条", "", doc.text[unit.start:unit.end]))
        length = rng.randint(12, 20)
        if len(text) < length:
            continue
        start = rng.randint(0, len(text) - length)
        run = text[start:start + length]
        holders = {group[d] for d, t in squashed.items() if run in t}
        if len(holders) > 1:
            skipped += 1
            continue
        runs.append((run, group[doc.doc_id]))
    return runs, skipped


def evaluate(retriever, runs: list[tuple[str, str]]) -> dict:
    out = {}
    for frame in FRAMES:
        first = top5 = 0
        latencies, misses = [], []
        for run, doc_group in runs:
            started = time.perf_counter()
            nodes = retriever.search(frame.format(run=run)).nodes
            latencies.append(time.perf_counter() - started)
            hits = [run in re.sub(r"\s+", "", n.node.text) and title_key(n.node.metadata["title"]) == doc_group
                    for n in nodes[:5]]
            first += bool(hits and hits[0])
            top5 += any(hits)
            if not (hits and hits[0]):
                misses.append((run, doc_group, nodes[0].node.metadata["title"] if nodes else None))
        latencies.sort()
        out[frame] = {"first": first / len(runs), "top5": top5 / len(runs),
                      "p50_ms": 1000 * latencies[len(latencies) // 2], "misses": misses}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="原文片段检索评测 / verbatim runs")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    store = Store(args.index)
    index, _ = ensure_search_index(store)
    retriever = make_retriever(index, top_k=CANDIDATE_PASSAGES)
    runs, skipped = cut_runs(store, args.count, args.seed)
    print(f"{len(runs)} runs of 12–20 characters (seed {args.seed}); {skipped} ambiguous runs skipped\n")
    print("| asked as | found first | in top 5 | p50 ms |\n|:--|:--|:--|:--|")
    for frame, row in evaluate(retriever, runs).items():
        print(f"| {frame.format(run='…')} | {row['first']:.3f} | {row['top5']:.3f} | {row['p50_ms']:.0f} |")


if __name__ == "__main__":
    main()
