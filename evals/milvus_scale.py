"""The Milvus backend at scale, process by process: what an app replica holds in memory and how
fast it answers when the knowledge base has 100k or 1M chunks.

    python -m evals.milvus_scale [--index DIR] [--sizes 100000,1000000] [--queries 50]

For each size, in a work folder (a temporary one unless `--work` is given):
1. **store**: the ../shared/corpus store replicated into a store of that many chunks (every
   document copied under new ids, in SQL; the texts repeat, as in evals/bench.py);
2. **build** (a process of its own): the search folder as an ingest machine writes it for the
   Milvus backend (no FAISS index; BM25 over the copies' jieba tokens);
3. **sync** (a process of its own): a Milvus Lite gRPC server on 127.0.0.1 started, and the
   collection written through the product's MilvusChunks, with random unit vectors (embedding
   a million chunks here would take most of a day; search time does not depend on the values);
4. **app** (a process of its own, as a replica starts): `ensure_search_index` with
   `QINGFENG_MILVUS_URI` set finds the collection current and opens the thin index; then warm
   retrieval latency over the benchmark questions, idle and beside a CPU-bound process, and the
   process's peak memory (VmHWM) split into anonymous memory and mapped files at the end;
5. **a new document**: one more copy of a document put in the store (an upload), the search
   folder built again and the collection synced: how many rows the sync writes, and how long.

Memory figures are /proc's: VmHWM is the peak resident set; RssAnon is the process's own memory,
RssFile the pages of memory-mapped files it has touched (the page cache, shared by every process
on the machine that maps the same files, and given back under memory pressure).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

STEPS = ("build", "sync", "app")


def proc_memory_mb(pid: int | str = "self") -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
            fields[name] = round(int(value.split()[0]) / 1024)
    return fields


def replicate(base: Path, folder: Path, size: int) -> int:
    """A store in `folder` with the base store's documents copied until it holds ≥ `size`
    searchable chunks -> chunks."""
    from ingest.store import STORE_FILE, Store

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(base / STORE_FILE, folder / STORE_FILE)
    with Store(folder) as store:
        per_copy = store.counts()["nodes"]
    copies = -(-size // per_copy)
    db = sqlite3.connect(folder / STORE_FILE)
    with db:
        db.execute(f"CREATE TEMP TABLE k AS WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c "
                   f"WHERE k < {copies - 1}) SELECT k FROM c")
        db.execute("INSERT INTO files SELECT path || '#' || k, source, doc_id || '-' || k, size, mtime_ns, fingerprint "
                   "FROM files, k")
        db.execute("INSERT INTO documents SELECT doc_id || '-' || k, fingerprint, source, title, meta, parsed, "
                   "n_articles, n_nodes, ingested_at, warnings FROM documents, k")
        db.execute("INSERT INTO nodes SELECT node_id || '-' || k, doc_id || '-' || k, position, json_set(node, "
                   "'$.id_', node_id || '-' || k, '$.metadata.doc_id', doc_id || '-' || k) FROM nodes, k")
    db.close()
    with Store(folder) as store:
        return store.counts()["nodes"]


def add_document(folder: Path) -> int:
    """One more copy of the store's first document (a new upload) -> its chunks."""
    from ingest.store import STORE_FILE

    db = sqlite3.connect(folder / STORE_FILE)
    with db:
        doc_id = db.execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1").fetchone()[0]
        new = doc_id + "-new"
        db.execute("INSERT INTO files SELECT path || '#new', source, ?, size, mtime_ns, fingerprint FROM files "
                   "WHERE doc_id = ?", (new, doc_id))
        db.execute("INSERT INTO documents SELECT ?, fingerprint, source, title, meta, parsed, n_articles, n_nodes, "
                   "?, warnings FROM documents WHERE doc_id = ?", (new, time.time(), doc_id))
        added = db.execute("INSERT INTO nodes SELECT node_id || '-new', ?, position, json_set(node, '$.id_', "
                           "node_id || '-new', '$.metadata.doc_id', ?) FROM nodes WHERE doc_id = ?",
                           (new, new, doc_id)).rowcount
    db.close()
    return added


def step_build(folder: Path) -> dict:
    """The search folder for the Milvus backend, tokenizing each distinct chunk text once."""
    from assistant.retrieval.embeddings import load_embedder
    from assistant.retrieval.index import (
        SearchIndex,
        average_length,
        index_lock,
        lexical_text,
        make_lexical_index,
        rows_by_document,
        save_search_index,
    )
    from assistant.retrieval.lexicon import segmenter
    from assistant.retrieval.on_disk import StoredNodes
    from ingest.store import SEARCHABLE_NODES, Store

    started = time.perf_counter()
    store = Store(folder)
    ids, tokens, seen = [], [], {}
    seg = segmenter()
    for node_id, raw in store.db.execute(SEARCHABLE_NODES):
        node = TextNode.from_json(raw)
        text = lexical_text(node)
        ids.append(node_id)
        tokens.append(seen.get(text) or seen.setdefault(text, seg.tokens(text)))
    node_ids = np.array([i.encode() for i in ids], dtype=bytes)
    index = SearchIndex(StoredNodes(folder, node_ids), None, make_lexical_index(tokens), load_embedder().name,
                        store.data_version(), rows_by_doc=rows_by_document(store, ids), node_ids=node_ids,
                        avgdl=average_length(tokens))
    with index_lock(folder):
        save_search_index(folder, index, "none")
    return {"chunks": len(ids), "seconds": round(time.perf_counter() - started), **proc_memory_mb()}


