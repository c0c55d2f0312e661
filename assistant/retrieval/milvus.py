"""Milvus as the search backend: the chunks' vectors and BM25 weights in a Milvus collection, searched
there instead of in this process's FAISS and bm25s indexes.

`QINGFENG_MILVUS_URI` chooses it: a file path (`…/milvus.db`, Milvus Lite, embedded in the process)
or a server URL (`http://host:19530`, Milvus Standalone / Distributed / a managed service), with
`QINGFENG_MILVUS_TOKEN` and `QINGFENG_MILVUS_COLLECTION`. The store (SQLite in `--index DIR`) stays
the source of truth; the collection is derived from it like the local index. Its properties say
which data version of the store it is in step with (`qingfeng.data_version`), the row format and
the average chunk length its BM25 weights were made with.

What goes in each row: the node id (primary key), the document's id, type, status and version, a
digest of those (`doc_rev`), the chunk's vector (from the embedding cache: switching backends
embeds nothing again) and its BM25 weights as a sparse vector (BM25Weights: the local bm25s
scores without the idf, which the question carries, so that the inner product is the local BM25
score and rows stay right as other documents come and go). A change to the store writes only the
rows that differ (MilvusChunks.sync).

The process searches a "thin" SearchIndex (assistant/retrieval/index.py): no FAISS index, no chunk
in memory (read from the store when a result needs it), the BM25 arrays and the phrase text
memory-mapped. What stays in memory is the vocabulary and one id per chunk.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.retrieval.index import HNSW_ABOVE, SearchIndex
from assistant.retrieval.retriever import CANDIDATES

BATCH = 500  # rows per insert
COLLECTION_FORMAT = "2"  # 2: BM25 rows without idf, stable token ids, doc_rev; the state in properties
# Rows keep BM25 weights made with the corpus's average chunk length; when it has moved further
# than this from it, every row is written again (BM25 scores then differ from the local index's
# by about as much, never more).
AVGDL_TOLERANCE = 0.02
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
class CollectionState:
    format: str | None  # COLLECTION_FORMAT of the rows
    data_version: str | None  # the store's data version the rows were last brought in step with
    avgdl: float | None  # the average chunk length the rows' BM25 weights were made with
    rows: int


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
        schema.add_field("doc_rev", DataType.VARCHAR, max_length=32)  # what the row's fields were made from
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        params = c.prepare_index_params()
        params.add_index("dense", index_type="FLAT" if rows <= HNSW_ABOVE else "AUTOINDEX", metric_type="IP")
        params.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        c.create_collection(self.target.collection, schema=schema, index_params=params)
        c.alter_collection_properties(self.target.collection, properties={"qingfeng.format": COLLECTION_FORMAT})

    def _ready(self, rows: int = 0) -> None:
        c, name = self._client, self.target.collection
        if not c.has_collection(name):
            self._create(rows)
        c.load_collection(name)  # a collection opened in a new process starts released

    def state(self) -> CollectionState:
        """What the collection says it holds (its properties) and how many rows it has."""
        def read():
            self._ready()
            c, name = self._client, self.target.collection
            count = c.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"]
            props = c.describe_collection(name).get("properties") or {}
            avgdl = props.get("qingfeng.avgdl")
            return CollectionState(props.get("qingfeng.format"), props.get("qingfeng.data_version"),
                                   float(avgdl) if avgdl else None, int(count))
        return self._call("读取", read)

    def _held(self) -> dict[str, str]:
        """Every row's id and doc_rev (read in batches)."""
        def read():
            found: dict[str, str] = {}
            rows = self._client.query_iterator(self.target.collection, batch_size=16384, filter="",
                                               output_fields=["doc_rev"])
            try:
                while batch := rows.next():
                    found.update((r["id"], r["doc_rev"]) for r in batch)
            finally:
                rows.close()
            return found
        return self._call("读取", read)

    def sync(self, index: "MilvusSearchIndex", vectors: Callable[[list[int]], np.ndarray]) -> int:
        """Bring the collection in step with `index`, writing only what differs: rows of chunks it
        lacks or of documents whose metadata changed are upserted, rows of chunks gone are deleted.
        Every row is written again only when the corpus's average chunk length moved more than
        AVGDL_TOLERANCE from the one the rows' BM25 weights were made with (or the collection is
        new or of an older format). `vectors(rows)` gives those rows' vectors; it is called only
        when rows must be written. Two processes syncing the same index at once write the same
        rows. -> rows written."""
        state = self.state()
        if (state.format, state.data_version, state.rows) == (COLLECTION_FORMAT, index.data_version, len(index)):
            return 0
        name = self.target.collection
        if state.rows == 0 or state.format != COLLECTION_FORMAT:  # made again (its dense index suits the size)
            self._call("建立集合", lambda: (self._client.drop_collection(name), self._ready(len(index))))
            state = CollectionState(COLLECTION_FORMAT, None, None, 0)
        revs = doc_revisions(index)
        held = self._held() if state.rows else {}
        drifted = state.avgdl is None or abs(state.avgdl - index.avgdl) > AVGDL_TOLERANCE * index.avgdl
        wanted = {}
        for doc_id, rows in index.rows_by_doc.items():
            for row in rows:
                wanted[index.node_ids[row].decode()] = row
        todo = sorted(row for node_id, row in wanted.items() if drifted or held.get(node_id) != revs[index.doc_of(row)])
        gone = [node_id for node_id in held if node_id not in wanted]
        del held
        written = 0
        if todo:
            for batch in self._rows(index, todo, vectors(todo), revs):
                self._call("写入", self._client.upsert, name, batch)
                written += len(batch)
        for start in range(0, len(gone), BATCH):
            self._call("清理", self._client.delete, name, ids=gone[start:start + BATCH])
        # Sealed and indexed now: rows left in growing segments are searched row by row (Milvus
        # Lite: 3.4 s a question at 10k chunks before a flush).
        self._call("写入", self._client.flush, name)
        props = {"qingfeng.data_version": index.data_version}
        if drifted:
            props["qingfeng.avgdl"] = str(index.avgdl)
        self._call("写入", self._client.alter_collection_properties, name, properties=props)
        return written

    @staticmethod
    def _rows(index: "MilvusSearchIndex", rows: list[int], vectors: np.ndarray, revs: dict[str, str]) -> Iterator[list[dict]]:
        """The rows to write, BATCH at a time (made as they are sent: at 1M chunks the whole list
        would take many GB). `vectors[i]` is the vector of `rows[i]`."""
        weights = BM25Weights(index)
        for start in range(0, len(rows), BATCH):
            batch = []
            for i in range(start, min(len(rows), start + BATCH)):
                row = rows[i]
                doc_id = index.doc_of(row)
                m = index.doc_meta[doc_id]
                batch.append({"id": index.node_ids[row].decode(), "doc_id": doc_id, "doc_type": m.get("doc_type") or "",
                              "status": m.get("status") or "", "version": str(m.get("version") or ""),
                              "doc_rev": revs[doc_id], "dense": vectors[i].astype(np.float32).tolist(),
                              "bm25": weights.row(row) or {0: 0.0}})
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


