"""Milvus as the search backend: the chunks' vectors and BM25 weights in a Milvus collection, searched
there instead of in this process's FAISS and bm25s indexes.

`QINGFENG_MILVUS_URI` chooses it: a file path (`…/milvus.db`, Milvus Lite, embedded in the process)
or a server URL (`http://host:19530`, Milvus Standalone / Distributed / a managed service), with
`QINGFENG_MILVUS_TOKEN` and `QINGFENG_MILVUS_COLLECTION`. The store (SQLite in `--index DIR`) stays
the source of truth; the collection is derived from it like the local index and carries the store's
data version in every row.

What goes in each row: the node id (primary key), the document's id, type, status and version,
the chunk's vector (from the embedding cache: switching backends embeds nothing again) and its
BM25 weights as a sparse vector (the local bm25s index's per-chunk term scores, so a Milvus
inner-product search over them gives exactly the local BM25 scores).

The process searches a "thin" SearchIndex (assistant/retrieval/index.py): no FAISS index, no chunk
in memory (read from the store when a result needs it), the BM25 arrays and the phrase text
memory-mapped. What stays in memory is the vocabulary and one id per chunk.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.retrieval.index import HNSW_ABOVE, SearchIndex
from assistant.retrieval.retriever import CANDIDATES

BATCH = 500  # rows per insert
# Fields a search returns beside id and distance: one short one. Without a list Milvus Lite returns
# every field, vectors too (at 100 hits: 88 ms a dense search instead of 30, 95 ms a BM25 one
# instead of 16).
HIT_FIELDS = ["doc_id"]


class MilvusUnavailable(RuntimeError):
    """Milvus cannot be reached or refused a call. `str()` is the Chinese message for users (what
    failed and what to do); `detail` is the client's own error, for logs and the CLI."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


@dataclass
class MilvusTarget:
    uri: str
    token: str = ""
    collection: str = "qingfeng_chunks"

    def describe(self) -> str:
        return f"{self.uri}（集合 {self.collection}）"


def _is_local_file(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "unix:"))


