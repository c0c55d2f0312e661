"""A CPU-bound process of the benchmark's own, run beside a measurement so that it is taken on a
shared machine too (a server always shares its CPU: other requests, an ingest job, the OS). It
stops when the measurement ends, or after `limit` seconds at the latest."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_SPIN = "import time\nend = time.time() + {limit}\nwhile time.time() < end:\n    pass\n"


@contextmanager
def busy_cpu(limit: float = 600.0) -> Iterator[None]:
    process = subprocess.Popen([sys.executable, "-c", _SPIN.format(limit=limit)])
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
