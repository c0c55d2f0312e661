"""The knowledge-base tab (知识库): admin login and the admin actions.

Credentials come from the settings (QINGFENG_ADMIN_USER / QINGFENG_ADMIN_PASSWORD); there is no
default password, and without both the tab says it is disabled. Signing in goes through the route
`/qingfeng/login` (`sessions.session_routes`, throttled by `throttle`), which sets an HttpOnly
cookie holding a server-side token; every action checks that cookie on the server, so a page or
API client that never logged in cannot upload, edit, delete or re-index.
"""

from __future__ import annotations

import hmac
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, no version check

import gradio as gr  # noqa: E402

from assistant.config import Settings
from assistant.knowledge_base import BusyError, InputError, Job, KnowledgeBase
from assistant.web.chat import READER
from assistant.web.render import document_label, document_rows, document_tables_html
from assistant.web.sessions import LOGIN_REQUIRED, SignIn, address_of, cookie_token
from assistant.web.throttle import LoginThrottle
from assistant.web.visitors import Visitor, Visitors
from ingest.red_header import DETAIL_FIELDS

DISABLED = ("知识库管理未启用。请在启动前设置环境变量 `QINGFENG_ADMIN_USER` 和 `QINGFENG_ADMIN_PASSWORD`"
            "（或写入 `.env` 文件），或用 `qingfeng users add 用户名 --admin` 新建管理员账户，然后重启服务。系统没有默认密码。")
RESULT_COLUMNS = ["文件", "结果", "说明", "标题", "条数", "片段"]


class AdminAuth:
    def __init__(self, settings: Settings):
        self.user = (settings.admin_user or "").strip()
        secret = settings.admin_password.get_secret_value() if settings.admin_password else ""
        self._password = secret

    @property
    def enabled(self) -> bool:
        return bool(self.user and self._password)

    def check(self, user: str, password: str) -> bool:
        if not self.enabled:
            return False
        ok_user = hmac.compare_digest((user or "").strip().encode(), self.user.encode())
        ok_password = hmac.compare_digest((password or "").encode(), self._password.encode())
        return ok_user and ok_password


