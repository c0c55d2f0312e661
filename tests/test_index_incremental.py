"""`qingfeng ingest` keeps the search indexes in step: add / change / remove a file and search
results follow; an unchanged corpus is not embedded again."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from assistant.cli.commands import app
from assistant.retrieval import ensure_search_index, make_retriever, result_json
from assistant.retrieval.index import saved_manifest
from ingest.store import Store
from tests.conftest import DEMO_CORPUS

runner = CliRunner()


def search(index_dir, question, k=5):
    with Store(index_dir) as store:
        index, stats = ensure_search_index(store)
        assert stats["rebuilt"] is False  # ingest already brought it up to date
        return [result_json(r) for r in make_retriever(index, top_k=k).retrieve(question)]


def ingest(folder, index_dir):
    result = runner.invoke(app, ["ingest", str(folder), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_search_follows_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGFENG_CACHE_DIR", str(tmp_path / "cache"))  # an empty embedding cache
    folder, index_dir = tmp_path / "docs", tmp_path / "index"
    shutil.copytree(DEMO_CORPUS, folder)
    output = ingest(folder, index_dir)
    assert "检索索引已更新" in output
    chunks = saved_manifest(index_dir)["chunks"]
    assert f"新向量化 {chunks} 个" in output
    first_manifest = saved_manifest(index_dir)
    assert first_manifest["chunks"] > 50

    # Nothing changed: no parsing, no embedding, no rebuild.
    output = ingest(folder, index_dir)
    assert "检索索引已更新" not in output and saved_manifest(index_dir) == first_manifest

    # Add a file: its content is found.
    (folder / "新规定.md").write_text(
        "清风区机关食堂管理规定（示例）\n第一条 机关食堂每周三供应素食套餐。\n第二条 本规定自印发之日起施行。", encoding="utf-8")
    output = ingest(folder, index_dir)
    assert "新向量化 2 个" in output  # only the new chunks are embedded
    hits = search(index_dir, "机关食堂哪天供应素食套餐？")
    assert hits[0]["title"] == "清风区机关食堂管理规定（示例）" and hits[0]["article"] == 1

    # Change it: the old text is gone, the new one is found.
    (folder / "新规定.md").write_text(
        "清风区机关食堂管理规定（示例）\n第一条 机关食堂每周五供应素食套餐。\n第二条 本规定自印发之日起施行。", encoding="utf-8")
    ingest(folder, index_dir)
    texts = [h["text"] for h in search(index_dir, "机关食堂哪天供应素食套餐？", k=10)]
    assert any("每周五" in t for t in texts) and not any("每周三" in t for t in texts)

    # Remove it: it is no longer found.
    (folder / "新规定.md").unlink()
    ingest(folder, index_dir)
    assert all("食堂管理规定" not in h["title"] for h in search(index_dir, "机关食堂哪天供应素食套餐？", k=10))


def test_search_builds_a_missing_index(tmp_path):
    index_dir = tmp_path / "index"
    result = runner.invoke(app, ["ingest", str(DEMO_CORPUS), "--index", str(index_dir), "--no-search-index"])
    assert result.exit_code == 0 and "检索索引已更新" not in result.output and saved_manifest(index_dir) is None
    result = runner.invoke(app, ["search", "--index", str(index_dir), "--top-k", "1", "--json", "陪餐人数"])
    assert result.exit_code == 0, result.output
    assert saved_manifest(index_dir)["chunks"] > 50
    assert "检索索引已更新" in result.stderr  # progress and notes go to stderr; stdout stays JSON
    assert len(json.loads(result.stdout)["results"]) == 1
