"""Ingesting files with the settings' limits: the step every way into the knowledge base takes (the
`qingfeng ingest` command, the web app's first start, the admin uploads), before the search index
is brought up to date (`assistant.retrieval.ensure_search_index`). Progress goes to a callback; the
CLI draws a progress bar, the web app's first start writes lines to its log, an admin job reports
into its `Job`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.config import Settings, get_settings
from ingest.pipeline import IngestReport, ingest_paths
from ingest.store import Store


def ingest_files(paths: Iterable[str | Path], store: Store, settings: Settings | None = None, *,
                 max_file_mb: float | None = None, ocr: bool = True,
                 progress: Callable[[int, int, str], None] | None = None,
                 access: list[str] | None = None) -> IngestReport:
    """Parse files and folders into the store (unchanged files are skipped), with the settings'
    size limit, chunk size and OCR; `progress(done, total, file name)`; `access`: the documents'
    groups (ingest_paths)."""
    settings = settings or get_settings()
    return ingest_paths([str(p) for p in paths], store, max_file_mb=max_file_mb or settings.max_file_mb,
                        max_chars=settings.chunk_max_chars, ocr=settings.ocr and ocr, progress=progress,
                        access=access)

