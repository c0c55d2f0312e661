"""Plain text and Markdown: detect the encoding (UTF-8, UTF-8 BOM, GB18030/GBK, UTF-16)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.errors import UndecodableText
from ingest.models import LoadedFile, table_line

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _cjk_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return len(_CJK.findall(text)) / max(len(visible), 1)


def decode_text(data: bytes, name: str = "") -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding name). Raises UndecodableText."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    has_nul = b"\x00" in data[:4096]
    if not has_nul:
        # Chinese government text that is not UTF-8 is nearly always GBK/GB18030.
        try:
            text = data.decode("gb18030")
            if _cjk_share(text) > 0.3:
                return text, "gb18030"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UndecodableText(f"《{name}》无法识别文字编码，请另存为 UTF-8 编码的文本后再上传。")
    encoding = best.encoding
    if encoding.replace("_", "").lower() in {"gb2312", "gbk"}:
        encoding = "gb18030"
    return data.decode(encoding, errors="replace"), encoding


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def strip_markdown(text: str) -> str:
    """Drop Markdown markup that is not content: heading marks, bold, table rules."""
    lines = []
    for line in text.splitlines():
        if _MD_TABLE_RULE.match(line):
            continue
        line = _MD_HEADING.sub("", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        if line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            line = table_line([cell.strip() for cell in line.strip()[1:-1].split("|")])
        lines.append(line)
    return "\n".join(lines)


def load_text(path: Path, data: bytes, *, markdown: bool = False) -> LoadedFile:
    text, encoding = decode_text(data, path.name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown:
        text = strip_markdown(text)
    # A form feed is how text exports mark a page break.
    pages = text.split("\f")
    return LoadedFile(
        pages=pages,
        paged=len(pages) > 1,
        file_type="markdown" if markdown else "text",
        encoding=encoding,
    )
