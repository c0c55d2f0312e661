"""Login throttling (issue 15), with a clock the test moves: per-address lockouts that grow, an
account lockout that spares addresses without failures, and a failed login that reveals nothing.
The real app under a flood of 100 wrong logins is in tests/test_web_app.py."""

from __future__ import annotations

import gradio as gr

from assistant.web.admin import Admin, AdminAuth
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
        state, _, _, message, _, *rest = admin.login("管理员", "wrong")
        assert state is False and message == "用户名或密码错误。"
        assert rest == [gr.skip()] * len(rest)  # no document table, no document choices
    state, _, _, message, _, *rest = admin.login("管理员", "示例-口令")
    assert state is False and "登录失败次数过多" in message and rest == [gr.skip()] * len(rest)
