"""What reading as a reader costs: answer latency with and without access groups.

    python -m evals.bench_access --index /tmp/idx2 [--gold ../shared/devset/synthetic_dev.jsonl] [--groups 其他组]

Each pass answers every question of the gold file once on a fresh answerer (no search cache),
without groups and then as a reader in `--groups` (the documents they may not read masked out
before ranking, the reader's catalog built); the second pass of each is reported too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def timings(answerer, questions: list[str]) -> tuple[float, float]:
    times = []
    for question in questions:
        started = time.perf_counter()
        answerer.ask(question, use_llm=False)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return round(statistics.median(times), 1), round(times[max(0, int(0.95 * len(times)) - 1)], 1)


def main() -> None:
    from assistant.answer import Answerer
    from assistant.retrieval import SearchFilters
    from ingest.access import parse_groups

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--gold", type=Path, default=Path("../shared/devset/synthetic_dev.jsonl"))
    parser.add_argument("--groups", default="其他组")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = Answerer.open(args.index)
    groups = frozenset(parse_groups(args.groups))
    timings(base.with_filters(SearchFilters()), questions)  # warm-up: models and caches loaded
    print(f"{len(questions)} questions, answer latency p50 / p95 (ms)")
    for attempt in (1, 2):
        started = time.perf_counter()
        reader = base.for_groups(groups)
        made = (time.perf_counter() - started) * 1000
        print(f"pass {attempt}: no groups {timings(base.with_filters(SearchFilters()), questions)}; "
              f"groups {sorted(groups)} {timings(reader, questions)} (reader's answerer made in {made:.1f} ms)")


if __name__ == "__main__":
    main()
