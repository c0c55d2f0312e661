"""Limits for zip-based files (DOCX, and OFD later) before anything unpacks them: the number of
parts, the total unpacked size and the packing ratio of large parts, all read from the zip's
directory (zipfile refuses to read a part past its declared size, so the header cannot lie)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ingest.errors import CorruptFile, FileTooLarge

MAX_PARTS = 2000
MAX_UNPACKED_BYTES = 100 * 2**20
MAX_RATIO = 100  # a 1 MB+ part packed more than this is no ordinary document
RATIO_CHECKED_ABOVE = 2**20


def check_zip(path: Path, data: bytes) -> None:
    """Raise FileTooLarge for a zip that would unpack into too much, CorruptFile for no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFile(f"《{path.name}》不是有效的压缩包格式文档，可能已损坏或不完整（{type(exc).__name__}）。") from exc
    if len(parts) > MAX_PARTS:
        raise FileTooLarge(f"《{path.name}》内含 {len(parts)} 个部件，超过上限 {MAX_PARTS}，可能是异常文件，未导入。")
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileTooLarge(
            f"《{path.name}》解压后有 {unpacked / 2**20:.0f} MB，超过上限 {MAX_UNPACKED_BYTES / 2**20:.0f} MB，"
            "可能是压缩炸弹或异常文件，未导入。")
    for part in parts:
        if part.file_size > RATIO_CHECKED_ABOVE and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise FileTooLarge(
                f"《{path.name}》中的 {part.filename} 压缩比异常（{part.file_size / 2**20:.0f} MB 压缩为 "
                f"{part.compress_size / 2**10:.0f} KB），可能是压缩炸弹，未导入。")
