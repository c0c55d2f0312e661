"""Legacy Word (.doc) and Kingsoft WPS 文字 (.wps): converted to .docx by LibreOffice, then read as DOCX.

Both are OLE compound files (Word 97 binary; WPS 文字 writes the same layout). LibreOffice runs
headless on a copy of the bytes in a temporary folder, with a private profile so that conversions
running at once never share one, and under a time limit; the original file is never opened by it.

Settings (environment): QINGFENG_SOFFICE, the LibreOffice program (default: `soffice` on PATH);
QINGFENG_CONVERT_TIMEOUT, seconds one conversion may take (default 120).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ingest.errors import ConversionFailed, ConverterMissing, CorruptFile
from ingest.loaders.docx import load_docx
from ingest.models import LoadedFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_TIMEOUT = 120.0
INSTALL_HINT = ("请安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui），"
                "或在 Word / WPS 中另存为 .docx 后再导入。")
_NAMES = {"doc": "旧版 Word 文件（.doc）", "wps": "WPS 文字文件（.wps）"}


def soffice_program() -> str | None:
    """The LibreOffice program to run: QINGFENG_SOFFICE if set, else soffice / libreoffice on PATH."""
    configured = os.environ.get("QINGFENG_SOFFICE", "").strip()
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_timeout() -> float:
    try:
        return float(os.environ.get("QINGFENG_CONVERT_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def load_legacy_word(path: Path, data: bytes, kind: str) -> LoadedFile:
    """Read a .doc or .wps file (`kind` "doc" / "wps") through a .docx made by LibreOffice."""
    name = _NAMES[kind]
    if not data.startswith(OLE_MAGIC):
        raise CorruptFile(f"《{path.name}》不是有效的{name}：内容不是 Word 97-2003 / WPS 的复合文档格式，"
                          "可能已损坏、不完整，或是改了扩展名的其他文件。")
    program = soffice_program()
    if program is None:
        wanted = os.environ.get("QINGFENG_SOFFICE", "").strip() or "soffice"
        raise ConverterMissing(f"《{path.name}》是{name}，导入时需要用 LibreOffice 转换，"
                               f"但找不到转换程序“{wanted}”。{INSTALL_HINT}")
    docx_bytes = _convert(path, data, kind, program)
    loaded = load_docx(path, docx_bytes)
    return dataclasses.replace(loaded, file_type=kind)


def _convert(path: Path, data: bytes, kind: str, program: str) -> bytes:
    timeout = convert_timeout()
    with tempfile.TemporaryDirectory(prefix="qingfeng-convert-") as scratch:
        folder = Path(scratch)
        source = folder / f"source.{kind}"  # a copy under a plain name; the original is never touched
        source.write_bytes(data)
        out = folder / "out"
        command = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "docx", "--outdir", str(out), str(source)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # LibreOffice's own group: the wrapper and soffice.bin
            process.communicate()
            raise ConversionFailed(f"《{path.name}》转换超时：LibreOffice 在 {timeout:g} 秒内没有完成转换，未导入。"
                                   "可稍后重试、调大时限（QINGFENG_CONVERT_TIMEOUT），或另存为 .docx 后再导入。") from None
        result = out / "source.docx"
        if process.returncode != 0 or not result.is_file():
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {process.returncode}"]
            raise CorruptFile(f"《{path.name}》无法由 LibreOffice 转换，文件可能已损坏（{detail[0][:200]}）。")
        return result.read_bytes()
