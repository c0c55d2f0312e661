"""The accounts database: one SQLite file (WAL) holding users and the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

ACCOUNTS_FILE = "accounts.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,    -- argon2id (argon2-cffi), never the password
    groups TEXT NOT NULL DEFAULT '[]',
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    changed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user TEXT NOT NULL,             -- '' for an anonymous visitor
    address TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit(at);
-- Append-only: a row, once written, is never changed (retention removes whole old rows only).
CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END;
"""


def connect(index_dir: str | Path) -> sqlite3.Connection:
    path = Path(index_dir)
    path.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path / ACCOUNTS_FILE, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(_SCHEMA)
    db.commit()
    return db
