"""The command line speaks Chinese: help, usage and errors (Click's and Typer's own words translated,
assistant/cli/chinese.py), and bad arguments are usage errors (exit status 2) that say what is wrong."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assistant.cli.commands import app

runner = CliRunner()
ENGLISH = ["Usage", "Options", "Arguments", "Commands", "Show this message", "Missing", "Try '", "default:",
           "<bool>", "<str>", "<int>", "<path>", "Error", "Invalid value", "required", "COMMAND", "[OPTIONS]"]


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


@pytest.mark.parametrize("command", [[], ["ask"], ["search"], ["ingest"], ["inspect"], ["quiz"], ["faq"], ["serve"]])
def test_help_is_in_chinese(command):
    result = runner.invoke(app, [*command, "--help"], prog_name="qingfeng", terminal_width=120)
    assert result.exit_code == 0
    assert "用法：qingfeng" in result.output and "显示本帮助并退出" in result.output
    assert english_in(result.output) == [], result.output


def test_usage_errors_say_what_is_wrong_in_chinese(shared_index):
    store, _ = shared_index
    result = runner.invoke(app, ["quiz", "--index", str(store.dir)], terminal_width=120)
    assert result.exit_code == 2 and "缺少选项 '--out'" in result.output and english_in(result.output) == []
    result = runner.invoke(app, ["search", "--index", str(store.dir), "--top-k", "0", "陪餐"], terminal_width=120)
    assert result.exit_code == 2 and "应不小于 1" in result.output and english_in(result.output) == []
    result = runner.invoke(app, ["search", "--top-k", "几条", "陪餐"], terminal_width=120)
    assert result.exit_code == 2 and "应为整数" in result.output
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--doc", "不存在的文件", "--out", "q.json"])
    assert result.exit_code == 2 and "知识库中没有文件 不存在的文件" in result.output
    result = runner.invoke(app, ["nonsense"], terminal_width=120)
    assert result.exit_code == 2 and "没有命令 'nonsense'" in result.output


def test_search_shows_each_passage_under_its_label_not_the_label_alone(shared_index):
    """监察法 第十二条 opens with '第十二条 ' and a line break; the passage line must carry its text."""
    store, _ = shared_index
    result = runner.invoke(app, ["search", "--index", str(store.dir), "--top-k", "3", "监察委员会派驻监察机构"],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    out = result.output
    first_header = out[:out.index("得分")]
    assert "监察法" in first_header and "第十二条" in first_header
    passage = out[out.index("\n", out.index("得分")):].strip()
    assert passage.startswith("各级监察委员会可以向本级中国共产党机关")  # the text, not a bare 第十二条
    assert not any(line.strip() in ("第十二条", "第四十二条") for line in out.splitlines())
