"""The audit log: who asked what and what was cited, sign-ins and their failures, and admin changes.

Append-only (a trigger refuses any UPDATE); rows older than the retention are removed whole by
`purge`. Admins read and export it (CSV, Excel).

    log = AuditLog(index_dir)
    row_id = log.record("ask", user="zhangsan", address="10.0.0.5", question=..., cited=[...])
"""

from __future__ import annotations

import csv
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.accounts.db import connect

# What each action is called in the log's exports and the admin tab.
ACTIONS = {
    "ask": "提问", "sign_in": "登录", "sign_in_failed": "登录失败", "sign_out": "退出登录",
    "upload": "上传文件", "edit": "修改文件信息", "delete": "删除文件", "access": "修改访问组",
    "reindex": "重建索引", "user": "账户变更", "feedback": "评价回答", "export_audit": "导出审计日志",
}
COLUMNS = ["编号", "时间", "用户", "地址", "操作", "内容"]


@dataclass
class AuditRow:
    id: int
    at: float
    user: str
    address: str
    action: str
    detail: dict

    @property
    def time_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.at))

    def summary(self) -> str:
        """The row's content on one line, in Chinese."""
        d = self.detail
        if self.action == "ask":
            cited = "；".join(f"《{c['title']}》（{c.get('version') or '未注明版本'}）{c.get('article_label') or ''}"
                             for c in d.get("cited", []))
            return f"问：{d.get('question', '')} → " + ("未找到依据" if d.get("refused") else f"引用：{cited or '无'}")
        return "；".join(f"{k}：{v if not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False)}"
                        for k, v in d.items())

    def as_list(self) -> list:
        """The row's cells; text a spreadsheet would run as a formula (a user name typed at the login
        form as "=HYPERLINK(…)") is kept as text."""
        return [_cell(v) for v in (self.id, self.time_text, self.user or "（未登录）", self.address,
                                   ACTIONS.get(self.action, self.action), self.summary())]


def _cell(value):
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class AuditLog:
    def __init__(self, index_dir: str | Path):
        self.db = connect(index_dir)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.db.close()

    def record(self, action: str, user: str = "", address: str = "", **detail) -> int:
        """Append a row; its id (feedback on an answer points to the answer's row)."""
        with self._lock, self.db:
            cursor = self.db.execute("INSERT INTO audit (at, user, address, action, detail) VALUES (?, ?, ?, ?, ?)",
                                     (time.time(), user or "", address or "", action,
                                      json.dumps(detail, ensure_ascii=False, default=str)))
        return int(cursor.lastrowid)

    def rows(self, *, user: str | None = None, action: str | None = None, since: float | None = None,
             limit: int | None = None) -> list[AuditRow]:
        """Newest first."""
        where, args = [], []
        for clause, value in (("user = ?", user), ("action = ?", action), ("at >= ?", since)):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = "SELECT id, at, user, address, action, detail FROM audit"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [AuditRow(i, at, u, a, act, json.loads(d)) for i, at, u, a, act, d in self.db.execute(sql, args)]

    def get(self, row_id: int) -> AuditRow | None:
        row = self.db.execute("SELECT id, at, user, address, action, detail FROM audit WHERE id = ?", (row_id,)).fetchone()
        return AuditRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) if row else None

    def purge(self, retention_days: float) -> int:
        """Remove the rows older than the retention; how many went."""
        cutoff = time.time() - retention_days * 86400
        with self._lock, self.db:
            return self.db.execute("DELETE FROM audit WHERE at < ?", (cutoff,)).rowcount

    def export(self, path: str | Path, rows: list[AuditRow] | None = None) -> Path:
        """Write rows (default: all) as .csv (UTF-8 with BOM, opens in Excel) or .xlsx."""
        path = Path(path)
        rows = self.rows() if rows is None else rows
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "审计日志"
            sheet.append(COLUMNS)
            for row in rows:
                sheet.append(row.as_list())
            for column, width in zip("ABCDEF", (8, 20, 14, 16, 12, 100)):
                sheet.column_dimensions[column].width = width
            book.save(path)
        elif path.suffix.lower() == ".csv":
            with open(path, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(COLUMNS)
                writer.writerows(row.as_list() for row in rows)
        else:
            raise ValueError("审计日志只能导出为 .csv 或 .xlsx 文件。")
        return path
