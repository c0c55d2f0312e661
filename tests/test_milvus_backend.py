"""Milvus as the search backend (issue 16, first step), against a real Milvus Lite (embedded, a file
in a temporary folder): the same passages as the local backend on ../shared/corpus, a collection
kept in step with the store, no re-embedding, and a clear Chinese error when Milvus is unreachable.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest

from assistant.config import get_settings
from assistant.retrieval import ensure_search_index, make_retriever
from assistant.retrieval.lexicon import segmenter
from assistant.retrieval.milvus import MilvusChunks, MilvusTarget, MilvusUnavailable
from assistant.retrieval.on_disk import StoredNodes
from assistant.retrieval.retriever import CANDIDATES
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import ROOT

# Written by the team for these tests (not the dev set).
QUESTIONS = ["公务接待中陪餐人数有什么规定", "党员收受礼金怎么处分", "监察机关采取留置措施的期限是多长",
             "纪律处分条例第三十条", "出差住宿费怎么报销", "违规发放津贴补贴如何处理"]


def milvus_settings(folder):
    return get_settings().model_copy(update={"milvus_uri": str(folder / "milvus.db")})


@pytest.fixture(scope="module")
def both(shared_index, tmp_path_factory):
    store, local = shared_index
    settings = milvus_settings(tmp_path_factory.mktemp("milvus"))
    remote, stats = ensure_search_index(store, settings)
    return store, local, remote, stats, settings


def test_milvus_finds_the_same_passages_with_the_same_scores(both):
    store, local, remote, stats, settings = both
    assert stats["milvus_rows"] == len(local) and type(remote).__name__ == "MilvusSearchIndex"
    # Thin: no FAISS index and no chunk in memory; BM25 arrays and the phrase text memory-mapped.
    assert isinstance(remote.nodes, StoredNodes) and remote.dense is None
    assert len(remote.nodes._cache) <= len(remote.rows_by_doc)  # one chunk a document, for its metadata
    assert isinstance(remote.lexical.scores["data"], np.memmap) and remote.joined.encode
    assert remote.rows_by_doc == {d: range(r[0], r[-1] + 1) for d, r in local.rows_by_doc.items()}
    assert remote.doc_meta == local.doc_meta
    # Phrase checks on the mapped UTF-8 text give the in-memory text's answers.
    for needle in ("陪餐人数", "第三十条", "党员", "公务接待", "不存在的短语甲乙丙"):
        assert remote.occurrences(needle) == local.occurrences(needle)
        assert remote.rows_containing(needle, limit=7) == local.rows_containing(needle, limit=7)
    assert remote.occurrences("党员") > 100 and remote.rows_containing("陪餐人数")
    from assistant.retrieval.embeddings import load_embedder

    embedder = load_embedder(settings.embedding_model)
    for question in QUESTIONS:
        tokens = segmenter().tokens(question)
        ours, theirs = local.lexical_scores(tokens), remote.lexical_scores(tokens)
        top = np.argsort(-ours, kind="stable")[:CANDIDATES]  # what the retriever takes of them
        assert np.allclose(ours[top], theirs[top], atol=1e-4)
        vector = embedder.embed_queries([question])[0]
        rows_local, scores_local = local.dense_search(vector, 100)
        rows_remote, scores_remote = remote.dense_search(vector, 100)
        assert list(rows_local) == list(rows_remote) and np.allclose(scores_local, scores_remote, atol=1e-5)
        a = make_retriever(local, settings.model_copy(update={"milvus_uri": None})).search(question)
        b = make_retriever(remote, settings).search(question)
        assert [n.node.node_id for n in a.nodes] == [n.node.node_id for n in b.nodes]
        assert np.allclose([n.score for n in a.nodes], [n.score for n in b.nodes], atol=1e-5)


def test_filters_run_in_milvus_as_expressions(both):
    """A document filter and "current versions only" become a Milvus expression: every passage is
    from a kept document, and the passages are the local backend's."""
    from assistant.retrieval import SearchFilters

    store, local, remote, stats, settings = both
    reception = next(d for d in store.documents() if "国内公务接待管理规定" in d.title)
    for filters, question in ((SearchFilters(documents=[reception.doc_id]), "陪餐人数"),
                              (SearchFilters(include_superseded=False), "违反组织纪律的处分"),
                              (SearchFilters(doc_types=["法规"], statuses=["现行有效"]), "收受礼金")):
        mask = filters.mask(remote)
        where = remote.where(mask)
        assert where.startswith("doc_id in [") and all(f'"{d}"' in where for d, rows in remote.rows_by_doc.items()
                                                       if mask[rows[0]])
        a = make_retriever(local, settings.model_copy(update={"milvus_uri": None}), filters=filters).search(question)
        b = make_retriever(remote, settings, filters=filters).search(question)
        assert b.nodes and all(mask[remote.rows_of([n.node.node_id])[0]] for n in b.nodes)
        assert [n.node.node_id for n in a.nodes] == [n.node.node_id for n in b.nodes]


