"""Who is asking: a signed-in user (an account from assistant.accounts, or the administrator set in
the environment), or a visitor who has not signed in.

The session cookie (sessions.py) names the account it was opened for, with its kind, so an account
that shares the environment administrator's name never becomes the administrator. Groups and the
admin flag are read from the account on every request: a change or a removal applies at once.

Signing in is required when any account that is not an admin exists, when QINGFENG_REQUIRE_LOGIN
is set, or when QINGFENG_OPEN_TO_ANONYMOUS is off; otherwise a visitor who has not signed in reads
the open documents only.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.web.sessions import AdminSessions, cookie_token
from ingest.access import OPEN_ONLY

LOGIN_FIRST = "请先登录：在“知识库”页输入用户名和密码（问答、出题、常见问题和条文浏览都需要登录）。"


@dataclass(frozen=True)
class Visitor:
    name: str  # "" for a visitor who has not signed in
    groups: frozenset[str] | None  # what SearchFilters.groups takes: None reads everything
    is_admin: bool = False
    kind: str = "anonymous"  # "admin" (the environment's administrator) or "account"


ANONYMOUS = Visitor("", OPEN_ONLY)


class Visitors:
    def __init__(self, settings, auth, users=None, sessions: AdminSessions | None = None):
        """`auth`: the environment's administrator (admin.AdminAuth); `users`: assistant.accounts.Users."""
        self.settings = settings
        self.auth = auth
        self.users = users
        self.sessions = sessions or AdminSessions()

    @property
    def sign_in_enabled(self) -> bool:
        return self.auth.enabled or (self.users is not None and self.users.has_accounts())

    def login_required(self) -> bool:
        return (bool(getattr(self.settings, "require_login", False))
                or not getattr(self.settings, "open_to_anonymous", True)
                or (self.users is not None and self.users.has_readers()))

    def check(self, name: str, password: str) -> Visitor | None:
        """The visitor these credentials sign in, or None."""
        name = (name or "").strip()
        if self.auth.check(name, password):
            return Visitor(name, None, True, "admin")
        user = self.users.verify(name, password) if self.users is not None else None
        return Visitor(user.name, user.reader_groups, user.is_admin, "account") if user else None

    def open_session(self, visitor: Visitor) -> str:
        return self.sessions.open(f"{visitor.kind}:{visitor.name}")

    def of_session(self, key: str | None) -> Visitor | None:
        if not key or ":" not in key:
            return None
        kind, name = key.split(":", 1)
        if kind == "admin":
            return Visitor(name, None, True, "admin") if self.auth.enabled and name == self.auth.user else None
        user = self.users.get(name) if self.users is not None else None
        return Visitor(user.name, user.reader_groups, user.is_admin, "account") if user else None

    def of_request(self, request) -> Visitor | None:
        """The request's signed-in visitor; else ANONYMOUS, or None when signing in is required."""
        visitor = self.of_session(self.sessions.user(cookie_token(request)))
        if visitor is not None:
            return visitor
        return None if self.login_required() else ANONYMOUS
