"""DOCX: paragraphs and tables in document order; page breaks kept when Word recorded them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ingest.errors import CorruptFile
from ingest.loaders.zipguard import check_zip
from ingest.models import LoadedFile, table_line

_BREAKS = './/w:br[@w:type="page"] | .//w:lastRenderedPageBreak'


def _rows(table) -> list[list[str]]:
    """A table's rows as cell texts; a cell merged across columns is read once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # python-docx repeats a merged cell for each column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return rows


def load_docx(path: Path, data: bytes) -> LoadedFile:
    import docx
    from docx.table import Table

    check_zip(path, data)  # before python-docx unpacks anything
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorruptFile(f"《{path.name}》不是有效的 Word 文档，可能已损坏或不完整（{type(exc).__name__}）。") from exc
    except Exception as exc:  # python-docx raises assorted lxml/opc errors on broken packages
        raise CorruptFile(f"《{path.name}》无法作为 Word 文档打开，可能已损坏：{exc}") from exc

    pages: list[list[str]] = [[]]
    breaks_seen = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            pages[-1] += [table_line(cells) for cells in _rows(block)]
            continue
        pages[-1].append(block.text)
        for _ in block._p.xpath(_BREAKS):
            breaks_seen += 1
            pages.append([])
    texts = ["\n".join(lines) for lines in pages]
    if breaks_seen == 0:
        return LoadedFile(pages=texts, paged=False, file_type="docx")
    return LoadedFile(pages=texts, paged=True, file_type="docx")
