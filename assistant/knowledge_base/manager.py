"""The knowledge base the web app serves: the search index the chat answers from, and the admin
work on it (upload, edit, delete, re-index), which runs on a background thread.

The chat always answers from `KnowledgeBase.engine`, an immutable snapshot (store connection,
search index, answerer). A job writes through its own store connection, builds the new search
index, then replaces `engine` in one assignment: questions asked meanwhile are answered from the
previous snapshot, questions asked afterwards from the new one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answer import Answerer
from assistant.config import Settings, get_settings
from assistant.knowledge_base.steps import ingest_files
from assistant.retrieval import SearchFilters, ensure_search_index
from ingest.access import may_read
from ingest.dates import find_dates
from ingest.loaders import SUPPORTED_SUFFIXES, unsupported_reason
from ingest.models import DOC_TYPES, STATUSES
from ingest.red_header import DETAIL_FIELDS, FIELD_LABELS, SECRECY_LEVELS, normalize_doc_number
from ingest.store import DocumentRow, Store

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))
REJECTED = "rejected"
RESULT_LABELS = {
    "added": "已导入", "updated": "已更新", "unchanged": "重复，跳过", "duplicate": "重复，跳过",
    "removed": "已移除", "skipped": "未导入", "error": "失败", REJECTED: "已拒绝",
}
MAX_TITLE_CHARS = 200
MAX_VERSION_CHARS = 40


class BusyError(Exception):
    """Another knowledge-base job is running."""


class InputError(Exception):
    """Bad admin input; the message is shown to the user as is."""


@dataclass(frozen=True)
class Engine:
    """What one generation of the knowledge base answers from."""

    generation: int
    store: Store
    index: object  # SearchIndex
    answerer: Answerer
    built_at: float


@dataclass
class UploadResult:
    name: str  # the file name as uploaded
    status: str  # a key of RESULT_LABELS
    message: str = ""
    title: str = ""
    articles: int = 0
    nodes: int = 0

    @property
    def label(self) -> str:
        return RESULT_LABELS.get(self.status, self.status)


@dataclass
class Job:
    kind: str  # 导入文件 / 修改元数据 / 删除文件 / 重建索引
    stage: str = "准备中"
    done: int = 0
    total: int = 0
    results: list[UploadResult] = field(default_factory=list)
    summary: str = ""
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def describe(self) -> str:
        progress = f" {self.done}/{self.total}" if self.total else ""
        return f"{self.kind}：{self.stage}{progress}"


def safe_filename(name: str) -> str:
    """A file name that is safe to create in the uploads folder: no directories, no control or
    reserved characters, not hidden, at most 120 characters, suffix in lower case."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:120] or "未命名文件"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def _unused_path(folder: Path, name: str) -> Path:
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}){suffix}"
        n += 1
    return path


