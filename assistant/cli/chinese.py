"""Click and Typer in Chinese. Typer's help panels and Click's messages go through gettext (`_()`
in each module): that function is replaced by a lookup in MESSAGES. The copy of Click that Typer
vendors (typer._click) writes English directly: its usage prefix, its help option's text and its
usage errors ("Missing option '--out'.") are translated where they are made (ERRORS: patterns over
the English message). The value types Typer prints (<str>, <int>, <path>) get Chinese names, and
flags none. commands.py calls `install()` before building the app; it is idempotent.

Unknown messages pass through unchanged (a new release adds English, never breaks).
"""

from __future__ import annotations

import importlib
import re

MESSAGES = {
    # usage, help and panels
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Error": "错误",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "(deprecated) ": "（已弃用）",
    "deprecated": "已弃用",
    "[default: {}]": "[默认：{}]",
    "default: {default}": "默认：{default}",
    "[env var: {}]": "[环境变量：{}]",
    "env var: {var}": "环境变量：{var}",
    "[required]": "[必填]",
    "required": "必填",
    "(dynamic)": "（动态）",
    "Aborted!": "已中止。",
    "Aborted.": "已中止。",
    # usage errors
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "Choose from:\n\t{choices}": "可选值：\n\t{choices}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
}
PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "{value!r} is not {choice}.": "{value!r} 不是可选值 {choice}。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "No such option: {name}": "没有选项：{name}",
}
# The value types Typer shows beside each option.
TYPES = {"<str>": "<文本>", "<int>": "<整数>", "<float>": "<数字>", "<path>": "<路径>", "<list[str]>": "<文本，可多次>",
         "<int range>": "<整数>", "<file>": "<文件>", "<directory>": "<文件夹>"}
_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.decorators", "click.formatting",
            "click.termui", "typer.core", "typer.main", "typer.rich_utils")
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


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get(singular, singular if n == 1 else plural)


def install() -> None:
    """Translate Click's and Typer's messages and Typer's type names."""
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant in _RICH_CONSTANTS:
        setattr(rich_utils, constant, gettext(getattr(rich_utils, constant)))
    _install_vendored_click()
    from typer.core import TyperArgument, TyperOption

    for cls in (TyperArgument, TyperOption):
        if getattr(cls.display_type_rich, "_chinese", False):
            continue
        original = cls.display_type_rich

        def display_type_rich(self, ctx, _original=original):
            if getattr(self, "is_flag", False):
                return None  # a flag (--json) takes no value: no type to show
            shown = _original(self, ctx)
            return TYPES.get(shown, shown) if shown else shown

        display_type_rich._chinese = True
        cls.display_type_rich = display_type_rich


def _install_vendored_click() -> None:
    """The usage prefix, the help option's text and the usage errors of typer._click."""
    try:
        core = importlib.import_module("typer._click.core")
        exceptions = importlib.import_module("typer._click.exceptions")
        formatting = importlib.import_module("typer._click.formatting")
    except ImportError:  # a Typer that uses Click itself: gettext covers it
        return
    write_usage = formatting.HelpFormatter.write_usage
    if not getattr(write_usage, "_chinese", False):
        def chinese_write_usage(self, prog, args="", prefix=None, _original=write_usage):
            return _original(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

        chinese_write_usage._chinese = True
        formatting.HelpFormatter.write_usage = chinese_write_usage
    get_help_option = core.Command.get_help_option
    if not getattr(get_help_option, "_chinese", False):
        def chinese_help_option(self, ctx, _original=get_help_option):
            option = _original(self, ctx)
            if option is not None:
                option.help = HELP_TEXT
            return option

        chinese_help_option._chinese = True
        core.Command.get_help_option = chinese_help_option
    for cls in vars(exceptions).values():
        if isinstance(cls, type) and issubclass(cls, exceptions.ClickException) and "format_message" in vars(cls):
            original = cls.format_message
            if getattr(original, "_chinese", False):
                continue

            def format_message(self, _original=original):
                return translate_error(_original(self))

            format_message._chinese = True
            cls.format_message = format_message