def stable_token_ids(index: SearchIndex, store) -> np.ndarray:
    """The store's stable id (Store.token_ids) of each of the index's bm25s token ids."""
    vocab = index.lexical.vocab_dict
    return np.array(store.token_ids(sorted(vocab, key=vocab.get)), dtype=np.int64)


def doc_revisions(index: SearchIndex) -> dict[str, str]:
    """Per document, a digest of what its rows are made of beside the chunk (whose id changes
    with its text): the metadata written in the row and the number of chunks."""
    return {doc_id: hashlib.sha256(json.dumps([index.doc_meta[doc_id], len(rows)], sort_keys=True, ensure_ascii=False)
                                   .encode()).hexdigest()[:16] for doc_id, rows in index.rows_by_doc.items()}


class BM25Weights:
    """Each chunk's BM25 weights for Milvus: {stable token id: the bm25s score ÷ the token's idf}.

    The idf is left out of the rows and put in the question ({stable token id: idf × weight}),
    so that rows stay right when other documents come and go (which changes every idf); the
    inner product is exactly the local bm25s score. What the rows keep of the corpus is its
    average chunk length (BM25's length normalisation), hence AVGDL_TOLERANCE. Token ids are the
    store's stable ones (Store.token_ids), not bm25s's, which change with every build."""

    def __init__(self, index: "MilvusSearchIndex"):
        from scipy.sparse import csc_matrix

        scores = index.lexical.scores
        self.matrix = csc_matrix((scores["data"], scores["indices"], scores["indptr"]),
                                 shape=(len(index), len(scores["indptr"]) - 1)).tocsr()
        self.idf = index.idf_array()
        self.stable = index.token_ids

    def row(self, row: int) -> dict[int, float]:
        begin, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        return {int(self.stable[t]): float(w / self.idf[t])
                for t, w in zip(self.matrix.indices[begin:end], self.matrix.data[begin:end]) if w}


class MilvusSearchIndex(SearchIndex):
    """A SearchIndex whose dense and BM25 searches run in Milvus (see the module text)."""

    filters_in_search = True
    # Chunks Milvus returns for a BM25 search (the rest score 0 here): the retriever takes its
    # CANDIDATES best; twice as many keep ties at the cut in the same order as the local index,
    # and each hit more costs time (Milvus Lite: 48 ms for 100, 360 ms for 1,000).
    LEXICAL_DEPTH = 2 * CANDIDATES

    @classmethod
    def over(cls, local: SearchIndex, chunks: MilvusChunks, token_ids: np.ndarray) -> "MilvusSearchIndex":
        """`local`'s chunks searched in `chunks`' collection; `token_ids`: the stable id of each
        bm25s token id (BM25Weights)."""
        # The local FAISS index is not kept: Milvus does the dense search (at 1M chunks that is
        # 1.5 GB this process does not hold).
        index = cls(local.nodes, None, local.lexical, local.model, local.data_version, rows_by_doc=local.rows_by_doc,
                    node_ids=local.node_ids, joined=local.joined, doc_meta=local.doc_meta, avgdl=local.avgdl)
        index.chunks, index.token_ids = chunks, token_ids
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

    def lexical_query(self, tokens: list[str], weights: dict[str, float] | None = None) -> dict[int, float]:
        """The question as a sparse vector over the rows' BM25 weights: {stable token id: idf × weight}."""
        query: dict[int, float] = {}
        for token in tokens:
            token_id = self._vocab.get(token)
            if token_id is not None:  # a repeated token counts again, as in bm25s
                key = int(self.token_ids[token_id])
                query[key] = query.get(key, 0.0) + self.idf(token) * float((weights or {}).get(token, 1.0))
        return query

    def lexical_scores(self, tokens: list[str], weights: dict[str, float] | None = None,
                       mask: np.ndarray | None = None) -> np.ndarray:
        total = np.zeros(len(self.nodes), dtype=np.float32)
        found = self.chunks.lexical(self.lexical_query(tokens, weights), min(self.LEXICAL_DEPTH, len(self.nodes)),
                                    self.where(mask))
        for row, (_, score) in zip(self.rows_of([i for i, _ in found]), found):
            if row is not None:
                total[row] = score
        return total


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