class KnowledgeBase:
    """The index directory the web app serves, with one admin job at a time."""

    def __init__(self, index_dir: str | Path, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.dir = Path(index_dir)
        self.upload_dir = Path(self.settings.upload_dir or self.dir / "uploads")
        self.read_store = Store(self.dir)  # answering and listing
        self.write_store = Store(self.dir)  # jobs only, one at a time
        self.engine: Engine | None = None
        self.job: Job | None = None
        self._job_lock = threading.Lock()
        self._generation = 0
        self._filtered: dict[tuple, Answerer] = {}  # answerers by (engine generation, filters)
        self._filtered_lock = threading.Lock()
        self._closed = threading.Event()
        if self.read_store.counts()["nodes"]:
            index, _ = ensure_search_index(self.read_store, self.settings)
            self._swap(index)

    def close(self) -> None:
        self._closed.set()
        if self.job is not None:
            self.job.wait(60)
        self.read_store.close()
        self.write_store.close()

    # Answering

    def documents(self) -> list[DocumentRow]:
        return self.read_store.documents()

    def readable_documents(self, groups: frozenset[str] | None) -> list[DocumentRow]:
        """The documents a reader in `groups` may read (None: all)."""
        return [d for d in self.documents() if may_read(d.meta.access, groups)]

    def answerer(self, filters: SearchFilters | None = None) -> Answerer | None:
        """An answerer of the current engine with these filters (a retriever holds its filters, so
        each filter set gets its own, kept for reuse); None while the knowledge base is empty.
        Retrieval keeps no per-question state, so threads share them."""
        engine = self.engine
        if engine is None:
            return None
        f = filters or SearchFilters()
        if f == SearchFilters():
            return engine.answerer
        key = (engine.generation, tuple(f.documents), tuple(f.doc_types), tuple(f.statuses), f.include_superseded,
               None if f.groups is None else tuple(sorted(f.groups)))
        with self._filtered_lock:
            if any(k[0] != engine.generation for k in self._filtered):
                self._filtered.clear()
            if key not in self._filtered:
                if len(self._filtered) >= 8:
                    self._filtered.pop(next(iter(self._filtered)))
                self._filtered[key] = engine.answerer.with_filters(f)
            return self._filtered[key]

    def _swap(self, index) -> Engine:
        """Make a new engine over `index` current (documents loaded before it serves)."""
        base = Answerer.from_index(self.read_store, index, self.settings)
        for row in self.read_store.documents():
            base.document(row.doc_id)
        self._generation += 1
        self.engine = Engine(self._generation, self.read_store, index, base, time.time())
        return self.engine

    # Replicas: other processes that serve the same index folder

    def follow(self, interval: float = 2.0) -> threading.Thread:
        """Check every `interval` seconds whether another process changed the store (an upload,
        edit or delete through another replica) and, if so, switch the chat to the new index (the
        one that process saved, or built here). The chat answers from the old one meanwhile."""
        def loop() -> None:
            last = self.read_store.change_marker()
            while not self._closed.wait(interval):
                try:
                    marker = self.read_store.change_marker()
                    if marker != last and self.catch_up():
                        last = marker
                except Exception:  # noqa: BLE001 - logged; the next round tries again
                    log.exception("following the store failed")

        thread = threading.Thread(target=loop, name="qingfeng-follow", daemon=True)
        thread.start()
        return thread

    def catch_up(self) -> bool:
        """Bring the engine in step with the store if it is behind and no job of this process runs.
        -> False when it must be tried again later (a job runs), else True."""
        if not self._job_lock.acquire(blocking=False):
            return False
        try:
            held = self.engine.index.data_version if self.engine else None
            if self.read_store.data_version() == held:
                return True
            if not self.read_store.counts()["nodes"]:
                self._generation += 1
                self.engine = None
            else:
                index, _ = ensure_search_index(self.read_store, self.settings)
                self._swap(index)
            log.info("switched to the store's new content (written by another process)")
            return True
        finally:
            self._job_lock.release()

    # Admin jobs

    def start(self, kind: str, work: Callable[[Job], None], force: bool = False) -> Job:
        """Run `work`, then bring the search index up to date (rebuild it all with `force`) and switch
        the chat to it, on a background thread; raises BusyError when another job runs."""
        if not self._job_lock.acquire(blocking=False):
            running = self.job.describe() if self.job else "另一项任务"
            raise BusyError(f"知识库正在处理（{running}），请等当前任务完成后再试。")
        job = Job(kind)
        self.job = job

        def run() -> None:
            try:
                work(job)
                self._rebuild(job, force=force)
                job.stage = "完成"
            except Exception as exc:  # noqa: BLE001 - reported to the admin, logged in full
                log.exception("knowledge-base job failed")
                job.error = f"{kind}失败：{exc}。问答继续使用原来的索引，已入库的文件不受影响。"
                job.stage = "失败"
            finally:
                job.finished = time.time()
                self._job_lock.release()
                job._event.set()

        threading.Thread(target=run, name=f"qingfeng-{kind}", daemon=True).start()
        return job

    def _rebuild(self, job: Job, force: bool = False) -> None:
        job.stage, job.done, job.total = "更新检索索引", 0, 0
        if not self.write_store.counts()["nodes"]:
            self._generation += 1
            self.engine = None
            return

        def progress(done: int, total: int) -> None:
            job.stage, job.done, job.total = "向量化", done, total

        index, _ = ensure_search_index(self.write_store, self.settings, progress=progress, rebuild=force)
        job.stage, job.done, job.total = "切换到新索引", 0, 0
        self._swap(index)

    def ingest_uploads(self, files: Iterable[str | Path]) -> Job:
        """Check, copy into the uploads folder and ingest uploaded files; one result per file."""
        files = [Path(f) for f in files or []]
        if not files:
            raise InputError("请先选择要上传的文件。")
        return self.start("导入文件", lambda job: self._ingest(job, files))

    def _ingest(self, job: Job, files: list[Path]) -> None:
        from ingest.parse import content_id

        max_bytes = int(self.settings.max_file_mb * 2**20)
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        saved: dict[str, UploadResult] = {}
        batch: dict[str, str] = {}  # doc_id -> name, for the same content twice in one upload
        job.stage, job.total = "检查文件", len(files)
        for i, path in enumerate(files):
            name = safe_filename(path.name)
            result = UploadResult(name, REJECTED)
            job.results.append(result)
            job.done = i
            suffix = Path(name).suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                result.message = unsupported_reason(suffix)
                continue
            try:
                size = path.stat().st_size
                if size > max_bytes:
                    result.message = (f"文件大小 {size / 2**20:.1f} MB，超过上限 {self.settings.max_file_mb:.0f} MB。"
                                      "可拆分文件，或调大 QINGFENG_MAX_FILE_MB。")
                    continue
                if size == 0:
                    result.message = "文件是空的。"
                    continue
                data = path.read_bytes()
            except OSError as exc:
                result.message = f"无法读取上传的文件：{exc.strerror or exc}"
                continue
            doc_id = content_id(data)[:16]
            if self.write_store.has_document(doc_id):
                existing = next((d for d in self.write_store.documents() if d.doc_id == doc_id), None)
                result.status = "duplicate"
                result.message = f"与已入库的《{existing.title if existing else doc_id}》内容相同，未重复导入。"
                continue
            if doc_id in batch:
                result.status = "duplicate"
                result.message = f"与本次上传的 {batch[doc_id]} 内容相同，未重复导入。"
                continue
            batch[doc_id] = name
            target = _unused_path(self.upload_dir, name)
            target.write_bytes(data)
            saved[str(target)] = result
        if saved:
            job.stage, job.done, job.total = "解析入库", 0, len(saved)

            def progress(done: int, total: int, name: str) -> None:
                job.done, job.total = done, total

            report = ingest_files(list(saved), self.write_store, self.settings, progress=progress)
            for r in report.results:
                result = saved.get(r.source)
                if result is None:
                    continue
                result.status, result.message = r.status, r.message
                result.title, result.articles, result.nodes = r.title or "", r.articles, r.nodes
                if r.status == "error":  # keep no copy of a file that did not go in
                    Path(r.source).unlink(missing_ok=True)
        counts = {s: sum(1 for r in job.results if r.status == s) for s in RESULT_LABELS}
        parts = [f"{RESULT_LABELS[s]} {n}" for s, n in counts.items() if n]
        job.summary = "，".join(parts)

    def edit(self, doc_id: str, title: str, version: str, status: str, doc_type: str,
             details: dict[str, str] | None = None) -> Job:
        """Correct a document's metadata (the document keeps its content). `details`: 文号, 发文机关,
        成文日期, 密级 and the other 红头文件 fields (ingest/red_header.py DETAIL_FIELDS); "" clears one."""
        title, version = (title or "").strip(), (version or "").strip()
        row = next((d for d in self.read_store.documents() if d.doc_id == doc_id), None)
        if row is None:
            raise InputError("请先在列表中选择要修改的文件。")
        if not title:
            raise InputError("标题不能为空。")
        if len(title) > MAX_TITLE_CHARS or len(version) > MAX_VERSION_CHARS:
            raise InputError(f"标题最多 {MAX_TITLE_CHARS} 字，版本最多 {MAX_VERSION_CHARS} 字。")
        if status not in STATUSES:
            raise InputError(f"状态只能是：{'、'.join(STATUSES)}。")
        if doc_type not in DOC_TYPES:
            raise InputError(f"类型只能是：{'、'.join(DOC_TYPES)}。")
        m = row.meta
        wanted = {"title": title, "version": version or None, "status": status, "doc_type": doc_type,
                  **_checked_details(details or {})}
        changes = {k: v for k, v in wanted.items() if getattr(m, k) != v}
        if not changes:
            raise InputError("没有需要保存的修改。")

        def work(job: Job) -> None:
            from ingest.pipeline import refresh_version_status

            job.stage = "保存元数据"
            self.write_store.update_meta(doc_id, **changes)
            refresh_version_status(self.write_store)
            job.summary = f"已修改《{title}》：" + "、".join(_FIELD_NAMES[k] for k in changes)

        return self.start("修改元数据", work)

    def set_access(self, doc_id: str, groups: str) -> Job:
        """Set a document's access groups (comma separated; empty opens it to every reader). The
        search index is rebuilt with it, so the change holds for the next question."""
        from ingest.access import BadGroupName, parse_groups

        row = next((d for d in self.read_store.documents() if d.doc_id == doc_id), None)
        if row is None:
            raise InputError("请先在列表中选择要修改的文件。")
        try:
            access = parse_groups(groups or "")
        except BadGroupName as exc:
            raise InputError(exc.message) from exc
        if access == row.meta.access:
            raise InputError("访问组没有变化。")

        def work(job: Job) -> None:
            job.stage = "保存访问组"
            self.write_store.update_meta(doc_id, access=access)
            job.summary = f"已修改《{row.title}》的访问组：{'、'.join(access) or '公开'}"

        return self.start("修改访问组", work)

    def delete(self, doc_id: str) -> Job:
        """Remove a document (and the uploaded copies of it; files elsewhere are left on disk)."""
        row = next((d for d in self.read_store.documents() if d.doc_id == doc_id), None)
        if row is None:
            raise InputError("请先在列表中选择要删除的文件。")

        def work(job: Job) -> None:
            from ingest.pipeline import refresh_version_status

            job.stage = "删除文件"
            paths = self.write_store.delete_document(doc_id)
            uploads = self.upload_dir.resolve()
            for p in paths:
                if Path(p).resolve().is_relative_to(uploads):
                    Path(p).unlink(missing_ok=True)
            refresh_version_status(self.write_store)
            job.summary = f"已删除《{row.title}》（{row.meta.version or '未注明版本'}）"

        return self.start("删除文件", work)

    def reindex(self) -> Job:
        """Re-read every stored file that changed on disk, then rebuild the search index."""

        def work(job: Job) -> None:
            from ingest.pipeline import ingest_file, refresh_version_status

            files = self.write_store.files()
            job.stage, job.total = "检查源文件", len(files)
            changed, missing = 0, 0
            for i, f in enumerate(files):
                job.done = i
                if not Path(f.path).is_file():
                    missing += 1
                    continue
                r = ingest_file(self.write_store, Path(f.path), f.source,
                                max_bytes=int(self.settings.max_file_mb * 2**20),
                                max_chars=self.settings.chunk_max_chars, ocr=self.settings.ocr)
                changed += r.status in ("added", "updated")
            refresh_version_status(self.write_store)
            job.summary = f"已重建索引：{len(files)} 个文件，其中 {changed} 个内容有变化已重新解析"
            if missing:
                job.summary += f"，{missing} 个源文件已不在原位置（已入库内容保留）"

        return self.start("重建索引", work, force=True)

    def status_text(self) -> str:
        counts = self.read_store.counts()
        engine = self.engine
        text = f"知识库现有 {counts['documents']} 个文件、{counts['articles']} 条、{counts['nodes']} 个片段"
        if engine is not None:
            text += f"；检索索引第 {engine.generation} 版，更新于 {time.strftime('%H:%M:%S', time.localtime(engine.built_at))}"
        job = self.job
        if job is not None and job.running:
            text += f"。正在进行：{job.describe()}（问答不受影响，完成后自动切换到新索引）"
        return text + "。"


_FIELD_NAMES = {"title": "标题", "version": "版本", "status": "状态", "doc_type": "类型", **FIELD_LABELS}
MAX_DETAIL_CHARS = 300


def _checked_details(details: dict[str, str]) -> dict[str, str | None]:
    """The 红头文件 details of an edit, checked and in their stored spelling ("" → None)."""
    out: dict[str, str | None] = {}
    for key, raw in details.items():
        if key not in DETAIL_FIELDS:
            raise InputError(f"不能修改的字段：{key}")
        value = re.sub(r"\s+", " ", str(raw or "")).strip()
        name = FIELD_LABELS[key]
        if len(value) > MAX_DETAIL_CHARS:
            raise InputError(f"{name}最多 {MAX_DETAIL_CHARS} 字。")
        if value and key in ("date", "printed_date"):
            iso = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", value)  # as dates are stored and shown
            dates = find_dates(f"{iso.group(1)}年{iso.group(2)}月" + (f"{iso.group(3)}日" if iso.group(3) else "")
                               if iso else value)
            if not dates:
                raise InputError(f"{name}“{value}”不是日期，请写成 2023-05-10 或 2023年5月10日。")
            value = dates[0]
        if value and key == "doc_number":
            value = normalize_doc_number(value)
        if value and key == "secrecy" and value not in SECRECY_LEVELS:
            raise InputError(f"密级只能是：{'、'.join(SECRECY_LEVELS)}（或留空）。")
        out[key] = value or None
    return out
