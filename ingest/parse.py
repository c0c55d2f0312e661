"""One file's bytes → a ParsedDocument (load, normalise, parse structure, read metadata)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.errors import EmptyDocument
from ingest.instructions import instruction_spans
from ingest.loaders import load_file
from ingest.metadata import apply_overrides, clean_title, infer_meta, title_line, with_red_header
from ingest.models import ParsedDocument
from ingest.normalize import normalize
from ingest.red_header import read_red_header
from ingest.structure import parse_structure


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_document(
    path: Path,
    data: bytes,
    *,
    source: str | None = None,
    overrides: dict | None = None,
    ocr: bool = True,
) -> ParsedDocument:
    """Parse `data` (the bytes of `path`). Raises an IngestError with a Chinese message."""
    loaded = load_file(path, data, ocr=ocr)
    text = normalize(loaded)
    if not text.text.strip():
        raise EmptyDocument(f"《{path.name}》是空文件，没有可读取的文字。")
    header = read_red_header(text.text)
    if header is not None:  # a 红头文件: the content lies between its 版头 (and title) and its signature
        structure = parse_structure(text, header.body_start, header.body_end)
    else:
        _, title_end = title_line(text, path.name)
        structure = parse_structure(text, title_end)
    if not structure.units:
        raise EmptyDocument(f"《{path.name}》除标题外没有正文内容。")
    meta = infer_meta(
        text, path.name,
        articles=sum(1 for u in structure.units if u.kind == "article"),
        outline=structure.mode == "outline" and any(u.kind == "item" for u in structure.units),
    )
    if header is not None:
        meta = with_red_header(meta, header)
    if overrides:
        meta = apply_overrides(meta, overrides)
    meta = clean_title(meta)
    return ParsedDocument(
        doc_id=content_id(data)[:16],
        source=source or str(path),
        file_type=loaded.file_type,
        meta=meta,
        text=text.text,
        page_starts=text.page_starts,
        headings=structure.headings,
        units=structure.units,
        toc=structure.toc,
        ocr_used=loaded.ocr_used,
        encoding=loaded.encoding,
        warnings=structure.warnings + _secrecy_warning(meta)
        + _instruction_warning(text.text, spans := instruction_spans(text.text)),
        instructions=spans,
    )


def _secrecy_warning(meta) -> list[str]:
    """A document marked 秘密/机密/绝密 that every reader could read: say so (the groups are the office's call)."""
    if not meta.secrecy or meta.access:
        return []
    return [f"文件标有密级“{meta.secrecy}”，但没有设访问组，所有读者都能读到：请用 --access 导入或在知识库中设定访问组。"]


def _instruction_warning(text: str, spans: list[tuple[int, int]]) -> list[str]:
    if not spans:
        return []
    first = text[spans[0][0]:spans[0][1]].strip()
    first = first if len(first) <= 30 else first[:30] + "…"
    return [f"含 {len(spans)} 处疑似指令性文字（如“{first}”），已标记：回答不会把它当作规定引用。"]