class Admin:
    def __init__(self, kb: KnowledgeBase, auth: AdminAuth, document_pickers: int = 2,
                 visitors: Visitors | None = None, audit=None):
        """`visitors`: who signs in (accounts and the environment's administrator; by default the
        latter only); `audit`: an assistant.accounts.AuditLog (sign-ins and admin changes)."""
        self.kb = kb
        self.auth = auth
        self.document_pickers = document_pickers  # document choosers of the other tabs
        self.throttle = LoginThrottle()
        self.visitors = visitors or Visitors(kb.settings, auth)
        self.sessions = self.visitors.sessions
        self.audit = audit

    @property
    def enabled(self) -> bool:
        """Whether anyone can sign in (the environment's administrator, or accounts)."""
        return self.visitors.sign_in_enabled

    def visitor(self, request: gr.Request | None) -> Visitor | None:
        """The signed-in visitor of this request (None when nobody is signed in)."""
        return self.visitors.of_session(self.sessions.user(cookie_token(request)))

    def signed_in(self, request: gr.Request | None) -> bool:
        """Whether an administrator is signed in (the admin actions need one)."""
        visitor = self.visitor(request)
        return visitor is not None and visitor.is_admin

    def _record(self, action: str, request: gr.Request | None, **detail) -> None:
        if self.audit is not None:
            visitor = self.visitor(request)
            self.audit.record(action, user=visitor.name if visitor else "", address=address_of(request), **detail)

    def _require(self, request: gr.Request | None) -> None:
        if not self.signed_in(request):
            raise gr.Error(LOGIN_REQUIRED)

    # What every action refreshes: status line, table, and the document choices of all tabs.

    def refresh(self, picked: str | None = None) -> tuple:
        """-> status line, documents table, admin picker, then the other tabs' document choosers
        (chat filter, article browser, quiz, FAQ): an administrator's view, every document"""
        docs = self.kb.documents()
        choices = [(document_label(d), d.doc_id) for d in docs]
        keep = picked if any(d.doc_id == picked for d in docs) else None
        return (self.kb.status_text(), document_rows(docs), gr.update(choices=choices, value=keep),
                *self.picker_updates(None))

    def _row(self, doc_id: str | None):
        """The document table's row of `doc_id` (None when it is not stored)."""
        return next((d for d in self.kb.documents() if d.doc_id == doc_id), None)

    def document_choices(self, groups: frozenset[str] | None = READER) -> list[tuple[str, str]]:
        """The choices of the other tabs' document pickers: what a reader in `groups` may read."""
        return [(document_label(d), d.doc_id) for d in self.kb.readable_documents(groups)]

    def picker_updates(self, groups: frozenset[str] | None) -> list:
        choices = self.document_choices(groups)
        return [gr.update(choices=choices) for _ in range(self.document_pickers)]

    def sign_in(self, user: str, password: str, address: str) -> SignIn:
        """The login route's check (sessions.session_routes): throttle, then password, then a token."""
        visitor, refusal = self.authenticate(user, password, address)
        if visitor is None:
            return refusal
        if self.audit is not None:
            self.audit.record("sign_in", user=visitor.name, address=address, admin=visitor.is_admin)
        return SignIn(self.visitors.open_session(visitor), "", 200)

    def authenticate(self, user: str, password: str, address: str) -> tuple[Visitor | None, SignIn | None]:
        """(visitor, None) for good credentials; else (None, the refusal): throttled, and a failure
        is in the audit log. The login route and HTTP Basic credentials on `/api/ask` use it."""
        user = (user or "").strip()
        if not self.enabled:
            return None, SignIn(None, DISABLED, 403)
        refused = self.throttle.refused(user, address)
        if refused:
            if self.audit is not None:
                self.audit.record("sign_in_failed", user=user, address=address, reason="尝试过多，暂时锁定")
            return None, SignIn(None, refused, 429)
        visitor = self.visitors.check(user, password)
        if visitor is None:
            self.throttle.failed(user, address)
            if self.audit is not None:
                self.audit.record("sign_in_failed", user=user, address=address, reason="用户名或密码错误")
            return None, SignIn(None, "用户名或密码错误。", 401)
        self.throttle.succeeded(user, address)
        return visitor, None

    def show(self, message: str = "", request: gr.Request | None = None):
        """-> login box, admin box, login message, timer, *refresh: the tab as this browser may see it.
        Runs after the page posted the login form (`message` is the route's answer), after logout and
        on page load. Without a live admin cookie it reveals nothing: the table and the document
        choices are left as they were."""
        if not self.enabled:
            return (gr.update(), gr.update(visible=False), DISABLED, gr.update(active=False),
                    *[gr.skip()] * (3 + self.document_pickers))
        visitor = self.visitor(request)
        if visitor is not None and not visitor.is_admin:
            groups = "、".join(sorted(visitor.groups or [])) or "无（只读公开文件）"
            message = f"已登录：{visitor.name}（访问组：{groups}）。管理知识库需要管理员账户。"
            # the other tabs' pickers now list what this user may read
            return (gr.update(visible=True), gr.update(visible=False), message, gr.update(active=False),
                    *[gr.skip()] * 3, *self.picker_updates(visitor.groups))
        if visitor is None:
            # Nobody signed in: nothing is revealed; after a sign-out the pickers are emptied when
            # signing in is required (else they keep the open documents the page was built with).
            return (gr.update(visible=True), gr.update(visible=False), message, gr.update(active=False),
                    *[gr.skip()] * 3, *([gr.update(choices=[])] * self.document_pickers if self.visitors.login_required()
                                        else [gr.skip()] * self.document_pickers))
        return (gr.update(visible=False), gr.update(visible=True), "", gr.update(active=True), *self.refresh())

    def signed_out(self, key: str | None, address: str) -> None:
        """The logout route's note: who signed out (`key` is the session's)."""
        visitor = self.visitors.of_session(key)
        if visitor is not None and self.audit is not None:
            self.audit.record("sign_out", user=visitor.name, address=address)

    def after_login(self, user: str, message: str, request: gr.Request | None = None):
        """The login event: the page posted user and password to the login route and sends its answer
        (`message`) here in place of the password. What shows depends on the cookie alone."""
        return self.show(message, request)

    def tick(self, request: gr.Request | None = None):
        if not self.signed_in(request):
            return gr.skip()
        return self.kb.status_text()

    def _wait(self, job: Job, progress) -> Job:
        """Follow a job with the progress bar. If the page goes away, the job still completes."""
        while not job.wait(0.25):
            progress((job.done, job.total or None), desc=job.describe())
        return job

    def _start(self, action, progress) -> tuple[Job | None, str | None]:
        """Start a job and follow it; a refusal (bad input, busy) comes back as a message, with a toast."""
        try:
            job = action()
        except (InputError, BusyError) as exc:
            gr.Warning(str(exc))
            return None, str(exc)
        return self._wait(job, progress), None

    def ingest(self, files, request: gr.Request | None = None, progress=gr.Progress()):
        """-> result rows, message, upload box, *refresh"""
        self._require(request)
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
        job, refused = self._start(lambda: self.kb.ingest_uploads(paths), progress)
        if job is None:
            return (gr.skip(), refused, gr.skip(), *self.refresh())
        rows = [[r.name, r.label, r.message, r.title, r.articles or "", r.nodes or ""] for r in job.results]
        self._record("upload", request, files=[r.name for r in job.results], results=[r.label for r in job.results])
        if job.error:
            message = job.error
        else:
            message = f"导入完成：{job.summary}。" + ("新文件已可用于问答。" if any(
                r.status in ("added", "updated") for r in job.results) else "")
        return (rows, message, None, *self.refresh())

    def pick(self, doc_id: str | None, request: gr.Request | None = None):
        """-> title, version, status, doc type, then the details (文号, 发文机关, 成文日期, 密级 …
        DETAIL_FIELDS) of the document picked for editing"""
        self._require(request)
        row = self._row(doc_id)
        if row is None:
            return "", "", None, None, *[""] * len(DETAIL_FIELDS)
        m = row.meta
        return m.title, m.version or "", m.status, m.doc_type, *[getattr(m, k) or "" for k in DETAIL_FIELDS]

    def save(self, doc_id, title, version, status, doc_type, details: list[str], request: gr.Request | None = None,
             progress=gr.Progress()):
        """-> message, *refresh. `details`: the values of the DETAIL_FIELDS boxes, in order."""
        self._require(request)
        changed = dict(zip(DETAIL_FIELDS, details or []))
        job, refused = self._start(lambda: self.kb.edit(doc_id, title, version, status, doc_type, changed), progress)
        message = refused or job.error or f"{job.summary}。"
        if job is not None and not job.error:
            self._record("edit", request, doc_id=doc_id, title=title, version=version, status=status, doc_type=doc_type,
                         **{k: v for k, v in changed.items() if v})
        return (message, *self.refresh(doc_id))

    def pick_tables(self, doc_id: str | None, request: gr.Request | None = None) -> str:
        """-> the tables of the document picked, as HTML ("" when none is picked)"""
        self._require(request)
        doc = self.kb.read_store.document(doc_id) if doc_id else None
        return document_tables_html(doc) if doc is not None else ""

    def pick_access(self, doc_id: str | None, request: gr.Request | None = None) -> str:
        """-> the access groups of the document picked, comma separated ("" when open)"""
        self._require(request)
        row = self._row(doc_id)
        return ",".join(row.meta.access) if row else ""

    def save_access(self, doc_id, groups: str, request: gr.Request | None = None, progress=gr.Progress()):
        """-> message, *refresh"""
        self._require(request)
        row = self._row(doc_id)
        before = row.meta.access if row else None
        job, refused = self._start(lambda: self.kb.set_access(doc_id, groups), progress)
        if job is not None and not job.error:
            after = self._row(doc_id).meta.access
            self._record("access", request, doc_id=doc_id, before=before, after=after)
        return (refused or job.error or f"{job.summary}。", *self.refresh(doc_id))

    # Accounts (the same as `qingfeng users`)

    def user_rows(self, request: gr.Request | None = None) -> list[list]:
        self._require(request)
        users = self.visitors.users.list() if self.visitors.users is not None else []
        return [[u.name, "（管理员：可读全部文件）" if u.is_admin else "、".join(u.groups) or "（无：只读公开文件）",
                 "是" if u.is_admin else ""] for u in users]

    def load_user(self, name: str, request: gr.Request | None = None):
        """-> the groups and admin flag of an existing account typed in the form (to be edited), or skips"""
        self._require(request)
        user = self.visitors.users.get((name or "").strip()) if self.visitors.users is not None else None
        return (",".join(user.groups), user.is_admin) if user else (gr.skip(), gr.skip())

    def save_user(self, name: str, password: str, groups: str, is_admin: bool, request: gr.Request | None = None):
        """New account, or a change of an existing one (an empty password keeps the old one).
        -> message, account table, password box (emptied)"""
        from assistant.accounts import UserError
        from ingest.access import BadGroupName

        self._require(request)
        if self.visitors.users is None:
            raise gr.Error("本服务未启用账户。")
        users = self.visitors.users
        name = (name or "").strip()
        try:
            if users.get(name) is None:
                user = users.add(name, password or "", groups or "", bool(is_admin))
                change = "新建"
            else:
                user = users.set(name, password=password or None, groups=groups or "", is_admin=bool(is_admin))
                change = "修改"
        except (UserError, BadGroupName) as exc:
            message = getattr(exc, "message", str(exc))
            gr.Warning(message)
            return message, gr.skip(), gr.skip()
        self._record("user", request, change=change, name=user.name, groups=user.groups, admin=user.is_admin,
                     password_changed=bool(password))
        return f"已{change}账户 {user.name}。", self.user_rows(request), ""

    def remove_user(self, name: str, confirmed: bool, request: gr.Request | None = None):
        """-> message, account table"""
        from assistant.accounts import UserError

        self._require(request)
        if not confirmed:
            gr.Warning("删除前请先勾选“确认删除账户”。")
            return "删除前请先勾选“确认删除账户”。", gr.skip()
        try:
            self.visitors.users.remove((name or "").strip())
        except (UserError, AttributeError) as exc:
            gr.Warning(str(exc) or "没有这个账户。")
            return str(exc) or "没有这个账户。", gr.skip()
        self._record("user", request, change="删除", name=name)
        return f"已删除账户 {name}。", self.user_rows(request)

    AUDIT_SHOWN = 200

    def audit_rows(self, request: gr.Request | None = None) -> list[list]:
        """The newest audit rows, for the admin tab's table."""
        self._require(request)
        return [row.as_list() for row in self.audit.rows(limit=self.AUDIT_SHOWN)] if self.audit is not None else []

    def audit_export(self, request: gr.Request | None = None) -> str | None:
        """The whole audit log as an Excel file to download."""
        import tempfile
        from pathlib import Path

        self._require(request)
        if self.audit is None:
            return None
        folder = Path(tempfile.mkdtemp(prefix="qingfeng-audit-"))
        path = self.audit.export(folder / "审计日志.xlsx")
        self._record("export_audit", request)
        return str(path)

    def delete(self, doc_id, confirmed: bool, request: gr.Request | None = None, progress=gr.Progress()):
        """-> message, confirm box, edit fields ×4, detail boxes (DETAIL_FIELDS), *refresh"""
        self._require(request)
        unchanged = [gr.skip()] * (5 + len(DETAIL_FIELDS))
        if not confirmed:
            message = "删除前请先勾选“确认删除”。"
            gr.Warning(message)
            return (message, *unchanged, *self.refresh(doc_id))
        title = getattr(self._row(doc_id), "title", "")
        job, refused = self._start(lambda: self.kb.delete(doc_id), progress)
        if job is None:
            return (refused, *unchanged, *self.refresh(doc_id))
        if not job.error:
            self._record("delete", request, doc_id=doc_id, title=title)
        return (job.error or f"{job.summary}。", False, "", "", None, None, *[""] * len(DETAIL_FIELDS), *self.refresh())

    def reindex(self, request: gr.Request | None = None, progress=gr.Progress()):
        """-> message, *refresh"""
        self._require(request)
        job, refused = self._start(self.kb.reindex, progress)
        if job is not None and not job.error:
            self._record("reindex", request)
        return (refused or job.error or f"{job.summary}。", *self.refresh())

