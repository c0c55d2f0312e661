"""Ingest files and folders into a store: incremental by content hash, one transaction per file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.chunking import DEFAULT_MAX_CHARS, build_nodes
from ingest.duplicates import mark_format_duplicates
from ingest.errors import FileTooLarge, IngestError, UnreadablePath
from ingest.loaders import SUPPORTED_SUFFIXES, unsupported_reason
from ingest.metadata import find_overrides, title_key
from ingest.parse import content_id, parse_document
from ingest.store import Store, StoredFile

# Bump when parsing or chunking changes, so that stored documents are parsed again.
PARSER_VERSION = "3"
DEFAULT_MAX_FILE_MB = 50.0

Status = Literal["added", "updated", "unchanged", "duplicate", "removed", "skipped", "error"]
STATUS_LABELS = {
    "added": "已入库", "updated": "已更新", "unchanged": "未变化，跳过", "duplicate": "重复，跳过",
    "removed": "已移除", "skipped": "未导入", "error": "失败",
}
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class FileResult:
    source: str
    status: Status
    message: str = ""
    doc_id: str | None = None
    title: str | None = None
    articles: int = 0
    nodes: int = 0
    seconds: float = 0.0


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    def summary(self) -> str:
        parts = [f"{STATUS_LABELS[s]} {self.count(s)}" for s in STATUS_LABELS if self.count(s)]
        return "，".join(parts) + f"（用时 {self.seconds:.1f} 秒）"


# Files in a folder that describe the folder rather than being documents of it.
_NOT_DOCUMENTS = re.compile(r"^(README|SOURCES|LICENSE|CHANGELOG)(\.[a-z]+)?$", re.IGNORECASE)


def why_not_a_document(path: Path) -> str | None:
    """None for a file a folder ingest takes as a document; else why it is left out (Chinese)."""
    name, suffix = path.name, path.suffix.lower()
    if name.startswith("~$"):
        return "Office 临时文件，不导入。"
    if name.startswith("."):
        return "以“.”开头的隐藏文件，不导入（如需导入请改名）。"
    if name == "manifest.json" or name.endswith(".meta.json"):
        return "元数据文件（为其他文件提供标题、版本等），不作为文档导入。"
    if _NOT_DOCUMENTS.match(name):
        return "文件夹说明文件（README、SOURCES、LICENSE 等），不作为文档导入。"
    if suffix in SUPPORTED_SUFFIXES:
        return None
    return unsupported_reason(suffix)


def discover(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[FileResult], list[Path]]:
    """Files to ingest as (absolute path, path as given), problems found, and the folders given."""
    files: list[tuple[Path, str]] = []
    problems: list[FileResult] = []
    roots: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        given_str = str(given)
        path = Path(given)
        if path.is_dir():
            roots.append(path.resolve())
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # .git and the like
                for name in sorted(filenames):
                    child = Path(dirpath) / name
                    if child.resolve() in seen:
                        continue
                    seen.add(child.resolve())
                    reason = why_not_a_document(child)
                    if reason:
                        problems.append(FileResult(str(child), "skipped", reason))
                    else:
                        files.append((child.resolve(), str(child)))
        elif path.is_file():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append((path.resolve(), given_str))
        elif path.is_symlink():
            problems.append(FileResult(given_str, "error", f"《{path.name}》是失效的链接，指向的文件不存在。"))
        elif path.exists():
            problems.append(FileResult(given_str, "error", f"《{path.name}》不是普通文件，无法导入。"))
        else:
            problems.append(FileResult(given_str, "error", f"找不到文件或文件夹：{given_str}"))
    return files, problems, roots


def _fingerprint(content_sha: str, overrides: dict, max_chars: int) -> str:
    extra = json.dumps([overrides, max_chars, PARSER_VERSION], ensure_ascii=False, sort_keys=True)
    return f"{content_sha}:{hashlib.sha256(extra.encode()).hexdigest()[:16]}"


def _read(path: Path, source: str, max_bytes: int) -> tuple[bytes, os.stat_result]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise UnreadablePath(f"无法读取《{Path(source).name}》：{exc.strerror or exc}") from exc
    if stat.st_size > max_bytes:
        raise FileTooLarge(
            f"《{Path(source).name}》大小为 {stat.st_size / 2**20:.1f} MB，超过上限 {max_bytes / 2**20:.0f} MB，未导入。"
            "可拆分文件，或调大上限（--max-size-mb / QINGFENG_MAX_FILE_MB）。"
        )
    try:
        with open(path, "rb") as handle:
            return handle.read(), stat
    except OSError as exc:
        raise UnreadablePath(f"无法读取《{Path(source).name}》：{exc.strerror or exc}（请检查文件权限）") from exc


def ingest_file(store: Store, path: Path, source: str, *, max_bytes: int, max_chars: int, ocr: bool,
                access: list[str] | None = None) -> FileResult:
    """Bring one file up to date in the store. Never raises for a bad file: returns an error result.

    Access groups: a sidecar's or manifest's win; else `access` (the --access of this run; [] opens
    the document); else a stored document keeps its groups, so syncing a folder again never opens it."""
    started = time.perf_counter()
    key = str(path)
    stored = store.file(key)
    try:
        overrides = find_overrides(path)
        if "access" not in overrides:
            kept = access if access is not None else (store.access_of(stored.doc_id) if stored else [])
            if kept or access is not None:
                overrides["access"] = ",".join(kept)
        settings_part = _fingerprint("", overrides, max_chars)
        if stored and stored.fingerprint.endswith(settings_part):
            stat = path.stat()
            if stat.st_size == stored.size and stat.st_mtime_ns == stored.mtime_ns:
                return FileResult(source, "unchanged", doc_id=stored.doc_id)
        data, stat = _read(path, source, max_bytes)
        sha = content_id(data)
        fingerprint = _fingerprint(sha, overrides, max_chars)
        entry = StoredFile(key, source, sha[:16], stat.st_size, stat.st_mtime_ns, fingerprint)
        if stored and stored.fingerprint == fingerprint:
            store.touch_file(key, stat.st_size, stat.st_mtime_ns)
            return FileResult(source, "unchanged", doc_id=stored.doc_id)
        if store.has_document(entry.doc_id) and not (stored and stored.doc_id == entry.doc_id):
            original = next((f.source for f in store.files() if f.doc_id == entry.doc_id), "")
            store.link_file(entry)
            return FileResult(source, "duplicate", f"与已入库的《{Path(original).name}》内容相同，只保存一份。",
                              doc_id=entry.doc_id)
        doc = parse_document(path, data, source=source, overrides=overrides, ocr=ocr)
        nodes = build_nodes(doc, max_chars=max_chars)
        store.put_document(doc, nodes, entry)
        status: Status = "updated" if stored else "added"
        note = "（已使用 OCR 识别扫描页）" if doc.ocr_used else ""
        if doc.warnings:
            note += f"结构提示 {len(doc.warnings)} 处：" + "；".join(doc.warnings[:3]) + ("……" if len(doc.warnings) > 3 else "")
        return FileResult(source, status, note, doc_id=doc.doc_id, title=doc.meta.title,
                          articles=len(doc.articles), nodes=len(nodes), seconds=time.perf_counter() - started)
    except IngestError as exc:
        kept = "；原有内容保留不变" if stored else ""
        return FileResult(source, "error", exc.message + kept, doc_id=stored.doc_id if stored else None)


def _version_key(version: str | None) -> int | None:
    m = re.search(r"\d{4}", version or "")
    return int(m.group(0)) if m else None


def refresh_version_status(store: Store) -> None:
    """Where several versions of one title are stored, the newest is 现行有效, older are 已修订.

    A status set explicitly (sidecar or manifest) is never changed.
    """
    groups: dict[str, list] = {}
    for row in store.documents():
        groups.setdefault(title_key(row.title), []).append(row)
    for rows in groups.values():
        years = [_version_key(r.meta.version) for r in rows]
        newest = max((y for y in years if y is not None), default=None)
        for row, year in zip(rows, years):
            if "status" in row.meta.explicit or year is None or newest is None:
                continue
            store.set_status(row.doc_id, "现行有效" if year == newest else "已修订")


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    *,
    max_file_mb: float = DEFAULT_MAX_FILE_MB,
    max_chars: int = DEFAULT_MAX_CHARS,
    ocr: bool = True,
    progress: ProgressCallback | None = None,
    access: list[str] | None = None,
) -> IngestReport:
    """Ingest files and folders. Files gone from a folder given here leave the store. `access`:
    the groups of the documents ingested (unless a sidecar or manifest sets theirs; None keeps
    what the store has, and leaves new documents open)."""
    started = time.perf_counter()
    files, problems, roots = discover(paths)
    report = IngestReport(results=list(problems))
    max_bytes = int(max_file_mb * 2**20)
    for done, (path, source) in enumerate(files):
        if progress:
            progress(done, len(files), source)
        report.results.append(ingest_file(store, path, source, max_bytes=max_bytes, max_chars=max_chars, ocr=ocr,
                                          access=access))
    present = {str(p) for p, _ in files}
    for stored in store.files():
        inside = any(Path(stored.path).is_relative_to(root) for root in roots)
        if inside and stored.path not in present:
            store.remove_file(stored.path)
            report.results.append(FileResult(stored.source, "removed", "文件已不在文件夹中，已从知识库移除。"))
    for copy, kept in mark_format_duplicates(store):
        message = (f"与《{Path(kept.source).name}》是同一文档（标题、版本、条文相同，格式或编码不同），"
                   f"只检索和显示一份：《{Path(kept.source).name}》。")
        for result in report.results:
            if result.doc_id == copy.doc_id:
                result.status, result.message = "duplicate", message
    refresh_version_status(store)
    if progress:
        progress(len(files), len(files), "")
    report.seconds = time.perf_counter() - started
    return report
