"""Typer in Chinese. Typer's help panels and a few messages go through gettext (`_()` in
typer.core and typer.rich_utils): that function is replaced by a lookup in MESSAGES. The copy of
Click that Typer vendors (typer._click) writes English directly: its usage prefix, its help option's
text and its usage errors ("Missing option '--out'.") are translated where they are made (ERRORS:
patterns over the English message). The value types Typer prints (<str>, <int>, <path>) get Chinese
names, and flags none. commands.py calls `install()` before building the app; it is idempotent.

Unknown messages pass through unchanged (a new release adds English, never breaks).
"""

from __future__ import annotations

import re

MESSAGES = {  # every string typer.core and typer.rich_utils pass to gettext
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Error": "错误",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "(deprecated) ": "（已弃用）",
    "[default: {}]": "[默认：{}]",
    "default: {default}": "默认：{default}",
    "[env var: {}]": "[环境变量：{}]",
    "env var: {var}": "环境变量：{var}",
    "[required]": "[必填]",
    "required": "必填",
    "(dynamic)": "（动态）",
    "Aborted!": "已中止。",
    "Aborted.": "已中止。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
}
# The value types Typer shows beside each option.
TYPES = {"<str>": "<文本>", "<int>": "<整数>", "<float>": "<数字>", "<path>": "<路径>", "<list[str]>": "<文本，可多次>",
         "<int range>": "<整数>", "<file>": "<文件>", "<directory>": "<文件夹>"}
_RICH_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                   "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE", "ERRORS_PANEL_TITLE",
                   "ABORTED_TEXT", "RICH_HELP")
HELP_TEXT = "显示本帮助并退出。"
USAGE_PREFIX = "用法："
ERRORS = [  # Click's usage errors, as the vendored copy words them
    (r"^Missing option (.+)\.$", r"缺少选项 \1。"),
    (r"^Missing argument (.+)\.$", r"缺少参数 \1。"),
    (r"^Missing parameter:? ?(.*?)\.?$", r"缺少参数 \1。"),
    (r"^Missing command\.$", "缺少命令。"),
    (r"^No such command (.+)\.$", r"没有命令 \1。"),
    (r"^No such option: (.+)$", r"没有选项：\1"),
    (r"Did you mean (.+)\?", r"是否想用 \1？"),
    (r"\(Possible options: (.+)\)", r"（可选：\1）"),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"多余的参数（\1）"),
    (r"^Option (.+) requires an argument\.$", r"选项 \1 需要一个取值。"),
    (r"^Option (.+) requires (\d+) arguments\.$", r"选项 \1 需要 \2 个取值。"),
    (r"^Option (.+) does not take a value\.$", r"选项 \1 不接受取值。"),
    (r"^Invalid value for (.+?): (.+)$", r"\1 的取值无效：\2"),
    (r"^Invalid value: (.+)$", r"取值无效：\1"),
    (r"(.+) is not a valid (integer|float|int)\.$", r"\1 不是有效的数字。"),
    (r"Input should be a valid integer.*$", "应为整数"),
    (r"Input should be a valid number.*$", "应为数字"),
    (r"Input should be greater than or equal to (\S+)$", r"应不小于 \1"),
    (r"Input should be less than or equal to (\S+)$", r"应不大于 \1"),
    (r"(.+) is not in the range (.+)\.$", r"\1 不在允许的范围 \2 内。"),
    (r"(.+) is not one of (.+)\.$", r"\1 不是可选值 \2 之一。"),
    (r"^(File|Directory|Path) (.+) does not exist\.$", r"\2 不存在。"),
    (r"^(File|Directory|Path) (.+) is a directory\.$", r"\2 是文件夹，不是文件。"),
    (r"^(File|Directory|Path) (.+) is a file\.$", r"\2 是文件，不是文件夹。"),
]


def translate_error(message: str) -> str:
    for pattern, replacement in ERRORS:
        message = re.sub(pattern, replacement, message)
    return message


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _patch(owner, name: str, wrap) -> None:
    """Replace `owner.name` by `wrap(original)`, once."""
    original = getattr(owner, name)
    if not getattr(original, "_chinese", False):
        patched = wrap(original)
        patched._chinese = True
        setattr(owner, name, patched)


def install() -> None:
    """Translate Typer's messages (and its vendored Click's) and its type names."""
    from typer import core, rich_utils
    from typer._click import core as click_core
    from typer._click import exceptions, formatting

    core._ = rich_utils._ = gettext
    for constant in _RICH_CONSTANTS:
        setattr(rich_utils, constant, gettext(getattr(rich_utils, constant)))

    def usage(original):
        return lambda self, prog, args="", prefix=None: original(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    def help_option(original):
        def get_help_option(self, ctx):
            option = original(self, ctx)
            if option is not None:
                option.help = HELP_TEXT
            return option
        return get_help_option

    def error(original):
        return lambda self: translate_error(original(self))

    def value_type(original):
        def display_type_rich(self, ctx):
            if getattr(self, "is_flag", False):
                return None  # a flag (--json) takes no value: no type to show
            shown = original(self, ctx)
            return TYPES.get(shown, shown) if shown else shown
        return display_type_rich

    _patch(formatting.HelpFormatter, "write_usage", usage)
    _patch(click_core.Command, "get_help_option", help_option)
    for cls in vars(exceptions).values():
        if isinstance(cls, type) and issubclass(cls, exceptions.ClickException) and "format_message" in vars(cls):
            _patch(cls, "format_message", error)
    for cls in (core.TyperArgument, core.TyperOption):
        _patch(cls, "display_type_rich", value_type)
