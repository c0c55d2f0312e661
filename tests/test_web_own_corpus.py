"""Serving one's own folder: `python app.py --corpus DIR --index IDX` (a real subprocess, real
documents from ../shared/corpus copied into a temporary folder). The page describes what is loaded
(no demo notice), its example questions come from those documents and are answered from them, and
a second start with one file added ingests only that file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, SHARED_CORPUS
from tests.test_app_smoke import free_port

FILES = ["official_reception_rules_2013.md", "office_space_management_measures_2017.md"]
ADDED = "official_vehicle_management_measures_2017.md"


def start(corpus: Path, index: Path, log: Path, extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "OMP_WAIT_POLICY": "PASSIVE", **(extra_env or {})}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "app.py", "--corpus", str(corpus), "--index", str(index),
                                    "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        try:
            return process, json.loads(urllib.request.urlopen(f"{url}/config", timeout=2).read())
        except OSError:
            assert process.poll() is None, log.read_text()
            assert time.time() < deadline, "app.py did not start:\n" + log.read_text()
            time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def page_texts(config: dict) -> tuple[str, list[str]]:
    """The header's Markdown and the example questions, from the page's configuration."""
    components = config["components"]
    header = next(c["props"]["value"] for c in components if c["props"].get("elem_id") == "qf-intro")
    examples = [row[0] for c in components if c["props"].get("elem_id") == "qf-examples"
                for row in c["props"].get("samples", [])]
    return header, examples


def test_serving_ones_own_folder(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(SHARED_CORPUS / "texts" / name, corpus / name)
    process, config = start(corpus, index, tmp_path / "first.log")
    stop(process)
    log = (tmp_path / "first.log").read_text()
    assert "已入库 2" in log
    header, examples = page_texts(config)
    assert "知识库现有 2 个文件" in header and "示例" not in header
    assert examples and not any("清风" in e for e in examples)  # drawn from these documents, not the demo's
    assert all(e.endswith(("？", "?")) for e in examples)
    asked = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "ask", "--json", "--index", str(index),
                            examples[0]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and Path(answer["citations"][0]["source"]).name in FILES
    print(examples)

    shutil.copy(SHARED_CORPUS / "texts" / ADDED, corpus / ADDED)
    process, config = start(corpus, index, tmp_path / "second.log")
    stop(process)
    log = (tmp_path / "second.log").read_text()
    assert "已入库 1" in log and "未变化，跳过 2" in log  # only the new file is ingested
    header, _ = page_texts(config)
    assert "知识库现有 3 个文件" in header