def test_a_second_process_reuses_the_collection_and_the_cli_answers_from_it(both):
    """Opened again (a new process, the collection loaded from disk): nothing is written, and
    `qingfeng ask` cites the same article on either backend."""
    store, local, remote, stats, settings = both
    remote.chunks.close()
    env_milvus = {"QINGFENG_MILVUS_URI": settings.milvus_uri}
    question = "接待对象在10人以上的，陪餐人数有什么要求？"
    answers = {}
    for name, extra in (("local", {}), ("milvus", env_milvus)):
        done = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "ask", "--json", "--index", str(store.dir),
                               question], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, **extra})
        assert done.returncode == 0, done.stderr
        answers[name] = json.loads(done.stdout)
    first = [(c["title"], c["version"], c["article"]) for c in answers["local"]["citations"]]
    assert first and first == [(c["title"], c["version"], c["article"]) for c in answers["milvus"]["citations"]]
    assert answers["milvus"]["answer"] == answers["local"]["answer"]
    again, stats = ensure_search_index(store, settings)
    assert stats["milvus_rows"] == 0 and len(again) == len(local)


def test_the_collection_follows_the_store_writing_only_what_changed(tmp_path):
    """Demo documents: four files, then a fifth, then one removed. Each time the collection holds
    exactly the store's chunks; only the new document's rows are written (unless the average
    chunk length moved beyond the tolerance, when every row is), a removal writes nothing, no
    chunk is embedded again, and BM25 scores stay within the tolerance of the local index's."""
    from assistant.retrieval.milvus import AVGDL_TOLERANCE

    folder = tmp_path / "docs"
    folder.mkdir()
    files = sorted((ROOT / "corpus").glob("qingfeng_*.md"))
    for f in files[:4]:
        shutil.copy(f, folder / f.name)
    store = Store(tmp_path / "index")
    settings = milvus_settings(tmp_path / "milvus")
    local_settings = settings.model_copy(update={"milvus_uri": None})

    def collection_ids(index) -> set[str]:
        client = index.chunks._client
        rows = client.query(settings.milvus_collection, filter="", output_fields=["id"], limit=16384)
        return {r["id"] for r in rows}

    def expected_writes(before, after, written_with: float) -> tuple[int, float]:
        """Rows the sync should write (new chunks and chunks of documents whose metadata changed,
        e.g. an older version now 已修订; all when the average length drifted), and the average
        length the rows then carry."""
        if abs(after.avgdl - written_with) > AVGDL_TOLERANCE * after.avgdl:
            return len(after), after.avgdl
        return sum(len(rows) for doc_id, rows in after.rows_by_doc.items()
                   if before.doc_meta.get(doc_id) != after.doc_meta[doc_id]), written_with

    def same_scores(remote, tolerance: float) -> None:
        local, _ = ensure_search_index(store, local_settings)
        for question in ("公务接待陪餐人数", "操办婚丧喜庆事宜报告", "违反规定收受礼品礼金"):
            tokens = segmenter().tokens(question)
            ours, theirs = local.lexical_scores(tokens), remote.lexical_scores(tokens)
            top = np.argsort(-ours, kind="stable")[:10]
            assert ours[top[0]] > 0 and np.allclose(theirs[top], ours[top], rtol=tolerance, atol=1e-4)

    ingest_paths([folder], store)
    first, stats = ensure_search_index(store, settings)
    assert stats["milvus_rows"] == len(first) and collection_ids(first) == {n.node_id for n in first.nodes}
    same_scores(first, 1e-5)  # written now: exactly the local scores
    first.chunks.close()

    shutil.copy(files[4], folder / files[4].name)
    ingest_paths([folder], store)
    second, stats = ensure_search_index(store, settings)
    added = len(second) - len(first)
    expected, written_with = expected_writes(first, second, first.avgdl)
    assert added > 0 and stats["milvus_rows"] == expected < len(second)
    assert stats["embedded"] < added + 1  # only the new file's chunks, if any were uncached
    assert collection_ids(second) == {n.node_id for n in second.nodes}
    same_scores(second, AVGDL_TOLERANCE)
    second.chunks.close()

    dropped = store.documents()[0].doc_id
    store.delete_document(dropped)
    third, stats = ensure_search_index(store, settings)
    assert stats["embedded"] == 0 and stats["milvus_rows"] == expected_writes(second, third, written_with)[0]
    assert collection_ids(third) == {n.node_id for n in third.nodes} and len(third) < len(second)
    assert not any(n.metadata["doc_id"] == dropped for n in third.nodes)
    same_scores(third, AVGDL_TOLERANCE)
    third.chunks.close()


