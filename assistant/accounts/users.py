"""User accounts: a name, a password (argon2id hash, argon2-cffi), access groups and an admin flag.

    users = Users(index_dir)
    users.add("zhangsan", "一个足够长的密码", groups=["纪检监察室"])
    user = users.verify("zhangsan", password)   # User or None
    user.reader_groups                          # what SearchFilters.groups takes (None for an admin)
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.accounts.db import connect
from ingest.access import parse_groups

MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.@-]{1,32}$")
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("qingfeng-no-such-user")


class UserError(ValueError):
    """A request about users that cannot be done; the message is Chinese, for the user."""


@dataclass(frozen=True)
class User:
    name: str
    groups: list[str] = field(default_factory=list)
    is_admin: bool = False

    @property
    def reader_groups(self) -> frozenset[str] | None:
        """The groups this user reads as (SearchFilters.groups): None, everything, for an admin."""
        return None if self.is_admin else frozenset(self.groups)


class Users:
    def __init__(self, index_dir: str | Path):
        self.db_dir = Path(index_dir)
        self.db = connect(index_dir)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.db.close()

    def list(self) -> list[User]:
        rows = self.db.execute("SELECT name, groups, is_admin FROM users ORDER BY name").fetchall()
        return [User(name, json.loads(groups), bool(admin)) for name, groups, admin in rows]

    def get(self, name: str) -> User | None:
        row = self.db.execute("SELECT name, groups, is_admin FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], json.loads(row[1]), bool(row[2])) if row else None

    def has_accounts(self) -> bool:
        return self.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def has_readers(self) -> bool:
        """Whether any account that is not an admin exists (then the chat requires signing in)."""
        return self.db.execute("SELECT 1 FROM users WHERE is_admin = 0 LIMIT 1").fetchone() is not None

    def add(self, name: str, password: str, groups: list[str] | str | None = None, is_admin: bool = False) -> User:
        name = _valid_name(name)
        hashed = _HASHER.hash(_valid_password(password))
        groups = parse_groups(groups)
        now = time.time()
        with self._lock, self.db:
            if self.db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise UserError(f"用户“{name}”已存在（修改请用 qingfeng users set）。")
            self.db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                            (name, hashed, json.dumps(groups, ensure_ascii=False), int(is_admin), now, now))
        return User(name, groups, is_admin)

    def set(self, name: str, *, password: str | None = None, groups: list[str] | str | None = None,
            is_admin: bool | None = None) -> User:
        user = self.get(name)
        if user is None:
            raise UserError(f"没有用户“{name}”。")
        with self._lock, self.db:
            if password is not None:
                self.db.execute("UPDATE users SET password_hash = ? WHERE name = ?",
                                (_HASHER.hash(_valid_password(password)), name))
            if groups is not None:
                self.db.execute("UPDATE users SET groups = ? WHERE name = ?",
                                (json.dumps(parse_groups(groups), ensure_ascii=False), name))
            if is_admin is not None:
                self.db.execute("UPDATE users SET is_admin = ? WHERE name = ?", (int(is_admin), name))
            self.db.execute("UPDATE users SET changed_at = ? WHERE name = ?", (time.time(), name))
        return self.get(name)

    def remove(self, name: str) -> None:
        with self._lock, self.db:
            if self.db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise UserError(f"没有用户“{name}”。")

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (the same work either way)."""
        row = self.db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        try:
            _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _HASHER.check_needs_rehash(row[0]):
            with self._lock, self.db:
                self.db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_HASHER.hash(password), name))
        return self.get(name)


def _valid_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise UserError("用户名须为 1–32 个字符：汉字、字母、数字或 . _ @ -，不含空格。")
    return name


def _valid_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符。")
    return password
