"""`qingfeng check`: verify an index directory — the store's database (SQLite's full integrity
check, counts) and the search index (checksums, up to date) — and repair what can be repaired:
a damaged or stale search index is rebuilt from the store, leftover temporary folders go. A
damaged store cannot be repaired here; the report says what to do (re-ingest the files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.retrieval.build import ensure_search_index
from assistant.retrieval.index import index_lock, remove_leftovers
from ingest.store import STORE_FILE, DamagedStore, Store


@dataclass
class CheckReport:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (what, finding), in Chinese
    store_ok: bool = True

    def add(self, what: str, finding: str) -> None:
        self.lines.append((what, finding))


def check_index(index_dir: str | Path, settings: Settings | None = None) -> CheckReport:
    settings = settings or get_settings()
    report = CheckReport()
    index_dir = Path(index_dir)
    if not (index_dir / STORE_FILE).is_file():
        report.store_ok = False
        report.add("数据库", f"{index_dir} 中没有知识库（{STORE_FILE}）；请先运行 qingfeng ingest。")
        return report
    try:
        store = Store(index_dir)
    except DamagedStore as exc:
        report.store_ok = False
        report.add("数据库", exc.message)
        return report
    with store:
        problem = store.check()
        if problem:
            report.store_ok = False
            report.add("数据库", DamagedStore(index_dir / STORE_FILE, problem).message)
            return report
        counts = store.counts()
        report.add("数据库", f"正常：{counts['documents']} 个文档、{counts['files']} 个文件、{counts['nodes']} 个片段")
        with index_lock(index_dir):
            removed = remove_leftovers(index_dir)
        report.add("临时文件夹", f"已清除 {removed} 个残留的临时文件夹" if removed else "无残留")
        if not counts["nodes"]:
            report.add("检索索引", "知识库为空，无需索引")
            return report
        _, stats = ensure_search_index(store, settings)  # loads, verifies, rebuilds when it must
        if not stats["rebuilt"]:
            report.add("检索索引", "正常（所有文件校验值一致）")
        else:
            state = f"已损坏（{stats['repaired']}）" if stats.get("repaired") else "已过期"
            report.add("检索索引", f"{state}，已从知识库重建：{stats['chunks']} 个片段")
    return report
