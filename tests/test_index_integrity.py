"""A damaged search index heals, a damaged store says so in Chinese (issue 15, index integrity).

Faults are injected for real into a copy of an index of the demo corpus: every file of the search
index truncated, node_ids.json reordered, bytes flipped, the manifest garbled, a save killed with
SIGKILL half-way, two saves at once; then the real `qingfeng search` / `ask`, `python app.py` and
`qingfeng check` run on it as subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evals.load import start_app
from tests.conftest import DEMO_CORPUS, ROOT
from tests.test_app_smoke import free_port

QUESTION = "接待对象8人以内，陪餐人员最多几人？"
ENV = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}
SEARCH_FILES = ["dense.faiss", "node_ids.json", "manifest.json", "bm25/data.csc.index.npy",
                "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy", "bm25/params.index.json",
                "bm25/vocab.index.json"]


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli.commands", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def search_ids(index: Path) -> tuple[list[str], str]:
    done = cli("search", "--json", "--index", str(index), "--top-k", "5", QUESTION)
    assert done.returncode == 0, done.stderr
    return [r["node_id"] for r in json.loads(done.stdout)["results"]], done.stderr


@pytest.fixture(scope="module")
def healthy(tmp_path_factory) -> tuple[Path, list[str]]:
    index = tmp_path_factory.mktemp("healthy") / "index"
    done = cli("ingest", str(DEMO_CORPUS), "--index", str(index))
    assert done.returncode == 0, done.stderr
    ids, err = search_ids(index)
    assert ids and "损坏" not in err
    return index, ids


def copy_of(healthy, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(healthy[0], target)
    return target


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def reorder(path: Path) -> None:
    path.write_text(json.dumps(list(reversed(json.loads(path.read_text(encoding="utf-8"))))), encoding="utf-8")


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


FAULTS = [(f, truncate) for f in SEARCH_FILES] + [("node_ids.json", reorder), ("dense.faiss", flip),
                                                    ("bm25/data.csc.index.npy", flip)]


@pytest.mark.parametrize("name,fault", FAULTS, ids=[f"{fault.__name__}-{name}" for name, fault in FAULTS])
def test_a_damaged_search_file_is_rebuilt_and_the_results_are_right(healthy, tmp_path, name, fault):
    index = copy_of(healthy, tmp_path)
    fault(index / "search" / name)
    ids, err = search_ids(index)
    assert ids == healthy[1]
    assert "检索索引已损坏" in err and "Traceback" not in err
    again, err = search_ids(index)  # repaired for good
    assert again == healthy[1] and "损坏" not in err


def test_ask_after_damage_cites_the_right_article(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    truncate(index / "search" / "dense.faiss")
    done = cli("ask", "--json", "--index", str(index), QUESTION)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["citations"][0]["version"], answer["citations"][0]["article"]) == ("2024", 14)
    assert "检索索引已损坏" in done.stderr


def test_the_web_app_starts_on_a_damaged_index_and_answers_right(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    reorder(index / "search" / "node_ids.json")
    port = free_port()
    log = tmp_path / "app.log"
    process = start_app(index, port, env=ENV, log=log)
    try:
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}", verbose=False, analytics_enabled=False)
        got = client.predict(QUESTION, api_name="/ask")
        client.close()
        assert (got["citations"][0]["version"], got["citations"][0]["article"]) == ("2024", 14)
        assert "检索索引已损坏" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


SLOW_SAVE = """
import sys, time
import faiss
from assistant.retrieval.build import ensure_search_index
from ingest.store import Store
write = faiss.write_index
def slow(index, path):
    write(index, path)
    time.sleep(60)  # killed here: a half-written search.tmp-* folder, the lock held
faiss.write_index = slow
ensure_search_index(Store(sys.argv[1]), rebuild=True)
"""


def test_a_save_killed_half_way_leaves_a_working_index_and_no_leftovers(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    process = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, str(index)], cwd=ROOT, env=ENV)
    deadline = time.time() + 120
    while not list(index.glob("search.tmp-*/dense.faiss")):
        assert process.poll() is None and time.time() < deadline
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    ids, err = search_ids(index)  # the previous index is whole, and the lock was released
    assert ids == healthy[1] and "损坏" not in err
    checked = cli("check", "--index", str(index))
    assert checked.returncode == 0 and "已清除 1 个残留的临时文件夹" in checked.stdout
    assert not list(index.glob("search.*-*"))


REBUILD = """
import sys
from assistant.retrieval.build import ensure_search_index
from ingest.store import Store
ensure_search_index(Store(sys.argv[1]), rebuild=True)
"""


def test_two_saves_at_once_are_serialised(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    processes = [subprocess.Popen([sys.executable, "-c", REBUILD, str(index)], cwd=ROOT, env=ENV,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in processes:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert not list(index.glob("search.*-*"))
    checked = cli("check", "--index", str(index))
    assert checked.returncode == 0 and "检索索引：正常" in checked.stdout
    assert search_ids(index)[0] == healthy[1]


def test_check_reports_and_repairs(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    done = cli("check", "--index", str(index))
    assert done.returncode == 0 and "数据库：正常：5 个文档" in done.stdout and "检索索引：正常" in done.stdout
    truncate(index / "search" / "bm25" / "vocab.index.json")
    done = cli("check", "--index", str(index))
    assert done.returncode == 0 and "检索索引：已损坏（文件 bm25/vocab.index.json 的校验值不符" in done.stdout
    assert "已从知识库重建：95 个片段" in done.stdout
    assert "检索索引：正常" in cli("check", "--index", str(index)).stdout


def _damage_store(index: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(index / "qingfeng.sqlite") + suffix).unlink(missing_ok=True)
    data = bytearray((index / "qingfeng.sqlite").read_bytes())
    for i in range(20_000, min(len(data), 60_000), 7):
        data[i] ^= 0xFF
    (index / "qingfeng.sqlite").write_bytes(bytes(data))


def test_a_damaged_store_is_said_in_chinese_everywhere(healthy, tmp_path):
    index = copy_of(healthy, tmp_path)
    _damage_store(index)
    for command in (["search", "--index", str(index), QUESTION], ["ask", "--index", str(index), QUESTION],
                    ["check", "--index", str(index)]):
        done = cli(*command)
        output = done.stdout + done.stderr
        assert done.returncode == 1, output
        assert "已损坏" in output and "qingfeng ingest" in output and "Traceback" not in output
    app = subprocess.run([sys.executable, "app.py", "--index", str(index), "--port", str(free_port())], cwd=ROOT,
                         env=ENV, capture_output=True, text=True, timeout=120)
    assert app.returncode == 1 and "知识库数据库" in app.stderr and "已损坏" in app.stderr
    assert "Traceback" not in app.stderr
