"""A Milvus Lite gRPC server on 127.0.0.1 in a process of its own (`python -m milvus_lite server`),
standing in for a Milvus server in the benchmark and the tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from evals.load import free_port


def start_milvus_lite(data: Path, port: int | None = None, log: Path | None = None) -> tuple[subprocess.Popen, int]:
    """Start the server on `data` (a new free port unless given) once it accepts connections ->
    (process, port). Its output goes to `log` when given."""
    port = port or free_port()
    out = open(log, "a") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data),
                                    "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log:
            out.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("Milvus Lite server did not start" + (":\n" + log.read_text() if log else ""))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
