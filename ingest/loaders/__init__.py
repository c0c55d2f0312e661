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
}


def file_kind(path: Path, data: bytes) -> str:
    """The loader for a file: by its suffix, checked against the content's magic bytes."""
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        if path.suffix.lower() == ".doc":
            raise UnsupportedFileType(
                f"《{path.name}》是旧版 Word（.doc）格式，暂不支持。请在 Word 中另存为 .docx 后再上传。"
            )
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
    if kind == "html":
        from ingest.loaders.html import load_html

        return load_html(path, data)
    from ingest.loaders.text import load_text

    return load_text(path, data, markdown=(kind == "markdown"))
