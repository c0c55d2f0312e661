"""Start-up benchmark: how long the command line takes from launch to done, as a user runs it
(a fresh process each time, median of a few runs), and where the imports go.

    python -m evals.bench_startup --index DIR [--runs 3]

Reports `qingfeng --help`, `qingfeng search` and `qingfeng ask` on one question, and the slowest
top-level imports of `qingfeng ask` (python -X importtime).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "接待对象8人以内，陪餐人员最多几人？"  # a demo-corpus question written for this benchmark
ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str], runs: int) -> float:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env, capture_output=True, check=True)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def slowest_imports(index: Path, n: int = 6) -> list[tuple[str, float]]:
    """The top-level packages whose import takes longest in `qingfeng ask` (cumulative seconds)."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", "ask", "--index", str(index),
                             QUESTION], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    top: dict[str, float] = {}
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and not m.group(2).strip(" ") and len(m.group(2)) == 1:  # a top-level import
            top[m.group(3)] = max(top.get(m.group(3), 0.0), int(m.group(1)) / 1e6)
    return sorted(top.items(), key=lambda kv: -kv[1])[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index (e.g. of the demo corpus)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = [
        ("qingfeng --help", timed(["--help"], args.runs)),
        ("qingfeng search (one question)", timed(["search", "--index", str(args.index), QUESTION], args.runs)),
        ("qingfeng ask (one question)", timed(["ask", "--index", str(args.index), QUESTION], args.runs)),
    ]
    print("| command | median wall time |\n|:--|:--|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} s |")
    print("\nslowest top-level imports of `qingfeng ask`:")
    for name, seconds in slowest_imports(args.index):
        print(f"  {name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
