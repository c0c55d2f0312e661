"""PDF through pypdf, one text per page; scanned pages go through OCR when it is installed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from ingest.errors import CorruptFile, EncryptedFile, ScannedWithoutOcr
from ingest.loaders.ocr import OCR_HINT, ocr_engine, ocr_page, page_images
from ingest.loaders.pdf_tables import looks_tabular, pages_with_tables
from ingest.models import LoadedFile

# A page with fewer visible characters than this and an image on it is taken as scanned.
MIN_CHARS_PER_TEXT_PAGE = 20



def _open(path: Path, data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise CorruptFile(f"《{path.name}》不是有效的 PDF 文件，可能已损坏或不完整（{exc}）。") from exc
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except (DependencyError, FileNotDecryptedError, PdfReadError, NotImplementedError) as exc:
            raise EncryptedFile(f"《{path.name}》已加密，无法读取。请提供未加密的版本。") from exc
        if not decrypted:
            raise EncryptedFile(f"《{path.name}》已设置打开密码，无法读取。请提供未加密的版本。")
    return reader


def load_pdf(path: Path, data: bytes, *, ocr: bool = True) -> LoadedFile:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = _open(path, data)
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise CorruptFile(f"《{path.name}》的页面结构已损坏，无法读取（{exc}）。") from exc
    if not pages:
        raise CorruptFile(f"《{path.name}》没有任何页面，可能已损坏或不完整。")

    texts: list[str] = []
    scanned: list[int] = []
    for number, page in enumerate(pages):
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            raise CorruptFile(f"《{path.name}》第{number + 1}页无法解析，文件可能已损坏（{exc}）。") from exc
        if len("".join(text.split())) < MIN_CHARS_PER_TEXT_PAGE and page_images(page):
            scanned.append(number)
        texts.append(text)
    tabular = [n for n, text in enumerate(texts) if n not in scanned and looks_tabular(text)]
    if tabular:
        try:
            for number, text in pages_with_tables(data, tabular).items():
                texts[number] = text
        except Exception:  # noqa: BLE001 - a table pdfplumber cannot read leaves pypdf's text of the page
            logging.getLogger(__name__).warning("《%s》的表格无法按行读取，按普通文字处理。", path.name)

    ocr_used = False
    if scanned:
        engine = ocr_engine() if ocr else None
        if engine is None:
            if len(scanned) == len(pages):
                raise ScannedWithoutOcr(f"《{path.name}》是扫描件（没有文字层），无法提取文字。{OCR_HINT}")
        else:
            for number in scanned:
                texts[number] = ocr_page(engine, page_images(pages[number]))
            ocr_used = True
    return LoadedFile(pages=texts, paged=True, file_type="pdf", ocr_used=ocr_used)

