"""What the command line shows while it works: progress bars on stderr (stdout stays clean for
--json output) and a line per file that changed."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assistant.progress_log import LineProgress

console = Console()
err_console = Console(stderr=True)


def progress_bar(label: str, describe: bool = False) -> Progress | LineProgress:
    """A transient progress bar on stderr (stdout stays clean for --json output); when stderr is not
    a terminal (a log), plain lines every few seconds instead: stage, done/total, rate, time left."""
    if not err_console.is_terminal:
        return LineProgress(label)
    columns = [TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    if describe:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, console=err_console, transient=True)


def run_ingest(paths, store, *, max_size_mb: float | None = None, ocr: bool = True, access: list[str] | None = None):
    """Ingest with a progress bar on the terminal, then print one line per file: every file of a
    folder is accounted for (imported, unchanged, left out with the reason, failed with the reason)."""
    from assistant.knowledge_base import ingest_files  # imported when used: `qingfeng --help` stays fast
    from ingest.pipeline import STATUS_LABELS

    with progress_bar("导入文档", describe=True) as bar:
        task = bar.add_task("", total=None)

        def on_progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=escape(Path(name).name))

        report = ingest_files(paths, store, max_file_mb=max_size_mb, ocr=ocr, progress=on_progress, access=access)
    counts = store.counts()
    for result in report.results:
        style = {"error": "red", "duplicate": "yellow", "removed": "yellow", "skipped": "yellow",
                 "unchanged": "dim"}.get(result.status, "green")
        detail = f"《{escape(result.title)}》 {result.articles} 条，{result.nodes} 个片段" if result.title else ""
        console.print(f"[{style}]{STATUS_LABELS[result.status]}[/] {escape(result.source)} {detail} {escape(result.message)}",
                      soft_wrap=True)
    console.print(
        f"{report.summary()}。知识库现有 {counts['documents']} 个文档、{counts['articles']} 条、{counts['nodes']} 个片段：{escape(str(store.dir))}",
        soft_wrap=True)
    return report


def run_index_build(store):
    """Bring the search indexes up to date, with a progress bar for embedding; (index, stats)."""
    from assistant.retrieval import ensure_search_index

    with progress_bar("向量化") as bar:
        task = bar.add_task("", total=None)
        index, stats = ensure_search_index(store, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if stats.get("rebuilt"):
        err_console.print(
            f"检索索引已更新：{stats['chunks']} 个片段，新向量化 {stats['embedded']} 个"
            f"（向量化 {stats['embed_seconds']:.1f} 秒，共 {stats['seconds']:.1f} 秒）"
        )
    return index, stats
