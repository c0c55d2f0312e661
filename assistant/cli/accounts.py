"""`qingfeng users …` (accounts with access groups) and `qingfeng audit …` (the audit log)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.progress import console, err_console
from assistant.config import get_settings

IndexOption = Annotated[Optional[Path], typer.Option("--index", help="索引目录（默认 QINGFENG_INDEX_DIR 或 ./index）")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行），用于脚本")]

users_app = typer.Typer(help="管理用户账户：访问组、管理员权限、密码（密码以 argon2 哈希保存）", no_args_is_help=True,
                        options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
audit_app = typer.Typer(help="审计日志：提问、登录、管理操作", no_args_is_help=True,
                        options_metavar="[选项]", subcommand_metavar="命令 [参数]...")


def _users(index: Optional[Path]):
    from assistant.accounts import Users

    return Users(index or get_settings().index_dir)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _fail(message: str) -> None:
    err_console.print(f"[red]错误：[/]{escape(message)}")
    raise typer.Exit(2)


def _groups_text(user) -> str:
    if user.is_admin:
        return "（管理员：可读全部文件）"
    return "、".join(user.groups) or "（无：只读公开文件）"


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="用户名", metavar="用户名")],
    groups: Annotated[str, typer.Option("--groups", help="访问组（逗号分隔）")] = "",
    admin: Annotated[bool, typer.Option("--admin", help="管理员：可读全部文件、管理知识库和账户、查看审计日志")] = False,
    password_stdin: PasswordStdin = False,
    index: IndexOption = None,
) -> None:
    """新建用户。"""
    from assistant.accounts import AuditLog, UserError
    from ingest.access import BadGroupName

    users = _users(index)
    try:
        user = users.add(name, _password(password_stdin), groups, admin)
    except (UserError, BadGroupName) as exc:
        _fail(getattr(exc, "message", str(exc)))
    AuditLog(users.db_dir).record("user", user="命令行", change="新建", name=user.name, groups=user.groups, admin=user.is_admin)
    console.print(f"已新建用户 {escape(user.name)}（访问组：{escape(_groups_text(user))}{'，管理员' if user.is_admin else ''}）")


@users_app.command("list")
def list_users(index: IndexOption = None) -> None:
    """列出用户及其访问组。"""
    users = _users(index).list()
    if not users:
        console.print("还没有用户。新建：qingfeng users add 用户名 --groups 组1,组2")
        return
    table = Table("用户名", "访问组", "管理员")
    for user in users:
        table.add_row(escape(user.name), escape(_groups_text(user)), "是" if user.is_admin else "")
    console.print(table)


@users_app.command("set")
def set_user(
    name: Annotated[str, typer.Argument(help="用户名", metavar="用户名")],
    groups: Annotated[Optional[str], typer.Option("--groups", help="新的访问组（逗号分隔；\"\" 清空）")] = None,
    admin: Annotated[Optional[bool], typer.Option("--admin/--no-admin", help="设为 / 取消管理员")] = None,
    password: Annotated[bool, typer.Option("--password", help="重设密码（提示输入）")] = False,
    password_stdin: PasswordStdin = False,
    index: IndexOption = None,
) -> None:
    """修改用户的访问组、管理员权限或密码。"""
    from assistant.accounts import AuditLog, UserError
    from ingest.access import BadGroupName

    users = _users(index)
    new_password = _password(password_stdin) if (password or password_stdin) else None
    try:
        user = users.set(name, password=new_password, groups=groups, is_admin=admin)
    except (UserError, BadGroupName) as exc:
        _fail(getattr(exc, "message", str(exc)))
    AuditLog(users.db_dir).record("user", user="命令行", change="修改", name=user.name, groups=user.groups,
                                  admin=user.is_admin, password_changed=new_password is not None)
    console.print(f"已修改用户 {escape(user.name)}（访问组：{escape(_groups_text(user))}{'，管理员' if user.is_admin else ''}）")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="用户名", metavar="用户名")], index: IndexOption = None) -> None:
    """删除用户。"""
    from assistant.accounts import AuditLog, UserError

    users = _users(index)
    try:
        users.remove(name)
    except UserError as exc:
        _fail(str(exc))
    AuditLog(users.db_dir).record("user", user="命令行", change="删除", name=name)
    console.print(f"已删除用户 {escape(name)}")


@audit_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="输出文件：.csv 或 .xlsx")],
    days: Annotated[Optional[float], typer.Option("--days", help="只导出最近这些天的记录", min=0)] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="只导出这个用户的记录")] = None,
    index: IndexOption = None,
) -> None:
    """导出审计日志（最新的在前）。"""
    import time

    from assistant.accounts import AuditLog

    if out.suffix.lower() not in (".csv", ".xlsx"):
        _fail("审计日志只能导出为 .csv 或 .xlsx 文件。")
    log = AuditLog(index or get_settings().index_dir)
    rows = log.rows(user=user, since=time.time() - days * 86400 if days is not None else None)
    log.export(out, rows)
    console.print(f"已导出 {len(rows)} 条审计记录到 {escape(str(out))}")