class MilvusChunks:
    """One collection of chunks. Thread-safe (the client serialises its calls)."""

    def __init__(self, target: MilvusTarget, dim: int):
        self.target, self.dim = target, dim
        self._lock = threading.Lock()
        self._client = self._connect()

    def _connect(self):
        from pymilvus import MilvusClient

        uri = self.target.uri
        if _is_local_file(uri):
            Path(uri).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        try:
            return MilvusClient(uri=uri, token=self.target.token or "")
        except Exception as exc:  # noqa: BLE001 - any failure to connect becomes one clear message
            raise MilvusUnavailable(f"无法连接 Milvus 检索服务 {self.target.describe()}。请确认服务已启动、"
                                    "地址和令牌（QINGFENG_MILVUS_URI / QINGFENG_MILVUS_TOKEN）正确。", _reason(exc)) from exc

    def _call(self, what: str, fn: Callable, *args, **kwargs):
        try:
            with self._lock:
                try:
                    return fn(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001
                    if "released" not in str(exc):
                        raise
                    # A restarted server holds the collection released: load it and try once more.
                    self._client.load_collection(self.target.collection)
                    return fn(*args, **kwargs)
        except MilvusUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise MilvusUnavailable(f"Milvus 检索服务{what}失败（{self.target.describe()}）。请检查服务是否正常，"
                                    "稍后再试。", _reason(exc)) from exc

    # Building

    def _create(self, rows: int) -> None:
        """The collection; exact dense search (FLAT) up to HNSW_ABOVE chunks like the local index,
        Milvus's own choice (AUTOINDEX) above."""
        from pymilvus import DataType

        c = self._client
        schema = c.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=128)
        schema.add_field("doc_type", DataType.VARCHAR, max_length=32)
        schema.add_field("status", DataType.VARCHAR, max_length=32)
        schema.add_field("version", DataType.VARCHAR, max_length=32)
        schema.add_field("data_version", DataType.VARCHAR, max_length=128)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        params = c.prepare_index_params()
        params.add_index("dense", index_type="FLAT" if rows <= HNSW_ABOVE else "AUTOINDEX", metric_type="IP")
        params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        c.create_collection(self.target.collection, schema=schema, index_params=params)

    def _ready(self, rows: int = 0) -> None:
        c, name = self._client, self.target.collection
        if not c.has_collection(name):
            self._create(rows)
        c.load_collection(name)  # a collection opened in a new process starts released

    def data_version(self) -> tuple[str | None, int]:
        """The data version the collection holds (None if empty or mixed) and its row count."""
        def read():
            self._ready()
            c, name = self._client, self.target.collection
            count = c.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"]
            if not count:
                return None, 0
            versions = {r["data_version"] for r in c.query(name, filter="", output_fields=["data_version"], limit=16)}
            return (versions.pop() if len(versions) == 1 else None), int(count)
        return self._call("读取", read)

    def sync(self, index: SearchIndex, vectors: Callable[[], np.ndarray]) -> int:
        """Make the collection hold exactly `index`'s chunks (rows upserted, then rows of any other
        data version deleted: safe when two processes sync the same version at once). `vectors()`
        gives the chunks' vectors; it is called only when rows must be written. -> rows written."""
        held, count = self.data_version()
        if held == index.data_version and count == len(index):
            return 0
        name = self.target.collection
        if count == 0:  # empty: made again, so that its dense index suits the size
            self._call("建立集合", lambda: (self._client.drop_collection(name), self._ready(len(index))))
        written = 0
        for batch in self._rows(index, vectors()):
            self._call("写入", self._client.upsert, name, batch)
            written += len(batch)
        self._call("清理", self._client.delete, name, filter=f'data_version != "{index.data_version}"')
        # Sealed and indexed now: rows left in growing segments are searched row by row (Milvus
        # Lite: 3.4 s a question at 10k chunks before a flush).
        self._call("写入", self._client.flush, name)
        return written

    @staticmethod
    def _rows(index: SearchIndex, vectors: np.ndarray) -> Iterator[list[dict]]:
        """The rows to write, BATCH at a time (made as they are sent: at 1M chunks the whole list
        would take many GB)."""
        doc_of = np.empty(len(index), dtype=object)
        for doc_id, rows in index.rows_by_doc.items():
            doc_of[rows] = doc_id
        for start, weights in bm25_batches(index, BATCH):
            batch = []
            for row in range(start, start + len(weights)):
                m = index.doc_meta[doc_of[row]]
                batch.append({"id": index.node_ids[row].decode(), "doc_id": doc_of[row], "doc_type": m.get("doc_type") or "",
                              "status": m.get("status") or "", "version": str(m.get("version") or ""),
                              "data_version": index.data_version, "dense": vectors[row].astype(np.float32).tolist(),
                              "bm25": weights[row - start] or {0: 0.0}})
            yield batch

    # Searching

    def dense(self, vector: np.ndarray, k: int, where: str = "") -> list[tuple[str, float]]:
        """The k nearest chunks among those `where` (a Milvus filter expression) keeps."""
        hits = self._call("查询", self._client.search, self.target.collection, data=[vector.astype(np.float32).tolist()],
                          anns_field="dense", limit=k, filter=where, output_fields=HIT_FIELDS,
                          search_params={"metric_type": "IP"})
        return [(h["id"], float(h["distance"])) for h in hits[0]]

    def lexical(self, query: dict[int, float], k: int, where: str = "") -> list[tuple[str, float]]:
        if not query:
            return []
        hits = self._call("查询", self._client.search, self.target.collection, data=[query], anns_field="bm25",
                          limit=k, filter=where, output_fields=HIT_FIELDS, search_params={"metric_type": "IP"})
        return [(h["id"], float(h["distance"])) for h in hits[0] if h["distance"] > 0]

    def drop(self) -> None:
        self._call("删除集合", self._client.drop_collection, self.target.collection)

    def close(self) -> None:
        """Close the connection; for Milvus Lite also stop its embedded server, which frees the file
        for another process (one process at a time may open a Milvus Lite file)."""
        try:
            self._client.close()
        except Exception:  # noqa: BLE001 - closing a lost connection
            pass
        if _is_local_file(self.target.uri):
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(str(Path(self.target.uri).expanduser().resolve()))


