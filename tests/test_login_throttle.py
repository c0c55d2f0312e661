"""Login throttling (issue 15), with a clock the test moves: per-address lockouts that grow, an
account lockout that spares addresses without failures, a failed login that reveals nothing, and the
server-side session tokens behind the admin cookie.
The real app under a flood of 100 wrong logins is in tests/test_web_app.py."""

from __future__ import annotations

import gradio as gr

from assistant.web.admin import Admin, AdminAuth
from assistant.web.sessions import COOKIE, AdminSessions
from assistant.web.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT, BASE_LOCK, LoginThrottle
from tests.test_web_kb import kb, make_settings  # noqa: F401


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_locked_out_after_failures_and_the_lock_grows():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for _ in range(ADDRESS_LIMIT):
        assert throttle.refused("admin", "10.0.0.9") is None
        throttle.failed("admin", "10.0.0.9")
    assert "请 30 秒后再试" in throttle.refused("admin", "10.0.0.9")
    assert throttle.refused("admin", "10.0.0.1") is None  # another address is not affected
    clock.now += BASE_LOCK + 1
    assert throttle.refused("admin", "10.0.0.9") is None
    throttle.failed("admin", "10.0.0.9")  # still ≥ the limit within the window: locked again, twice as long
    assert "请 1 分钟后再试" in throttle.refused("admin", "10.0.0.9")
    throttle.succeeded("admin", "10.0.0.1")
    assert throttle.refused("admin", "10.0.0.9")  # one address signing in does not free another


def test_a_spread_out_attack_locks_the_account_but_not_a_fresh_address():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for i in range(ACCOUNT_LIMIT):
        throttle.failed("admin", f"10.1.0.{i}")
    assert "该账户登录失败次数过多" in throttle.refused("admin", "10.1.0.3")
    assert throttle.refused("admin", "192.168.1.5") is None
    assert throttle.refused("other", "10.1.0.3") is None


def test_a_failed_or_refused_login_reveals_nothing(kb, tmp_path):  # noqa: F811
    admin = Admin(kb, AdminAuth(make_settings(tmp_path, admin_user="管理员", admin_password="示例-口令")))
    for _ in range(ADDRESS_LIMIT):
        result = admin.sign_in("管理员", "wrong", "10.0.0.9")
        assert result.token is None and result.status == 401 and result.message == "用户名或密码错误。"
    result = admin.sign_in("管理员", "示例-口令", "10.0.0.9")
    assert result.token is None and result.status == 429 and "登录失败次数过多" in result.message
    # what the page shows after a refused login: the message, no document table, no document choices
    login_box, admin_box, message, _, *rest = admin.after_login("管理员", result.message, gr.Request())
    assert admin_box["visible"] is False and "登录失败次数过多" in message and rest == [gr.skip()] * len(rest)
    # a made-up cookie shows nothing either
    login_box, admin_box, message, _, *rest = admin.show("", gr.Request(cookies={COOKIE: "forged-token"}))
    assert admin_box["visible"] is False and rest == [gr.skip()] * (3 + admin.document_pickers)


def test_an_admin_session_is_a_server_side_token_that_ends():
    clock = Clock()
    sessions = AdminSessions(idle=3600, clock=clock)
    token = sessions.open("管理员")
    assert len(token) >= 40 and sessions.user(token) == "管理员"
    assert sessions.user("x" + token[1:]) is None and sessions.user(None) is None and sessions.user("") is None
    clock.now += 3000
    assert sessions.user(token) == "管理员"  # use restarts the idle time
    clock.now += 3000
    assert sessions.user(token) == "管理员"
    clock.now += 3601
    assert sessions.user(token) is None  # idle too long: gone, and stays gone
    clock.now -= 3601
    assert sessions.user(token) is None
    other = sessions.open("管理员")
    sessions.close(other)
    assert sessions.user(other) is None and sessions.open("管理员") != other
