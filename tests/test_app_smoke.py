"""`python app.py` on the demo corpus: builds the index when there is none, then serves it.

Without admin credentials in the environment the knowledge-base tab is disabled (there is no
default password). The browser tests with Chromium are in tests/test_web_app.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from evals.load import free_port
from tests.conftest import ROOT


def test_app_builds_the_index_and_serves_the_demo_corpus(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGFENG_ADMIN_")}
    process = subprocess.Popen(
        [sys.executable, "app.py", "--index", str(tmp_path / "index"), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines: list[str] = []  # the app's output, read as it comes (the URL line follows launch())

    def read() -> None:
        for line in process.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.time() + 90
        config = ""
        while time.time() < deadline:
            try:
                config = urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2).read().decode()
                break
            except OSError:
                assert process.poll() is None, "".join(lines)
                time.sleep(0.5)
        assert "清风区党政机关公务接待管理办法（示例）" in config
        assert "已修订" in config and "现行有效" in config
        assert "知识库管理未启用" in config and "QINGFENG_ADMIN_PASSWORD" in config
        assert "qf-upload" not in config and "qf-password" not in config  # no admin form to reach
        assert "ask" in [d.get("api_name") for d in json.loads(config)["dependencies"]]
        while time.time() < deadline and not any(f"http://127.0.0.1:{port}" in line for line in lines):
            time.sleep(0.2)  # the server answers before launch() returns and the app prints its URL
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=20)
    output = "".join(lines)
    assert "首次启动" in output and "已入库 5" in output
    assert "知识库管理：未启用" in output and f"http://127.0.0.1:{port}" in output
