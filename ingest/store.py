"""The on-disk store of an index directory: parsed documents, their nodes, and ingested files.

SQLite (one file, WAL journal): every file's change is one transaction, so an interrupted ingest
leaves the previous content intact and usable. Derived indexes are rebuilt from it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import TextNode

from ingest.models import DocumentMeta, ParsedDocument
from ingest.red_header import DETAIL_FIELDS

STORE_FILE = "qingfeng.sqlite"
# Every searchable node (copies of a document in another format left out), in search-index order.
SEARCHABLE_NODES = ("SELECT node_id, node FROM nodes WHERE doc_id IN (SELECT doc_id FROM documents WHERE "
                    "json_extract(meta, '$.duplicate_of') IS NULL) ORDER BY doc_id, position")
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,      -- content hash + metadata overrides: unchanged means skip
    source TEXT NOT NULL,           -- the path as it was ingested
    title TEXT NOT NULL,
    meta TEXT NOT NULL,             -- DocumentMeta as JSON
    parsed TEXT NOT NULL,           -- ParsedDocument as JSON
    n_articles INTEGER NOT NULL,
    n_nodes INTEGER NOT NULL,
    ingested_at REAL NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]'  -- ParsedDocument.warnings as JSON, for listings
);
CREATE TABLE IF NOT EXISTS nodes (
    node_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    node TEXT NOT NULL              -- llama-index TextNode as JSON
);
CREATE INDEX IF NOT EXISTS nodes_by_doc ON nodes(doc_id, position);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- absolute path
    source TEXT NOT NULL,           -- the path as given
    doc_id TEXT NOT NULL,           -- several paths may hold the same content
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_tokens (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE);
"""


@dataclass
class StoredFile:
    path: str
    source: str
    doc_id: str
    size: int
    mtime_ns: int
    fingerprint: str


@dataclass
class DocumentRow:
    doc_id: str
    source: str
    title: str
    meta: DocumentMeta
    n_articles: int
    n_nodes: int
    ingested_at: float
    paths: list[str]
    warnings: list[str] = field(default_factory=list)  # structure faults found when it was parsed


class DamagedStore(Exception):
    """The store's database cannot be read. `message` says so in Chinese, with what to do."""

    def __init__(self, path: Path, detail: str):
        self.message = (
            f"知识库数据库 {path} 已损坏，无法读取（{detail}）。原始文件不受影响：可将该文件移走或删除后，"
            f"重新导入文档（qingfeng ingest 文件夹 --index {path.parent}）；"
            f"运行 qingfeng check --index {path.parent} 可查看详情。"
        )
        super().__init__(self.message)


