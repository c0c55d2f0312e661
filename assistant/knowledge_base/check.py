"""`qingfeng check`: verify an index directory — the store's database (SQLite's full integrity
check, counts) and the search index (checksums, up to date) — and repair what can be repaired:
a damaged or stale search index is rebuilt from the store, leftover temporary folders go, and
with QINGFENG_MILVUS_URI the Milvus collection is checked and brought in step with the store. A
damaged store cannot be repaired here; the report says what to do (re-ingest the files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.retrieval.build import ensure_search_index
from assistant.retrieval.index import index_lock, remove_leftovers
from assistant.retrieval.milvus import MilvusUnavailable
from ingest.store import STORE_FILE, DamagedStore, Store


@dataclass
class CheckReport:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (what, finding), in Chinese
    store_ok: bool = True
    milvus_ok: bool = True  # with QINGFENG_MILVUS_URI: the service answered

    @property
    def ok(self) -> bool:
        return self.store_ok and self.milvus_ok

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
        try:
            index, stats = ensure_search_index(store, settings)  # loads, verifies, rebuilds when it must
        except MilvusUnavailable as exc:
            report.milvus_ok = False
            report.add("Milvus 检索服务", f"{exc}（{exc.detail}）")
            return report
        if not stats["rebuilt"]:
            report.add("检索索引", "正常（所有文件校验值一致）")
        else:
            state = f"已损坏（{stats['repaired']}）" if stats.get("repaired") else "已过期"
            report.add("检索索引", f"{state}，已从知识库重建：{stats['chunks']} 个片段")
        if settings.milvus_uri:  # the collection was brought in step by ensure_search_index
            written = stats.get("milvus_rows", 0)
            where = index.chunks.target.describe()
            report.add("Milvus 检索服务", f"{where}：已写入 {written} 个片段，现与知识库一致" if written
                       else f"{where}：正常（{len(index)} 个片段，与知识库一致）")
    return report
