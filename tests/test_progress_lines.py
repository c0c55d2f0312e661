"""Long work shows progress in a log too: when stderr is not a terminal, the command line prints
plain lines (stage, done/total, percentage, rate, time left) instead of a bar that draws nothing."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

from assistant.progress_log import ProgressLog
from tests.conftest import DEMO_CORPUS, ROOT


def test_ingest_into_a_log_prints_progress_lines(tmp_path):
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(DEMO_CORPUS), "--index", str(tmp_path / "i")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("导入文档：")]
    assert lines and re.match(r"导入文档：5/5（100%）", lines[-1]), result.stderr
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log


def test_progress_lines_say_rate_and_time_left():
    out = io.StringIO()
    log = ProgressLog("向量化", every_seconds=0.0, stream=out)
    log(0, 100)
    import time

    time.sleep(0.05)
    log(50, 100, "甲.md")
    log(100, 100)
    printed = out.getvalue().splitlines()
    assert printed[0] == "向量化：0/100（0%）"
    assert re.fullmatch(r"向量化：50/100（50%），[0-9.]+ 个/秒，约 \d+ 秒后完成 甲\.md", printed[1]), printed[1]
    assert printed[-1] == "向量化：100/100（100%）"
