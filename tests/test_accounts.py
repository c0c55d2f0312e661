"""User accounts (argon2 password hashes, access groups, admin flag) through `qingfeng users`, and
the audit log: append-only, retention, export to CSV and Excel (`qingfeng audit export`)."""

from __future__ import annotations

import csv
import sqlite3
import time

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from assistant.accounts import AuditLog, UserError, Users
from assistant.accounts.db import ACCOUNTS_FILE
from assistant.cli import app

runner = CliRunner()


def users_cli(index, *args, password: str | None = None):
    extra = ["--password-stdin"] if password is not None else []
    return runner.invoke(app, ["users", *args, *extra, "--index", str(index)],
                         input=(password + "\n") if password is not None else None)


def test_users_are_managed_from_the_cli_and_passwords_are_only_hashed(tmp_path):
    result = users_cli(tmp_path, "add", "张三", "--groups", "纪检监察室,领导班子", password="青松挺且直-2026")
    assert result.exit_code == 0 and "已新建用户 张三" in result.output
    assert users_cli(tmp_path, "add", "admin1", "--admin", password="another-long-pass").exit_code == 0
    listing = users_cli(tmp_path, "list").output
    assert "张三" in listing and "纪检监察室、领导班子" in listing and "admin1" in listing

    stored = sqlite3.connect(tmp_path / ACCOUNTS_FILE).execute("SELECT password_hash FROM users WHERE name='张三'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "青松" not in stored

    users = Users(tmp_path)
    user = users.verify("张三", "青松挺且直-2026")
    assert user is not None and user.reader_groups == frozenset({"纪检监察室", "领导班子"})
    assert users.verify("张三", "wrong-password") is None and users.verify("nobody", "青松挺且直-2026") is None
    assert users.verify("admin1", "another-long-pass").reader_groups is None  # an admin reads everything
    assert users.has_readers()

    # Changes: groups, admin flag, password; then removal.
    assert users_cli(tmp_path, "set", "张三", "--groups", "内部组").exit_code == 0
    assert users_cli(tmp_path, "set", "张三", password="a-new-password-9").exit_code == 0
    assert users.verify("张三", "青松挺且直-2026") is None
    assert users.verify("张三", "a-new-password-9").groups == ["内部组"]
    assert users_cli(tmp_path, "remove", "张三").exit_code == 0
    assert users.get("张三") is None and not users.has_readers()

    # Bad requests: Chinese messages, exit status 2, nothing changed.
    for args, password, message in [
        (("add", "李四"), "short", "密码至少 8 个字符"),
        (("add", "admin1"), "long-enough-pass", "已存在"),
        (("add", "有 空格"), "long-enough-pass", "用户名须为"),
        (("add", "王五", "--groups", "组<script>"), "long-enough-pass", "访问组名称"),
        (("set", "不存在"), None, "没有用户"),
        (("remove", "不存在"), None, "没有用户"),
    ]:
        result = users_cli(tmp_path, *args, password=password)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert [u.name for u in users.list()] == ["admin1"]
    # Every change made is in the audit log (oldest last), never a password.
    changes = [(r.detail["change"], r.detail["name"]) for r in AuditLog(tmp_path).rows(action="user")]
    assert changes == [("删除", "张三"), ("修改", "张三"), ("修改", "张三"), ("新建", "admin1"), ("新建", "张三")]
    for part in tmp_path.glob(ACCOUNTS_FILE + "*"):  # the database and its write-ahead log
        assert b"a-new-password-9" not in part.read_bytes() and "青松挺且直".encode() not in part.read_bytes()
    assert "张三".encode() in b"".join(p.read_bytes() for p in tmp_path.glob(ACCOUNTS_FILE + "*"))
    with pytest.raises(UserError):
        users.add("x", "short")


def test_the_audit_log_is_append_only_kept_for_its_retention_and_exported(tmp_path):
    log = AuditLog(tmp_path)
    asked = log.record("ask", user="张三", address="10.0.0.5", question="操办婚丧喜庆要不要报告？", refused=False,
                       cited=[{"title": "清风区领导干部操办婚丧喜庆事宜报告办法（示例）", "version": "2023",
                               "article": 3, "article_label": "第三条"}])
    log.record("sign_in_failed", user="张三", address="10.0.0.5")
    other = AuditLog(tmp_path / "other")
    typed = other.record("sign_in_failed", user='=HYPERLINK("http://x","点我")', address="10.0.0.6")
    assert other.get(typed).as_list()[2] == '\'=HYPERLINK("http://x","点我")'  # text in Excel, not a formula
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        log.db.execute("UPDATE audit SET user = '李四' WHERE id = ?", (asked,))
    row = log.get(asked)
    assert row.user == "张三" and row.detail["cited"][0]["article"] == 3
    assert "问：操办婚丧喜庆要不要报告？" in row.summary() and "第三条" in row.summary()

    # Retention removes whole rows older than it, and only those.
    with log.db:
        log.db.execute("INSERT INTO audit (at, user, address, action, detail) VALUES (?, '旧用户', '', 'ask', '{}')",
                       (time.time() - 400 * 86400,))
    assert log.purge(365) == 1 and {r.user for r in log.rows()} == {"张三"}

    # Exports: newest first, the columns in Chinese; CSV opens in Excel (UTF-8 with BOM).
    result = runner.invoke(app, ["audit", "export", "--out", str(tmp_path / "audit.xlsx"), "--index", str(tmp_path)])
    assert result.exit_code == 0 and "已导出 2 条" in result.output
    sheet = load_workbook(tmp_path / "audit.xlsx").active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["编号", "时间", "用户", "地址", "操作", "内容"]
    assert [v[4] for v in values[1:]] == ["登录失败", "提问"] and "第三条" in values[2][5]
    log.export(tmp_path / "audit.csv")
    with open(tmp_path / "audit.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "编号" and rows[2][2] == "张三"
    result = runner.invoke(app, ["audit", "export", "--out", str(tmp_path / "audit.pdf"), "--index", str(tmp_path)])
    assert result.exit_code == 2 and ".csv 或 .xlsx" in result.output
