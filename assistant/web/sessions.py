"""Admin sessions, their login and logout routes, and the upload guard.

After a good password the server keeps a random token and the browser carries it in an HttpOnly,
SameSite=Strict cookie (`qf_admin`): page scripts cannot read it, other sites cannot send it, and it
never travels in a URL. Gradio events cannot set cookies, so the login form posts to the plain
route `/qingfeng/login`; the admin events then check the cookie of the request that runs them.

`UploadGuard` is a small ASGI middleware in front of the Gradio app: it refuses Gradio's upload route
(`…/gradio_api/upload`, and any other request that sends files as multipart form data) unless the
request carries a live admin cookie, and unless its declared size is within the limit.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

COOKIE = "qf_admin"
LOGIN_ROUTE = "/qingfeng/login"
LOGOUT_ROUTE = "/qingfeng/logout"
IDLE_SECONDS = 8 * 3600  # a session unused this long ends
MAX_LOGIN_BYTES = 4096  # a login request is a user name and a password
LOGIN_REQUIRED = "请先以管理员身份登录。"


class AdminSessions:
    """Server-side session tokens: token -> (user, last use). Nothing about them is in the page."""

    def __init__(self, idle: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._idle = idle
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def open(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (user, self._clock())
        return token

    def user(self, token: str | None) -> str | None:
        """The signed-in user of this token (and its idle time restarts), or None."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            found = self._tokens.get(token)
            if found is None:
                return None
            if now - found[1] > self._idle:
                del self._tokens[token]
                return None
            self._tokens[token] = (found[0], now)
            return found[0]

    def close(self, token: str | None) -> None:
        with self._lock:
            self._tokens.pop(token or "", None)


def address_of(request, default: str = "") -> str:
    """The client address of a Gradio or Starlette request (`default` when unknown)."""
    client = getattr(request, "client", None) if request is not None else None
    return getattr(client, "host", "") or default


def cookie_token(request) -> str | None:
    """The admin cookie of a Gradio or Starlette request (None when absent)."""
    cookies = getattr(request, "cookies", None) if request is not None else None
    if not cookies:
        return None
    token = cookies.get(COOKIE)
    return token if isinstance(token, str) else None


@dataclass
class SignIn:
    token: str | None
    message: str
    status: int  # HTTP status of the login route: 200, 401 wrong, 429 locked out, 403 disabled


def session_routes(sign_in: Callable[[str, str, str], SignIn], sessions: AdminSessions,
                   signed_out: Callable[[str | None, str], None] | None = None) -> list[Route]:
    """The login and logout routes (POST, JSON). `sign_in(user, password, address) -> SignIn` is the
    web app's Admin.sign_in (throttle, password check, new token); `signed_out(session, address)`
    hears of a logout before the session ends (Admin.signed_out: the audit log)."""

    async def login(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_LOGIN_BYTES:
            return JSONResponse({"ok": False, "message": "登录请求格式不对。"}, status_code=400)
        try:
            body = json.loads(await request.body() or b"{}")
            user, password = str(body.get("user", "")), str(body.get("password", ""))
        except (ValueError, AttributeError):
            return JSONResponse({"ok": False, "message": "登录请求格式不对。"}, status_code=400)
        address = address_of(request, "本机")
        result = await run_in_threadpool(sign_in, user, password, address)
        response = JSONResponse({"ok": result.token is not None, "message": result.message}, status_code=result.status)
        if result.token:
            response.set_cookie(COOKIE, result.token, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
        return response

    async def logout(request: Request) -> Response:
        token = cookie_token(request)
        if signed_out is not None:
            await run_in_threadpool(signed_out, sessions.user(token), address_of(request))
        sessions.close(token)
        response = JSONResponse({"ok": True, "message": "已退出登录。"})
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return [Route(LOGIN_ROUTE, login, methods=["POST"]), Route(LOGOUT_ROUTE, logout, methods=["POST"])]


class UploadGuard:
    """ASGI middleware in front of Gradio: its upload route, and any other request that sends files
    as multipart form data, needs a live admin cookie and a declared size within the limit; the
    refusal comes before a byte of the body is read."""

    def __init__(self, app, sessions: AdminSessions, max_upload_bytes: int, is_admin: Callable | None = None):
        """`is_admin(request)`: whether the request's session is an administrator's (by default any
        live session is: the environment's administrator was the only one who could sign in)."""
        self.app = app
        self.sessions = sessions
        self.max_upload_bytes = max_upload_bytes
        self.is_admin = is_admin or (lambda request: self.sessions.user(cookie_token(request)) is not None)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and (
                scope["path"].rstrip("/").endswith("/upload") or _is_multipart(scope)):
            refusal = self._refusal(Request(scope))
            if refusal is not None:
                return await refusal(scope, receive, send)
        await self.app(scope, receive, send)

    def _refusal(self, request: Request) -> Response | None:
        if not self.is_admin(request):
            return PlainTextResponse(LOGIN_REQUIRED, status_code=403)
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return PlainTextResponse("上传请求缺少长度信息（Content-Length）。", status_code=411)
        if int(length) > self.max_upload_bytes:
            return PlainTextResponse(f"一次上传的文件总大小超过上限 {self.max_upload_bytes / 2**20:.0f} MB，"
                                     "请分几次上传。", status_code=413)
        return None


def _is_multipart(scope) -> bool:
    return any(name == b"content-type" and value.lower().startswith(b"multipart/") for name, value in scope["headers"])