def test_an_unreachable_milvus_is_said_in_chinese():
    """The message for users; the client's own error is kept apart for logs (the CLI and app
    against a server that goes away: tests/test_milvus_server.py)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    with pytest.raises(MilvusUnavailable) as caught:
        MilvusChunks(MilvusTarget(f"http://127.0.0.1:{port}"), 384).state()
    assert str(caught.value).startswith(f"无法连接 Milvus 检索服务 http://127.0.0.1:{port}（集合 qingfeng_chunks）")
    assert "Exception" not in str(caught.value) and caught.value.detail


def test_batch_faq_is_the_same_on_both_backends(tmp_path):
    """`qingfeng faq` (which asks every candidate question to check it) on the demo corpus writes
    the same entries, with the same sources, whichever backend searches."""
    with Store(tmp_path / "index") as store:
        ingest_paths([ROOT / "corpus"], store)
    written = {}
    for name, extra in (("local", {}), ("milvus", {"QINGFENG_MILVUS_URI": str(tmp_path / "milvus" / "milvus.db")})):
        out = tmp_path / f"faq-{name}.jsonl"
        done = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "faq", "--index", str(tmp_path / "index"),
                               "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                              env={**os.environ, **extra})
        assert done.returncode == 0, done.stderr
        written[name] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(written["local"]) >= 10 and written["local"] == written["milvus"]


def test_check_repairs_a_collection_that_lost_rows(tmp_path):
    """`qingfeng check` with Milvus: a collection missing rows (deleted behind the app's back) is
    written again and reported; a healthy one is reported as such (an unreachable one: exit 1,
    tests/test_milvus_server.py)."""
    from assistant.knowledge_base.check import check_index

    with Store(tmp_path / "index") as store:
        ingest_paths([ROOT / "corpus"], store)
    settings = milvus_settings(tmp_path / "milvus")
    index, _ = ensure_search_index(Store(tmp_path / "index"), settings)
    lost = [n.node_id for n in index.nodes[:7]]
    index.chunks._client.delete(settings.milvus_collection, ids=lost)
    index.chunks.close()

    report = check_index(tmp_path / "index", settings)
    found = dict(report.lines)["Milvus 检索服务"]
    assert report.ok and "已写入 7 个片段，现与知识库一致" in found  # the lost rows only
    report = check_index(tmp_path / "index", settings)
    assert report.ok and f"正常（{len(index)} 个片段，与知识库一致）" in dict(report.lines)["Milvus 检索服务"]
