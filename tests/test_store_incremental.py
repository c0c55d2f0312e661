"""Incremental, crash-safe ingestion of the whole ../shared corpus."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.commands import app
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import DEMO_CORPUS, SHARED_CORPUS, manifest


def test_second_ingest_does_no_work(corpus_copy: Path, tmp_path: Path, monkeypatch):
    with Store(tmp_path / "index") as store:
        first = ingest_paths([corpus_copy], store)
        # 40 files; the 公务员法 PDF is the .md's law in another format, stored as a hidden copy.
        assert first.count("added") == 39 and first.count("duplicate") == 1 and not first.errors
        counts = store.counts()
        pdf_copy = manifest()["pdf/civil_servant_law_2018.pdf"]["articles"]
        assert counts["articles"] == sum(e.get("articles") or 0 for e in manifest().values() if "articles" in e) - pdf_copy
        assert counts["documents"] == 39

        # Second run: nothing parsed (parse_document must not be called at all).
        import ingest.pipeline as pipeline

        def fail(*args, **kwargs):
            raise AssertionError("parsed an unchanged file")

        monkeypatch.setattr(pipeline, "parse_document", fail)
        second = ingest_paths([corpus_copy], store)  # its time is reported by evals.bench_ingest
        assert second.count("unchanged") == 40
        monkeypatch.undo()

        # Touching a file (same content, new mtime) re-hashes it but does not parse it.
        target = corpus_copy / "texts/official_reception_rules_2013.md"
        os.utime(target, ns=(time.time_ns(), time.time_ns()))
        assert ingest_paths([corpus_copy], store).count("unchanged") == 40

        # Changing one file re-processes that file alone and its nodes follow.
        target.write_text(target.read_text(encoding="utf-8").replace("陪餐人数不得超过3人", "陪餐人数不得超过2人"), encoding="utf-8")
        third = ingest_paths([corpus_copy], store)
        # The folder's manifest.json is reported as not a document ("skipped") on every run.
        assert [r.source for r in third.results if r.status == "skipped"] == [str(corpus_copy / "manifest.json")]
        assert [Path(r.source).name for r in third.results if r.status not in ("unchanged", "skipped")] == [target.name]
        assert [r.status for r in third.results if r.status not in ("unchanged", "skipped")] == ["updated"]
        texts = [n.text for n in store.nodes()]
        assert any("陪餐人数不得超过2人" in t for t in texts)
        assert not any("陪餐人数不得超过3人" in t for t in texts if "接待对象在10人以内" in t)
        assert store.counts() == counts

        # A file removed from the folder is removed from the store.
        (corpus_copy / "texts/eight_point_regulation_2012.md").unlink()
        fourth = ingest_paths([corpus_copy], store)
        assert fourth.count("removed") == 1
        assert store.counts()["documents"] == 38
        assert not any(d.source.endswith("eight_point_regulation_2012.md") for d in store.documents())


def test_versions_of_one_document_get_their_status(tmp_path: Path):
    with Store(tmp_path / "index") as store:
        ingest_paths([DEMO_CORPUS], store)
        reception = {d.meta.version: d.meta.status for d in store.documents() if "公务接待管理办法" in d.title}
        assert reception == {"2024": "现行有效", "2020": "已修订"}
        old = next(d for d in store.documents() if d.meta.version == "2020")
        assert {n.metadata["status"] for n in store.nodes(old.doc_id)} == {"已修订"}


def test_manifest_and_sidecar_set_metadata(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("cpc_discipline_regulations_2023.md", "cpc_discipline_regulations_2018.md"):
        shutil.copy(SHARED_CORPUS / "texts" / name, folder / name)
    (folder / "manifest.json").write_text(json.dumps(
        [{"file": "cpc_discipline_regulations_2018.md", "version": "2018 (superseded)", "status": "已被2023年修订版取代"}],
        ensure_ascii=False), encoding="utf-8")
    (folder / "cpc_discipline_regulations_2023.md.meta.json").write_text(json.dumps(
        {"issuer": "中共中央", "doc_number": "示例〔2023〕1号"}, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "index") as store:
        ingest_paths([folder], store)
        docs = {d.meta.version: d.meta for d in store.documents()}
        assert docs["2018"].status == "已修订" and docs["2018"].status_note == "已被2023年修订版取代"
        assert docs["2023"].doc_number == "示例〔2023〕1号" and docs["2023"].status == "现行有效"
        # Editing the sidecar alone re-processes the file (metadata is part of its fingerprint).
        (folder / "cpc_discipline_regulations_2023.md.meta.json").write_text('{"version": "2024"}', encoding="utf-8")
        report = ingest_paths([folder], store)
        assert sorted(r.status for r in report.results if r.status != "skipped") == ["unchanged", "updated"]
        assert sorted(Path(r.source).name for r in report.results if r.status == "skipped") == [
            "cpc_discipline_regulations_2023.md.meta.json", "manifest.json"]  # metadata, said so


def _ingest_forever(corpus: str, index: str) -> None:
    with Store(index) as store:
        while True:
            ingest_paths([corpus], store)
            for path in Path(corpus).rglob("*.md"):
                path.write_text(path.read_text(encoding="utf-8") + "\n补充段落。", encoding="utf-8")


def test_interrupted_ingest_leaves_a_usable_store(corpus_copy: Path, tmp_path: Path):
    index = tmp_path / "index"
    with Store(index) as store:
        ingest_paths([corpus_copy], store)
        before = store.counts()
    process = multiprocessing.get_context("spawn").Process(target=_ingest_forever, args=(str(corpus_copy), str(index)))
    process.start()
    time.sleep(3.0)
    process.kill()  # no clean-up: as if the machine lost power mid-ingest
    process.join()
    with Store(index) as store:
        counts = store.counts()
        assert counts["documents"] == before["documents"]
        for doc in store.documents():
            nodes = store.nodes(doc.doc_id)
            assert len(nodes) == doc.n_nodes > 0
        report = ingest_paths([corpus_copy], store)
        assert not report.errors and store.counts()["documents"] == before["documents"]


def test_cli_ingest_reports_each_file(tmp_path: Path):
    folder = tmp_path / "docs"
    shutil.copytree(DEMO_CORPUS, folder)
    (folder / "空文件.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--index", str(tmp_path / "index")])
    assert result.exit_code == 1, result.output  # a file failed (issue 15); the others are imported
    assert "空文件.txt" in result.output and "是空文件" in result.output
    assert "已入库 5" in result.output and "失败 1" in result.output