class Store:
    """Open (or create) the store in `index_dir`. A database that is not one, or fails SQLite's quick
    check, raises DamagedStore (before anything reads it)."""

    def __init__(self, index_dir: str | Path):
        self.dir = Path(index_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / STORE_FILE
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
            if "warnings" not in columns:  # a store made before the column existed
                self.db.execute("ALTER TABLE documents ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")
            self.db.execute("INSERT OR IGNORE INTO info VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
            problem = self.check(quick=True)
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        if problem:
            self.db.close()
            raise DamagedStore(path, problem)

    def check(self, quick: bool = False) -> str | None:
        """None when SQLite finds the database sound, else its first complaint."""
        row = self.db.execute("PRAGMA quick_check(1)" if quick else "PRAGMA integrity_check(1)").fetchone()
        return None if row and row[0] == "ok" else (row[0] if row else "无法检查")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Files
    def file(self, path: str) -> StoredFile | None:
        row = self.db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()
        return StoredFile(*row) if row else None

    def files(self) -> list[StoredFile]:
        return [StoredFile(*r) for r in self.db.execute("SELECT * FROM files ORDER BY path")]

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        with self.db:
            self.db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def link_file(self, entry: StoredFile) -> None:
        """Point a path at an existing document (a duplicate under another name)."""
        with self.db:
            self._put_file(entry)
            self._drop_orphans()

    def put_document(self, doc: ParsedDocument, nodes: list[TextNode], entry: StoredFile) -> None:
        """Store a parsed document and its nodes, and point `entry.path` at it, atomically."""
        with self.db:
            self.db.execute("DELETE FROM nodes WHERE doc_id = ?", (doc.doc_id,))
            self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc.doc_id,))
            self.db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, entry.fingerprint, doc.source, doc.meta.title, doc.meta.model_dump_json(),
                 doc.model_dump_json(), len(doc.articles), len(nodes), time.time(),
                 json.dumps(doc.warnings, ensure_ascii=False)),
            )
            self.db.executemany(
                "INSERT INTO nodes VALUES (?,?,?,?)",
                [(n.node_id, doc.doc_id, i, n.to_json()) for i, n in enumerate(nodes)],
            )
            self._put_file(entry)
            self._drop_orphans()

    def remove_file(self, path: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))
            self._drop_orphans()

    def _put_file(self, e: StoredFile) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
            (e.path, e.source, e.doc_id, e.size, e.mtime_ns, e.fingerprint),
        )

    def _drop_orphans(self) -> None:
        """Documents no file points at any more go; a document whose first path went keeps another."""
        self.db.execute("DELETE FROM nodes WHERE doc_id NOT IN (SELECT doc_id FROM files)")
        self.db.execute("DELETE FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM files)")
        self.db.execute(
            "UPDATE documents SET source = (SELECT source FROM files WHERE files.doc_id = documents.doc_id "
            "ORDER BY path LIMIT 1) WHERE source NOT IN (SELECT source FROM files WHERE files.doc_id = documents.doc_id)"
        )

    # Documents and nodes
    _NOT_A_COPY = "json_extract(meta, '$.duplicate_of') IS NULL"

    def documents(self, include_duplicates: bool = False) -> list[DocumentRow]:
        """The stored documents. A copy of another in another format (`meta.duplicate_of`) is left
        out unless asked for; its file paths are listed under the document it copies."""
        paths: dict[str, list[str]] = {}
        for path, doc_id in self.db.execute("SELECT path, doc_id FROM files ORDER BY path"):
            paths.setdefault(doc_id, []).append(path)
        rows = self.db.execute(
            "SELECT doc_id, source, title, meta, n_articles, n_nodes, ingested_at, warnings FROM documents "
            "ORDER BY title, source"
        )
        found = [
            DocumentRow(d, s, t, DocumentMeta.model_validate_json(m), a, n, at, paths.get(d, []), json.loads(w))
            for d, s, t, m, a, n, at, w in rows
        ]
        if include_duplicates:
            return found
        shown = {r.doc_id: r for r in found if not r.meta.duplicate_of}
        for row in found:
            if row.meta.duplicate_of in shown:
                shown[row.meta.duplicate_of].paths.extend(row.paths)
        return [r for r in found if r.doc_id in shown]

    def document(self, doc_id: str) -> ParsedDocument | None:
        row = self.db.execute("SELECT parsed FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return ParsedDocument.model_validate_json(row[0]) if row else None

    def nodes(self, doc_id: str | None = None) -> list[TextNode]:
        if doc_id is None:  # every searchable node: copies in another format left out
            return [TextNode.from_json(node) for _, node in self.db.execute(SEARCHABLE_NODES)]
        rows = self.db.execute("SELECT node FROM nodes WHERE doc_id = ? ORDER BY position", (doc_id,))
        return [TextNode.from_json(r[0]) for r in rows]

    def node_counts(self) -> list[tuple[str, int, str]]:
        """(doc_id, number of nodes, first node's id) of every searchable document, in the order
        of `nodes()`."""
        return self.db.execute(
            "SELECT doc_id, COUNT(*), (SELECT node_id FROM nodes AS f WHERE f.doc_id = n.doc_id ORDER BY position LIMIT 1) "
            f"FROM nodes AS n WHERE doc_id IN (SELECT doc_id FROM documents WHERE {self._NOT_A_COPY}) "
            "GROUP BY doc_id ORDER BY doc_id").fetchall()

    def counts(self) -> dict[str, int]:
        q = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        shown = f"FROM documents WHERE {self._NOT_A_COPY}"
        return {
            "documents": q(f"SELECT COUNT(*) {shown}"),
            "files": q("SELECT COUNT(*) FROM files"),
            "nodes": q(f"SELECT COALESCE(SUM(n_nodes), 0) {shown}"),
            "articles": q(f"SELECT COALESCE(SUM(n_articles), 0) {shown}"),
        }

    def set_status(self, doc_id: str, status: str) -> None:
        """Change a document's derived status everywhere it is stored (document, meta, nodes)."""
        doc = self.document(doc_id)
        if doc is None or doc.meta.status == status:
            return
        doc.meta.status = status
        nodes = self.nodes(doc_id)
        for node in nodes:
            node.metadata["status"] = status
        with self.db:
            self.db.execute(
                "UPDATE documents SET meta = ?, parsed = ? WHERE doc_id = ?",
                (doc.meta.model_dump_json(), doc.model_dump_json(), doc_id),
            )
            self.db.executemany(
                "UPDATE nodes SET node = ? WHERE node_id = ?", [(n.to_json(), n.node_id) for n in nodes]
            )

    def set_duplicate_of(self, doc_id: str, original: str | None) -> None:
        """Mark a document as a copy of `original` in another format (None: not a copy)."""
        doc = self.document(doc_id)
        if doc is None:
            return
        doc.meta.duplicate_of = original
        with self.db:
            self.db.execute(
                "UPDATE documents SET meta = ?, parsed = ? WHERE doc_id = ?",
                (doc.meta.model_dump_json(), doc.model_dump_json(), doc_id),
            )

    EDITABLE = ("title", "version", "status", "doc_type", "access", *DETAIL_FIELDS)

    def access_of(self, doc_id: str) -> list[str]:
        """A stored document's access groups ([] when open or not stored)."""
        row = self.db.execute("SELECT json_extract(meta, '$.access') FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else []

    def update_meta(self, doc_id: str, **changes) -> DocumentMeta | None:
        """Correct a document's title, version, status, doc_type, access groups or details (文号,
        发文机关, 成文日期, 密级 … ingest/red_header.py DETAIL_FIELDS) everywhere it is stored (document, meta, nodes). Edited fields count as explicit, so version-status refresh
        keeps them."""
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise ValueError(f"不能修改的字段：{', '.join(sorted(unknown))}")
        doc = self.document(doc_id)
        if doc is None:
            return None
        for key, value in changes.items():
            setattr(doc.meta, key, value)
        doc.meta.explicit = sorted(set(doc.meta.explicit) | set(changes))
        nodes = self.nodes(doc_id)
        for node in nodes:
            for key, value in changes.items():
                if key in node.metadata or key == "access":
                    node.metadata[key] = value
        with self.db:
            self.db.execute(
                "UPDATE documents SET title = ?, meta = ?, parsed = ? WHERE doc_id = ?",
                (doc.meta.title, doc.meta.model_dump_json(), doc.model_dump_json(), doc_id),
            )
            self.db.executemany(
                "UPDATE nodes SET node = ? WHERE node_id = ?", [(n.to_json(), n.node_id) for n in nodes]
            )
        return doc.meta

    def delete_document(self, doc_id: str) -> list[str]:
        """Remove a document (with its copies in other formats), its nodes and every file path that
        holds it; the paths removed."""
        copies = [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE json_extract(meta, '$.duplicate_of') = ?", (doc_id,))]
        paths: list[str] = []
        with self.db:
            for one in [doc_id, *copies]:
                paths += [r[0] for r in self.db.execute("SELECT path FROM files WHERE doc_id = ?", (one,))]
                self.db.execute("DELETE FROM files WHERE doc_id = ?", (one,))
                self.db.execute("DELETE FROM nodes WHERE doc_id = ?", (one,))
                self.db.execute("DELETE FROM documents WHERE doc_id = ?", (one,))
        return paths

    def token_ids(self, tokens: list[str]) -> list[int]:
        """A stable number for each search token, handed out once and never reused, so that rows a
        search service keeps from different builds agree on what a number means."""
        known = dict(self.db.execute("SELECT token, id FROM search_tokens"))
        missing = [t for t in dict.fromkeys(tokens) if t not in known]
        if missing:
            with self.db:
                self.db.executemany("INSERT OR IGNORE INTO search_tokens (token) VALUES (?)", [(t,) for t in missing])
            known = dict(self.db.execute("SELECT token, id FROM search_tokens"))
        return [known[t] for t in tokens]

    def change_marker(self) -> int:
        """SQLite's data_version: a number that changes when another connection (another process,
        or this process's other Store) commits a change. Cheap: for polling."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def data_version(self) -> str:
        """Changes whenever the stored documents or their metadata change (for derived indexes)."""
        rows = self.db.execute("SELECT doc_id, meta, ingested_at FROM documents ORDER BY doc_id").fetchall()
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
