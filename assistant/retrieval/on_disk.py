"""What a thin search index reads from disk instead of holding in memory: the chunks themselves
(StoredNodes, from the store's SQLite file) and their joined text for phrase checks (JoinedText,
`phrases.bin` memory-mapped). An in-memory index uses JoinedText over a str."""

from __future__ import annotations

import mmap
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from ingest.store import SEARCHABLE_NODES, STORE_FILE

PHRASES_FILE = "phrases.bin"  # every chunk's whitespace-free text, UTF-8, NUL between them
PHRASE_STARTS_FILE = "phrase_starts.npy"  # where each chunk's text starts in it (bytes)


class DamagedIndex(Exception):
    """The saved search index cannot be trusted; `reason` says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class JoinedText:
    """All chunks' whitespace-free texts in one string, NUL between them, for verbatim phrase
    checks: a str in memory, or the UTF-8 bytes of `phrases.bin` memory-mapped (a UTF-8 needle can
    only match at a character boundary, so bytes give the same answers)."""

    def __init__(self, text: str | mmap.mmap, starts: np.ndarray):
        self.text, self.starts = text, starts
        self.encode = not isinstance(text, str)

    @classmethod
    def of(cls, texts: list[str]) -> "JoinedText":
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        return cls("\x00".join(texts), np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64))

    @classmethod
    def mapped(cls, folder: Path) -> "JoinedText":
        with open(folder / PHRASES_FILE, "rb") as handle:
            size = handle.seek(0, 2)
            text = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return cls(text, np.load(folder / PHRASE_STARTS_FILE, mmap_mode="r"))

    @staticmethod
    def save(folder: Path, texts: Iterator[str]) -> None:
        starts, offset = [], 0
        with open(folder / PHRASES_FILE, "wb") as out:
            for text in texts:
                data = text.encode() + b"\x00"
                starts.append(offset)
                offset += len(data)
                out.write(data)
        np.save(folder / PHRASE_STARTS_FILE, np.array(starts, dtype=np.int64))

    def _positions(self, needle: str) -> Iterator[int]:
        key = needle.encode() if self.encode else needle
        at = self.text.find(key)
        while at != -1:
            yield at
            at = self.text.find(key, at + 1)

    def count(self, needle: str) -> int:
        if not self.encode:
            return self.text.count(needle)
        key = needle.encode()  # non-overlapping, as str.count
        count, at = 0, self.text.find(key)
        while at != -1:
            count += 1
            at = self.text.find(key, at + len(key))
        return count

    def rows(self, needle: str, limit: int) -> list[int]:
        rows: list[int] = []
        for at in self._positions(needle):
            row = int(np.searchsorted(self.starts, at, side="right")) - 1
            if not rows or rows[-1] != row:
                rows.append(row)
                if len(rows) >= limit:
                    break
        return rows


class StoredNodes(Sequence):
    """The index's chunks in row order, read from the store's SQLite file when asked for (the
    last CACHED kept): an index of a million chunks without a million nodes in memory."""

    CACHED = 4096

    def __init__(self, store_dir: Path, ids: np.ndarray):
        self.ids = ids  # fixed-width bytes, row order
        self._file = Path(store_dir) / STORE_FILE
        self._db = sqlite3.connect(f"file:{self._file}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: dict[int, TextNode] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        row = int(row)
        node = self._cache.get(row)
        if node is None:
            with self._lock:
                found = self._db.execute("SELECT node FROM nodes WHERE node_id = ?", (self.ids[row].decode(),)).fetchone()
            if found is None:
                raise DamagedIndex("片段列表与知识库不一致")
            node = TextNode.from_json(found[0])
            if len(self._cache) >= self.CACHED:
                self._cache.clear()
            self._cache[row] = node
        return node

    def __iter__(self) -> Iterator[TextNode]:
        """Every chunk in row order, in one pass over the store (the rows are the store's order)."""
        db = sqlite3.connect(f"file:{self._file}?mode=ro", uri=True)  # its own: the pass may be long
        try:
            for row, (node_id, node) in enumerate(db.execute(SEARCHABLE_NODES)):
                if row >= len(self.ids) or self.ids[row].decode() != node_id:
                    raise DamagedIndex("片段列表与知识库不一致")
                yield TextNode.from_json(node)
        finally:
            db.close()
