"""👍 / 👎 feedback on answers, with an optional comment, kept in SQLite together with the question,
the answer and its sources (so a reviewer can see exactly what was rated)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

RATINGS = {"up": "“有帮助”", "down": "“没帮助”"}
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT PRIMARY KEY,   -- one row per answer; rating again replaces it
    rated_at REAL NOT NULL,
    rating TEXT NOT NULL,         -- up | down
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    sources TEXT NOT NULL         -- JSON: the citations (or related passages) as in `qingfeng ask --json`
);
"""


@dataclass
class Feedback:
    answer_id: str
    rated_at: float
    rating: str
    comment: str
    question: str
    answer: str
    refused: bool
    sources: list[dict]


class FeedbackStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def record(self, answer_id: str, rating: str, comment: str, question: str, answer: str, refused: bool,
               sources: list[dict]) -> None:
        if rating not in RATINGS:
            raise ValueError(f"unknown rating {rating!r}")
        row = (answer_id, time.time(), rating, (comment or "").strip()[:MAX_COMMENT_CHARS], question, answer,
               int(refused), json.dumps(sources, ensure_ascii=False))
        with self._lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO feedback VALUES (?,?,?,?,?,?,?,?)", row)

    def all(self) -> list[Feedback]:
        with self._lock:
            rows = self.db.execute("SELECT * FROM feedback ORDER BY rated_at").fetchall()
        return [Feedback(a, t, r, c, q, ans, bool(ref), json.loads(s)) for a, t, r, c, q, ans, ref, s in rows]

    def close(self) -> None:
        self.db.close()
