"""Progress as plain lines, for output that is not a terminal (a log file, a service journal): a
progress bar draws nothing there. One line every few seconds, and at each tenth of the work:
stage, done/total, percentage, rate and time left.

    log = ProgressLog("导入文档")
    log(120, 457, "条例.md")   # 导入文档：120/457（26%），3.1 个/秒，约 1 分 49 秒后完成 条例.md
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

EVERY_SECONDS = 5.0


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} 分 {seconds} 秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分"


class ProgressLog:
    """A callable `(done, total, name="")` that prints a line when there is news to tell."""

    def __init__(self, label: str, every_seconds: float = EVERY_SECONDS, stream: TextIO | None = None):
        self.label = label
        self.every_seconds = every_seconds
        self.stream = stream
        self._started = self._last_time = time.monotonic()
        self._last_tenth = -1
        self._first_done: int | None = None

    def __call__(self, done: int, total: int | None, name: str = "") -> None:
        if not total:
            return
        now = time.monotonic()
        if self._first_done is None:
            self._first_done, self._started = done, now
        tenth = done * 10 // total
        if tenth == self._last_tenth and now - self._last_time < self.every_seconds and done < total:
            return
        self._last_tenth, self._last_time = tenth, now
        elapsed = now - self._started
        rate = (done - self._first_done) / elapsed if elapsed > 0 else 0.0
        parts = [f"{self.label}：{done}/{total}（{done / total:.0%}）"]
        if rate > 0 and done < total:
            parts.append(f"，{rate:.1f} 个/秒，约 {_duration((total - done) / rate)}后完成")
        if name:
            parts.append(f" {Path(name).name}")
        print("".join(parts), file=self.stream or sys.stdout, flush=True)


class LineProgress:
    """The part of rich's Progress the command line uses (add_task, update, advance), as lines."""

    def __init__(self, label: str, stream: TextIO | None = None):
        self.log = ProgressLog(label, stream=stream or sys.stderr)
        self.done, self.total, self.description = 0, None, ""

    def __enter__(self) -> "LineProgress":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, description: str = "", total: int | None = None) -> int:
        self.description, self.total = description, total
        return 0

    def update(self, task: int, completed: int | None = None, total: int | None = None,
               description: str | None = None, **_) -> None:
        self.done = self.done if completed is None else completed
        self.total = self.total if total is None else total
        self.description = self.description if description is None else description
        self.log(self.done, self.total, self.description)

    def advance(self, task: int, amount: int = 1) -> None:
        self.update(task, completed=self.done + amount)
