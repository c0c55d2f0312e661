"""Derived search indexes of a store: FAISS (dense) and BM25 over jieba words (lexical).

Built from the store's nodes; vectors come from the embedding cache, so only new chunks are
embedded. A "thin" index (Milvus backend, where both searches run in Milvus) keeps no chunk in
memory: chunks are read from the store when asked for, the BM25 arrays are memory-mapped and the
chunks' text for phrase checks is searched in a memory-mapped file (assistant/retrieval/on_disk.py). Written to `<index>/search/` atomically (a new folder swapped in by rename) under a file
lock (`search.lock`), so a reader never sees a half-written index and two writers never collide;
leftover `search.tmp-*` / `search.old-*` folders are removed under the same lock. The manifest
holds the SHA-256 of every file; a file that does not match, or does not load, makes the index
"damaged" (DamagedIndex), and the caller rebuilds it from the store.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from assistant.retrieval.embeddings import Embedder, EmbeddingCache, embed_with_cache
from assistant.retrieval.lexicon import segmenter
from assistant.retrieval.on_disk import DamagedIndex, JoinedText, StoredNodes, squash
from ingest.store import Store

SEARCH_DIR = "search"
FORMAT_VERSION = 3  # 2: the manifest lists every file with its SHA-256; 3: phrases.bin
LOCK_FILE = "search.lock"
LOCK_TIMEOUT = 3600  # seconds a writer waits for another one (a build of a large corpus)


HNSW_ABOVE = 200_000  # "auto": exact search up to this many chunks, HNSW beyond


def embed_text(node: TextNode) -> str:
    """What the dense model sees: title, heading path and the chunk text."""
    m = node.metadata
    head = "《{}》{}".format(m.get("title", ""), f"（{m['version']}）" if m.get("version") else "")
    if m.get("heading"):
        head += " " + m["heading"]
    return f"{head}\n{node.text}"


def lexical_text(node: TextNode) -> str:
    m = node.metadata
    return f"{m.get('title', '')} {m.get('heading', '')} {node.text}"


def make_dense_index(vectors: np.ndarray, kind: str = "auto"):
    import faiss

    dim = vectors.shape[1]
    if kind == "auto":
        kind = "hnsw" if len(vectors) > HNSW_ABOVE else "flat"
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 96
    elif kind == "ivfpq":
        # Compressed (48 bytes a vector): for corpora too large to hold every vector in memory.
        nlist = max(16, int(4 * np.sqrt(len(vectors))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, 48, 8, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(len(vectors), min(len(vectors), nlist * 64), replace=False)]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = 32
    elif kind == "flat":
        index = faiss.IndexFlatIP(dim)
    else:
        raise ValueError(f"unknown dense index kind {kind!r} (flat, hnsw, ivfpq, auto)")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def average_length(token_lists: list[list[str]]) -> float:
    """Mean tokens a chunk as make_lexical_index counts them (an empty chunk holds one)."""
    return float(np.mean([len(tokens) or 1 for tokens in token_lists])) if token_lists else 0.0


def make_lexical_index(token_lists: list[list[str]]):
    import bm25s

    index = bm25s.BM25()
    index.index([tokens or [""] for tokens in token_lists], show_progress=False)
    return index


# What filters and the catalog read of each document (from its first chunk).
DOC_META_KEYS = ("title", "version", "status", "doc_type", "access", "doc_number", "issuer")


@dataclass
class SearchIndex:
    nodes: Sequence[TextNode]  # a list, or StoredNodes for a thin index
    dense: object  # faiss index (None when another backend searches the vectors)
    lexical: object  # bm25s.BM25
    model: str
    data_version: str
    # Computed from `nodes` when not given (a thin index gives them, read from the store):
    rows_by_doc: dict[str, Sequence[int]] = field(default_factory=dict)
    node_ids: np.ndarray | None = None  # fixed-width bytes, row order
    joined: JoinedText | None = None  # built on first use when not given
    doc_meta: dict[str, dict] | None = None  # what filters and the catalog read of each document
    avgdl: float = 0.0  # mean tokens a chunk (BM25's length normalisation), from the build
    filters_in_search = False  # True for backends that apply a filter's mask while searching

    def __post_init__(self) -> None:
        if not self.rows_by_doc:
            for row, node in enumerate(self.nodes):
                self.rows_by_doc.setdefault(node.metadata["doc_id"], []).append(row)
        if self.node_ids is None:
            self.node_ids = np.array([n.node_id.encode() for n in self.nodes], dtype=bytes)
        if self.doc_meta is None:  # from each document's first chunk
            self.doc_meta = {doc_id: {k: self.nodes[rows[0]].metadata.get(k) for k in DOC_META_KEYS}
                             for doc_id, rows in self.rows_by_doc.items() if len(rows)}
        self._vocab = getattr(self.lexical, "vocab_dict", {}) or {}
        self._squashed: dict[int, str] = {}
        self._counts: dict[str, int] = {}
        self._sorted_ids: tuple[np.ndarray, np.ndarray] | None = None
        self._doc_of: tuple[list[str], np.ndarray] | None = None

    def squashed_text(self, row: int) -> str:
        """A chunk's text without whitespace (for exact-phrase checks), remembered."""
        text = self._squashed.get(row)
        if text is None:
            if len(self._squashed) > 100_000:
                self._squashed.clear()
            text = self._squashed[row] = squash(self.nodes[row].text)
        return text

    def _joined_text(self) -> JoinedText:
        if self.joined is None:
            self.joined = JoinedText.of([self.squashed_text(r) for r in range(len(self.nodes))])
        return self.joined

    def occurrences(self, needle: str) -> int:
        """How often `needle` occurs verbatim in the chunks' text (one pass in C, remembered)."""
        count = self._counts.get(needle)
        if count is None:
            if len(self._counts) > 100_000:
                self._counts.clear()
            count = self._counts[needle] = self._joined_text().count(needle)
        return count

    def rows_containing(self, needle: str, limit: int = 50) -> list[int]:
        """Rows whose whitespace-free text holds `needle` verbatim (at most `limit`)."""
        return self._joined_text().rows(needle, limit)

    def rows_of(self, node_ids: list[str]) -> list[int | None]:
        """The row of each node id (None for an id this index does not hold)."""
        if self._sorted_ids is None:
            order = np.argsort(self.node_ids, kind="stable")
            self._sorted_ids = (self.node_ids[order], order)
        ids, order = self._sorted_ids
        rows: list[int | None] = []
        for node_id in node_ids:
            key = node_id.encode()
            at = int(np.searchsorted(ids, key))
            rows.append(int(order[at]) if at < len(ids) and ids[at] == key else None)
        return rows

    def __len__(self) -> int:
        return len(self.nodes)

    def knows(self, token: str) -> bool:
        return token in self._vocab

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency of a token (a token the index never saw counts as rarest)."""
        token_id = self._vocab.get(token)
        indptr = getattr(self.lexical, "scores", {}).get("indptr") if token_id is not None else None
        df = int(indptr[token_id + 1] - indptr[token_id]) if indptr is not None else 0
        return math.log(1 + (len(self.nodes) - df + 0.5) / (df + 0.5))

    def idf_array(self) -> np.ndarray:
        """`idf` of every token, by bm25s token id."""
        df = np.diff(np.asarray(self.lexical.scores["indptr"], dtype=np.float64))
        return np.log(1 + (len(self.nodes) - df + 0.5) / (df + 0.5))

    def doc_of(self, row: int) -> str:
        """The document a row belongs to."""
        if self._doc_of is None:
            docs = list(self.rows_by_doc)
            of = np.zeros(len(self.nodes), dtype=np.int32)
            for number, rows in enumerate(self.rows_by_doc.values()):
                of[rows] = number
            self._doc_of = (docs, of)
        docs, of = self._doc_of
        return docs[of[row]]

    def dense_search(self, query_vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest chunks (rows, inner products). `mask` (rows a filter keeps) is for backends
        that filter while searching; here the caller filters the rows afterwards."""
        k = min(k, len(self.nodes))
        if k == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        import faiss

        # One query over a small index gains nothing from threads, and idle OpenMP threads that
        # spin would slow the embedding model that runs next in this process.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1 if len(self.nodes) <= HNSW_ABOVE else threads)
        try:
            scores, rows = self.dense.search(np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32), k)
        finally:
            faiss.omp_set_num_threads(threads)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def lexical_scores(self, tokens: list[str], weights: dict[str, float] | None = None,
                       mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk; tokens unknown to the index are ignored (`mask`: as in
        dense_search).

        `weights` gives some tokens a weight other than 1 (e.g. 0.5 for bridging terms); tokens
        are scored in one call per distinct weight.
        """
        known = [t for t in tokens if t in self._vocab]
        total = np.zeros(len(self.nodes), dtype=np.float32)
        if not known or not len(self.nodes):
            return total
        by_weight: dict[float, list[str]] = {}
        for token in known:
            by_weight.setdefault((weights or {}).get(token, 1.0), []).append(token)
        for weight, group in by_weight.items():
            scores = np.asarray(self.lexical.get_scores(group), dtype=np.float32)
            total += scores if weight == 1.0 else weight * scores
        return total


class ReaderView:
    """An index's word statistics as a reader sees them: document frequency, idf and verbatim counts
    over the chunks the reader may read only, so that a document hidden from the reader changes no
    weight, feature or score (SearchFilters.groups). Everything else is the index's.

    BM25's length normalisation (avgdl) stays the whole index's: bm25s stores it in its scores."""

    def __init__(self, index: SearchIndex, visible: np.ndarray):
        self.index = index
        self.visible = visible
        self._n = int(visible.sum())
        self._counts: dict[str, int] = {}

    def __getattr__(self, name):
        return getattr(self.index, name)

    def __len__(self) -> int:
        return self._n

    def df(self, token: str) -> int:
        token_id = self.index._vocab.get(token)
        if token_id is None:
            return 0
        scores = self.index.lexical.scores
        rows = np.asarray(scores["indices"][scores["indptr"][token_id]:scores["indptr"][token_id + 1]])
        return int(self.visible[rows].sum())

    def knows(self, token: str) -> bool:
        return self.df(token) > 0

    def idf(self, token: str) -> float:
        df = self.df(token)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def idf_ratio(self, token: str) -> float:
        """How much a token's BM25 weight changes for this reader (their idf over the index's)."""
        whole = self.index.idf(token)
        return self.idf(token) / whole if whole else 1.0

    def occurrences(self, needle: str) -> int:
        count = self._counts.get(needle)
        if count is None:
            rows = self.index.rows_containing(needle, limit=len(self.index)) if self.index.occurrences(needle) else []
            count = self._counts[needle] = sum(self.index.squashed_text(r).count(needle) for r in rows if self.visible[r])
        return count


def _paths(index_dir: Path) -> tuple[Path, Path]:
    return index_dir / SEARCH_DIR, index_dir / SEARCH_DIR / "manifest.json"


def saved_manifest(index_dir: str | Path) -> dict | None:
    _, manifest = _paths(Path(index_dir))
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_search_index(
    store: Store,
    embedder: Embedder,
    cache: EmbeddingCache,
    *,
    dense_kind: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SearchIndex, dict]:
    """Build both indexes from the store (embedding only uncached chunks) and save them. Call with
    `index_lock(store.dir)` held. `dense_kind="none"` builds no dense index (another backend holds
    the vectors); the chunks are still embedded, so that the cache holds their vectors."""
    started = time.perf_counter()
    data_version = store.data_version()
    nodes = store.nodes()
    t0 = time.perf_counter()
    vectors, computed = embed_with_cache(embedder, [embed_text(n) for n in nodes], cache, progress=progress)
    embed_seconds = time.perf_counter() - t0
    seg = segmenter()
    tokens = [seg.tokens(lexical_text(n)) for n in nodes]
    dense = None if dense_kind == "none" else make_dense_index(vectors, dense_kind)
    index = SearchIndex(nodes, dense, make_lexical_index(tokens), embedder.name, data_version, avgdl=average_length(tokens))
    stats = {
        "chunks": len(nodes), "embedded": computed, "embed_seconds": round(embed_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
    save_search_index(store.dir, index, dense_kind)
    return index, stats


def index_lock(index_dir: str | Path):
    """The lock every writer of `<index>/search/` holds (a file lock: other processes too)."""
    from filelock import FileLock

    return FileLock(str(Path(index_dir) / LOCK_FILE), timeout=LOCK_TIMEOUT)


def remove_leftovers(index_dir: str | Path) -> int:
    """Remove `search.tmp-*` and `search.old-*` folders (call with the lock held); how many."""
    leftovers = [p for p in Path(index_dir).glob(f"{SEARCH_DIR}.*-*") if p.is_dir()
                 and p.name.startswith((f"{SEARCH_DIR}.tmp-", f"{SEARCH_DIR}.old-"))]
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    return len(leftovers)


def _digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder` but the manifest, by path relative to it."""
    import hashlib

    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"):
        with open(path, "rb") as handle:
            out[path.relative_to(folder).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return out


def save_search_index(index_dir: str | Path, index: SearchIndex, dense_kind: str) -> None:
    """Write the index and swap it in. Call with `index_lock(index_dir)` held."""
    import faiss

    final, _ = _paths(Path(index_dir))
    remove_leftovers(index_dir)
    tmp = final.with_name(f"{SEARCH_DIR}.tmp-{time.time_ns()}")
    tmp.mkdir(parents=True)
    if index.dense is not None:
        faiss.write_index(index.dense, str(tmp / "dense.faiss"))
    index.lexical.save(str(tmp / "bm25"), show_progress=False)
    JoinedText.save(tmp, (squash(node.text) for node in index.nodes))
    (tmp / "node_ids.json").write_text(json.dumps([i.decode() for i in index.node_ids]), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps({
        "format": FORMAT_VERSION, "model": index.model, "data_version": index.data_version,
        "chunks": len(index.nodes), "dense": dense_kind, "avgdl": index.avgdl, "files": _digests(tmp),
    }, ensure_ascii=False), encoding="utf-8")
    old = final.with_name(f"{SEARCH_DIR}.old-{time.time_ns()}")
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def load_search_index(store: Store, model: str | None = None, *, thin: bool = False) -> SearchIndex | None:
    """The saved index, if it matches the store's current content (and `model`, when given); None
    when there is none or it is out of date. Raises DamagedIndex when its files do not match their
    checksums or do not load.

    `thin`: for a backend that searches elsewhere (Milvus): no dense index, chunks read from the
    store when asked for, BM25 arrays and phrase text memory-mapped (see the module text). Without
    it, an index saved without a dense index counts as out of date."""
    import bm25s
    import faiss

    folder, manifest_path = _paths(store.dir)
    if not manifest_path.exists():
        return None
    manifest = saved_manifest(store.dir)
    if not isinstance(manifest, dict):
        raise DamagedIndex("清单文件 manifest.json 无法读取")
    if manifest.get("format") != FORMAT_VERSION or manifest.get("data_version") != store.data_version():
        return None
    if model is not None and manifest.get("model") != model:
        return None
    if manifest.get("dense") == "none" and not thin:
        return None
    expected = manifest.get("files")
    if not isinstance(expected, dict):
        raise DamagedIndex("清单中缺少文件校验值")
    found = _digests(folder)
    for name, digest in expected.items():
        if name not in found:
            raise DamagedIndex(f"缺少文件 {name}")
        if found[name] != digest:
            raise DamagedIndex(f"文件 {name} 的校验值不符（被截断、修改或损坏）")
    try:
        ids = json.loads((folder / "node_ids.json").read_text(encoding="utf-8"))
        dense = None if thin else faiss.read_index(str(folder / "dense.faiss"))
        lexical = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, mmap=thin)
    except Exception as exc:  # a file that passed its checksum but still does not load
        raise DamagedIndex(f"无法载入：{type(exc).__name__}") from exc
    if len(ids) != manifest.get("chunks") or (dense is not None and dense.ntotal != len(ids)):
        raise DamagedIndex("片段列表与知识库不一致")
    if thin:
        return _thin_index(store, folder, ids, lexical, manifest)
    by_id = {n.node_id: n for n in store.nodes()}
    if any(i not in by_id for i in ids):
        raise DamagedIndex("片段列表与知识库不一致")
    return SearchIndex([by_id[i] for i in ids], dense, lexical, manifest["model"], manifest["data_version"],
                       avgdl=float(manifest.get("avgdl") or 0.0))


