"""HTML: visible text only (no script, style or markup), one line per block element."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from ingest.loaders.text import decode_text
from ingest.models import LoadedFile

_INVISIBLE = ["script", "style", "noscript", "template", "head", "iframe", "object", "svg"]


def load_html(path: Path, data: bytes) -> LoadedFile:
    text, encoding = decode_text(data, path.name)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(_INVISIBLE):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    visible = soup.get_text("\n")
    return LoadedFile(pages=[visible], paged=False, file_type="html", encoding=encoding)
