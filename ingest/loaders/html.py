"""HTML: visible text only (no script, style or markup), one line per block element; a table is
kept as rows of cells ("｜cell｜cell｜", see ingest.models.table_line)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from ingest.loaders.text import decode_text
from ingest.models import LoadedFile, table_line

_INVISIBLE = ["script", "style", "noscript", "template", "head", "iframe", "object", "svg"]


def load_html(path: Path, data: bytes) -> LoadedFile:
    text, encoding = decode_text(data, path.name)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(_INVISIBLE):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for table in soup.find_all("table"):
        rows = [[" ".join(cell.get_text(" ").split()) for cell in tr.find_all(["td", "th"], recursive=False)]
                for tr in table.find_all("tr") if tr.find_parent("table") is table]
        lines = [table_line(cells) for cells in rows if any(cells)]
        if lines:
            table.replace_with("\n" + "\n".join(lines) + "\n")
    visible = soup.get_text("\n")
    return LoadedFile(pages=[visible], paged=False, file_type="html", encoding=encoding)