def bm25_batches(index: SearchIndex, size: int) -> Iterator[tuple[int, list[dict[int, float]]]]:
    """Each chunk's BM25 term scores from the local bm25s index ({token id: score}), `size` chunks
    at a time: (first row, their scores). The BM25 score of a question is the sum of its tokens'
    entries, i.e. an inner product with {token id: 1}."""
    from scipy.sparse import csc_matrix

    scores = index.lexical.scores
    n = len(index)
    matrix = csc_matrix((scores["data"], scores["indices"], scores["indptr"]),
                        shape=(n, len(scores["indptr"]) - 1)).tocsr()
    for start in range(0, n, size):
        yield start, [{int(t): float(w) for t, w in zip(matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]],
                                                        matrix.data[matrix.indptr[r]:matrix.indptr[r + 1]]) if w}
                      for r in range(start, min(n, start + size))]


class MilvusSearchIndex(SearchIndex):
    """A SearchIndex whose dense and BM25 searches run in Milvus (see the module text)."""

    filters_in_search = True
    # Chunks Milvus returns for a BM25 search (the rest score 0 here): the retriever takes its
    # CANDIDATES best; twice as many keep ties at the cut in the same order as the local index,
    # and each hit more costs time (Milvus Lite: 48 ms for 100, 360 ms for 1,000).
    LEXICAL_DEPTH = 2 * CANDIDATES

    @classmethod
    def over(cls, local: SearchIndex, chunks: MilvusChunks) -> "MilvusSearchIndex":
        # The local FAISS index is not kept: Milvus does the dense search (at 1M chunks that is
        # 1.5 GB this process does not hold).
        index = cls(local.nodes, None, local.lexical, local.model, local.data_version,
                    rows_by_doc=local.rows_by_doc, node_ids=local.node_ids, joined=local.joined, doc_meta=local.doc_meta)
        index.chunks = chunks
        return index

    def where(self, mask: np.ndarray | None) -> str:
        """A filter's rows as a Milvus expression. Every filter keeps or drops whole documents
        (SearchFilters), so the expression lists the documents kept."""
        if mask is None:
            return ""
        kept = [doc_id for doc_id, rows in self.rows_by_doc.items() if mask[rows[0]]]
        return "doc_id in [" + ", ".join(json.dumps(d) for d in kept) + "]"

    def dense_search(self, query_vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self.nodes))
        found = self.chunks.dense(query_vector.reshape(-1), k, self.where(mask)) if k else []
        hits = [(r, s) for r, (_, s) in zip(self.rows_of([i for i, _ in found]), found) if r is not None]
        return (np.array([r for r, _ in hits], dtype=np.int64), np.array([s for _, s in hits], dtype=np.float32))

    def lexical_scores(self, tokens: list[str], weights: dict[str, float] | None = None,
                       mask: np.ndarray | None = None) -> np.ndarray:
        total = np.zeros(len(self.nodes), dtype=np.float32)
        query: dict[int, float] = {}
        for token in tokens:
            token_id = self._vocab.get(token)
            if token_id is not None:  # a repeated token counts again, as in bm25s
                query[int(token_id)] = query.get(int(token_id), 0.0) + float((weights or {}).get(token, 1.0))
        found = self.chunks.lexical(query, min(self.LEXICAL_DEPTH, len(self.nodes)), self.where(mask))
        for row, (_, score) in zip(self.rows_of([i for i, _ in found]), found):
            if row is not None:
                total[row] = score
        return total


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