def rows_by_document(store: Store, ids: list[str] | np.ndarray) -> dict[str, range]:
    """Each document's rows in an index whose rows are the store's order (document, position): one
    range each. Raises DamagedIndex when `ids` are not in that order."""
    rows_by_doc: dict[str, range] = {}
    start = 0
    for doc_id, count, first in store.node_counts():
        if start >= len(ids) or (ids[start].decode() if isinstance(ids[start], bytes) else ids[start]) != first:
            raise DamagedIndex("片段列表与知识库不一致")
        rows_by_doc[doc_id] = range(start, start + count)
        start += count
    if start != len(ids):
        raise DamagedIndex("片段列表与知识库不一致")
    return rows_by_doc


def _thin_index(store: Store, folder: Path, ids: list[str], lexical, manifest: dict) -> SearchIndex:
    """A SearchIndex that holds no chunk (see the module text)."""
    rows_by_doc = rows_by_document(store, ids)
    node_ids = np.array([i.encode() for i in ids], dtype=bytes)
    del ids
    return SearchIndex(StoredNodes(store.dir, node_ids), None, lexical, manifest["model"], manifest["data_version"],
                       rows_by_doc=rows_by_doc, node_ids=node_ids, joined=JoinedText.mapped(folder),
                       avgdl=float(manifest.get("avgdl") or 0.0))