def step_sync(folder: Path, uri: str) -> dict:
    from assistant.retrieval.embeddings import load_embedder
    from assistant.retrieval.index import load_search_index
    from assistant.retrieval.milvus import MilvusChunks, MilvusSearchIndex, MilvusTarget, stable_token_ids
    from ingest.store import Store

    store = Store(folder)
    index = load_search_index(store, thin=True)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(index), load_embedder().dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = MilvusChunks(MilvusTarget(uri), vectors.shape[1])
    started = time.perf_counter()
    remote = MilvusSearchIndex.over(index, chunks, stable_token_ids(index, store))
    written = chunks.sync(remote, lambda rows: vectors[rows])
    seconds = time.perf_counter() - started
    chunks.close()
    return {"written": written, "per_second": round(written / seconds), "seconds": round(seconds), **proc_memory_mb()}


def step_app(folder: Path, uri: str, queries: int) -> dict:
    os.environ["QINGFENG_MILVUS_URI"] = uri
    from assistant.config import get_settings
    from assistant.retrieval import ensure_search_index, make_retriever
    from evals.bench import QUESTIONS, latency
    from evals.contention import busy_cpu
    from ingest.store import Store

    settings = get_settings()
    started = time.perf_counter()
    index, stats = ensure_search_index(Store(folder), settings)
    open_s = time.perf_counter() - started
    retriever = make_retriever(index, settings)
    after_open = proc_memory_mb()
    in_milvus = MilvusCallTimer(index.chunks)
    idle = latency(retriever, QUESTIONS, queries)
    idle_milvus = in_milvus.per_question(queries)
    with busy_cpu():
        contended = latency(retriever, QUESTIONS, queries)
    contended_milvus = in_milvus.per_question(queries)
    return {"chunks": len(index), "milvus_rows_written": stats.get("milvus_rows"), "open_s": round(open_s, 1),
            "idle_p50_p95": [round(x, 1) for x in idle], "contended_p50_p95": [round(x, 1) for x in contended],
            "milvus_ms_per_question": {"idle": idle_milvus, "contended": contended_milvus},
            "after_open": after_open, **proc_memory_mb()}


class MilvusCallTimer:
    """Wall time spent waiting for Milvus's two searches (the rest of a question's time is this
    process's own work, whatever Milvus implementation answers)."""

    def __init__(self, chunks):
        self.total = 0.0
        for name in ("dense", "lexical"):
            setattr(chunks, name, self._timed(getattr(chunks, name)))

    def _timed(self, call):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - started
        return timed

    def per_question(self, questions: int) -> float:
        """Mean ms a question since the last call (the three warm-up questions included)."""
        mean, self.total = self.total * 1000 / (questions + 3), 0.0
        return round(mean, 1)


def run_step(step: str, *args: str) -> dict:
    """One step in a new Python process -> the JSON it printed."""
    out = subprocess.run([sys.executable, "-m", "evals.milvus_scale", "--step", step, *args],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"step {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of ../shared/corpus (built in a temp folder if omitted)")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--work", type=Path, help="work folder (kept); a temporary one otherwise")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # inside a child process
        result = {"build": lambda: step_build(args.folder), "sync": lambda: step_sync(args.folder, args.uri),
                  "app": lambda: step_app(args.folder, args.uri, args.queries)}[args.step]()
        print(json.dumps(result))
        return

    from evals.bench import base_index_dir, peak_rss_mb
    from evals.milvus_server import start_milvus_lite, stop

    with tempfile.TemporaryDirectory(prefix="qingfeng-scale-") as tmp:
        work = args.work or Path(tmp)
        base = base_index_dir(args.index, work / "base")
        print("| chunks | build s | build peak MB | Milvus write chunks/s | sync peak MB | Milvus server peak MB "
              "| app open s | app peak MB (own / mapped files) | idle p50 / p95 ms | contended p50 / p95 ms |")
        print("|:--|:--|:--|:--|:--|:--|:--|:--|:--|:--|")
        for size in [int(s) for s in args.sizes.split(",") if s]:
            folder = work / f"store-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            replicate(base, folder, size)
            build = run_step("build", "--folder", str(folder))
            server, port = start_milvus_lite(work / f"milvus-{size}")
            try:
                uri = f"http://127.0.0.1:{port}"
                sync = run_step("sync", "--folder", str(folder), "--uri", uri)
                app = run_step("app", "--folder", str(folder), "--uri", uri, "--queries", str(args.queries))
                added = add_document(folder)  # then a new document: what the sync writes
                rebuild = run_step("build", "--folder", str(folder))
                change = run_step("sync", "--folder", str(folder), "--uri", uri)
                server_mb = peak_rss_mb(server.pid)
            finally:
                stop(server)
            print(f"| {build['chunks']:,} | {build['seconds']} | {build['VmHWM']:,} | {sync['per_second']:,} "
                  f"| {sync['VmHWM']:,} | {server_mb:,.0f} | {app['open_s']} | {app['VmHWM']:,} "
                  f"({app['RssAnon']:,} / {app['RssFile']:,}) | {app['idle_p50_p95'][0]} / {app['idle_p50_p95'][1]} "
                  f"| {app['contended_p50_p95'][0]} / {app['contended_p50_p95'][1]} |", flush=True)
            print("  app details:", json.dumps(app), flush=True)
            print(f"  a new document of {added} chunks: search folder rebuilt in {rebuild['seconds']} s, "
                  f"then {change['written']} rows written to Milvus in {change['seconds']} s", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(work / f"milvus-{size}", ignore_errors=True)


if __name__ == "__main__":
    main()
