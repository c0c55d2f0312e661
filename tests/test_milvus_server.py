"""The web app against a Milvus *server* (issue 16): Milvus Lite's gRPC server started on 127.0.0.1
(`python -m milvus_lite server`; the tests never reach any other address), `app.py` with
`QINGFENG_MILVUS_URI=http://127.0.0.1:<port>` on the demo corpus. It answers from Milvus; when the
server stops, questions get a clear Chinese message (no traceback, no stale answer); when it comes
back on the same data, answering resumes by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evals.load import start_app
from evals.milvus_server import start_milvus_lite, stop
from tests.conftest import ROOT
from tests.test_app_smoke import free_port
from tests.test_web_app import _post

QUESTION = "接待对象8人以内，陪餐人员最多几人？"
OTHER = "公务接待要不要公函？"


def start_milvus(data: Path, port: int, log: Path) -> subprocess.Popen:
    return start_milvus_lite(data, port, log)[0]


def ask(url: str, question: str = QUESTION) -> tuple[int, dict]:
    status, _, text = _post(url, "/api/ask", json.dumps({"question": question}).encode(),
                            {"Content-Type": "application/json"})
    return status, json.loads(text)


@pytest.fixture
def milvus_app(tmp_path):
    port = free_port()
    milvus = start_milvus(tmp_path / "milvus-data", port, tmp_path / "milvus.log")
    env = {**os.environ, "QINGFENG_MILVUS_URI": f"http://127.0.0.1:{port}", "GRADIO_ANALYTICS_ENABLED": "False"}
    app_port = free_port()
    app = start_app(tmp_path / "index", app_port, env=env, log=tmp_path / "app.log")
    state = {"milvus": milvus}
    yield f"http://127.0.0.1:{app_port}", port, tmp_path, state
    stop(app)
    stop(state["milvus"])


def test_the_app_answers_from_a_milvus_server_and_recovers_when_it_returns(milvus_app):
    url, port, folder, state = milvus_app
    status, answer = ask(url)
    assert status == 200 and not answer["refused"]
    first = answer["citations"][0]
    assert (first["version"], first["article"]) == ("2024", 14) and "公务接待管理办法" in first["title"]

    stop(state["milvus"])  # the search service goes away
    status, same = ask(url)  # a question asked before is answered from the search cache
    assert status == 200 and same["answer"] == answer["answer"]
    status, failed = ask(url, OTHER)  # a new one needs Milvus
    assert status == 400 and failed["error"].startswith("暂时无法回答：Milvus 检索服务查询失败")
    assert "请检查服务是否正常" in failed["error"] and "Exception" not in failed["error"]

    state["milvus"] = start_milvus(folder / "milvus-data", port, folder / "milvus.log")  # back, same data
    deadline = time.time() + 60  # the client reconnects on its own, after a back-off
    status, again = ask(url, OTHER)
    while status != 200 and time.time() < deadline:
        assert again["error"].startswith("暂时无法回答：")
        time.sleep(1)
        status, again = ask(url, OTHER)
    assert status == 200 and not again["refused"] and "公函" in again["answer"]


def test_the_cli_says_in_chinese_that_the_server_is_down(tmp_path):
    from ingest.pipeline import ingest_paths
    from ingest.store import Store

    with Store(tmp_path / "index") as store:
        ingest_paths([ROOT / "corpus"], store)
    port = free_port()  # nothing listens there
    done = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "search", "--index", str(tmp_path / "index"),
                           "公务接待"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QINGFENG_MILVUS_URI": f"http://127.0.0.1:{port}"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"无法连接 Milvus 检索服务 http://127.0.0.1:{port}" in done.stderr and "QINGFENG_MILVUS_URI" in done.stderr
    checked = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "check", "--index", str(tmp_path / "index")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "QINGFENG_MILVUS_URI": f"http://127.0.0.1:{port}"})
    assert checked.returncode == 1 and "数据库：正常" in checked.stdout and "Traceback" not in checked.stderr
    assert f"Milvus 检索服务：无法连接 Milvus 检索服务 http://127.0.0.1:{port}" in checked.stdout
