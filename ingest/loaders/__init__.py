"""Loaders turn a file's bytes into page texts. Pick one by the file's content and suffix."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import UnsupportedFileType
from ingest.models import LoadedFile

SUPPORTED_SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".ofd": "ofd",
    ".doc": "doc",
    ".wps": "wps",
}


SUPPORTED_TEXT = "支持 PDF、DOCX、DOC、WPS、OFD、TXT、MD、HTML"
# Files people have that cannot be read yet, with what to do instead.
UNSUPPORTED_ADVICE = {
    ".et": "WPS 表格文件不是可导入的文档。",
    ".dps": "WPS 演示文件不是可导入的文档。",
}


def unsupported_reason(suffix: str) -> str:
    """Why a file of this suffix is not imported, and what to do (Chinese)."""
    suffix = suffix.lower()
    return UNSUPPORTED_ADVICE.get(suffix, f"不支持的文件类型（{suffix or '无扩展名'}），{SUPPORTED_TEXT}。")


def file_kind(path: Path, data: bytes) -> str:
    """The loader for a file: by its suffix, checked against the content's magic bytes."""
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        if path.suffix.lower() in UNSUPPORTED_ADVICE:
            raise UnsupportedFileType(f"《{path.name}》：{UNSUPPORTED_ADVICE[path.suffix.lower()]}")
        supported = "、".join(sorted({s.lstrip(".").upper() for s in SUPPORTED_SUFFIXES}))
        raise UnsupportedFileType(
            f"《{path.name}》的文件类型“{path.suffix or '无扩展名'}”不受支持。支持的类型：{supported}。"
        )
    return kind


def load_file(path: Path, data: bytes, *, ocr: bool = True) -> LoadedFile:
    """Load `data` (the bytes of `path`) into pages of raw text."""
    kind = file_kind(path, data)
    if kind == "pdf":
        from ingest.loaders.pdf import load_pdf

        return load_pdf(path, data, ocr=ocr)
    if kind == "docx":
        from ingest.loaders.docx import load_docx

        return load_docx(path, data)
    if kind == "ofd":
        from ingest.loaders.ofd import load_ofd

        return load_ofd(path, data, ocr=ocr)
    if kind in ("doc", "wps"):
        from ingest.loaders.office_convert import load_legacy_word

        return load_legacy_word(path, data, kind)
    if kind == "html":
        from ingest.loaders.html import load_html

        return load_html(path, data)
    from ingest.loaders.text import load_text

    return load_text(path, data, markdown=(kind == "markdown"))
