"""OFD (GB/T 33190), China's fixed-layout format: a zip of XML, read with zipfile and lxml.

OFD.xml → DocBody/DocRoot (e.g. Doc_0/Document.xml) → Pages/Page@BaseLoc → each page's Content.xml,
whose TextObject/TextCode elements hold the text and where it sits (TextObject@Boundary plus
TextCode@X/@Y, the baseline; DeltaX the glyph advances). A page's template (TemplatePage) is read
with it. The pieces are ordered by position: one baseline → one line, lines top to bottom.
A text object's CTM (rotated or scaled text) is not applied; body text of documents has none.
A page with no text but images (a scanned OFD) is read by OCR, like a scanned PDF page.

Why not a library: easyofd needs PyMuPDF (AGPL, not acceptable as a dependency) and reportlab;
ofdparser (0.0.8, 2023) is made for invoices, unpacks into temporary folders and imports reportlab,
fontTools and numpy without declaring them. Text and positions are all this loader needs, and they
are plain XML. Elements are matched by local name, since writers differ in the namespace they use.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ingest.errors import CorruptFile, ScannedWithoutOcr
from ingest.loaders.ocr import OCR_HINT, ocr_engine, ocr_page
from ingest.loaders.zipguard import check_zip
from ingest.models import LoadedFile

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class _Piece:
    baseline: float
    x: float
    end: float
    size: float
    text: str


def load_ofd(path: Path, data: bytes, *, ocr: bool = True) -> LoadedFile:
    """The text of each page; a page with no text but images (a scan) goes through OCR when it is
    installed and `ocr` is on."""
    check_zip(path, data)
    ocr_used = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _page_parts(path, archive)
            pages = [_page_text(archive, part) for part in parts]
            scanned = [n for n, text in enumerate(pages) if not text.strip() and _image_ids(archive, parts[n])]
            engine = ocr_engine() if scanned and ocr else None
            if engine is not None:
                media = _media(archive)
                for number in scanned:
                    pages[number] = ocr_page(engine, _images(archive, parts[number], media))
                ocr_used = True
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.XMLSyntaxError) as exc:
        raise CorruptFile(f"《{path.name}》不是有效的 OFD 文件，内部结构已损坏或不完整（{type(exc).__name__}：{exc}）。") from exc
    if not pages:
        raise CorruptFile(f"《{path.name}》没有任何页面，可能已损坏或不完整。")
    if not any(text.strip() for text in pages):
        hint = "其中的图片也未识别出文字。" if ocr_used else OCR_HINT
        raise ScannedWithoutOcr(f"《{path.name}》共 {len(pages)} 页，但没有文字层（可能是扫描件或图片），无法提取文字。{hint}")
    # Laid out like a PDF: lines end where the page did, so they are joined like a PDF's.
    return LoadedFile(pages=pages, paged=True, file_type="ofd", hard_wrapped=True, ocr_used=ocr_used)


def _image_ids(archive: zipfile.ZipFile, parts: list[str]) -> list[str]:
    """ResourceIDs of the images drawn on a page, top to bottom."""
    objects = [obj for part in parts for obj in _xml(archive, part).iter("{*}ImageObject")]
    objects.sort(key=lambda obj: (_numbers(obj.get("Boundary")) + [0.0, 0.0])[1])
    return [obj.get("ResourceID") for obj in objects if obj.get("ResourceID")]


def _media(archive: zipfile.ZipFile) -> dict[str, str]:
    """Resource ID → the zip member of each image (MultiMedia/MediaFile in the resource files,
    whose BaseLoc names their folder)."""
    found: dict[str, str] = {}
    for name in archive.namelist():
        if not name.endswith(".xml") or "Res" not in posixpath.basename(name):
            continue
        root = _xml(archive, name)
        folder = _resolve(name, root.get("BaseLoc", "") + "/") if root.get("BaseLoc") else posixpath.dirname(name)
        for media in root.iter("{*}MultiMedia"):
            file = media.find("{*}MediaFile")
            if media.get("ID") and file is not None and file.text:
                location = file.text.strip()
                found[media.get("ID")] = (posixpath.normpath(location.lstrip("/")) if location.startswith("/")
                                          else posixpath.normpath(posixpath.join(folder, location)))
    return found


def _images(archive: zipfile.ZipFile, parts: list[str], media: dict[str, str]) -> list:
    from PIL import Image

    return [Image.open(io.BytesIO(archive.read(media[i]))) for i in _image_ids(archive, parts) if media.get(i) in archive.namelist()]


def _xml(archive: zipfile.ZipFile, name: str):
    return etree.fromstring(archive.read(name), _PARSER)


def _resolve(base: str, location: str) -> str:
    """A BaseLoc / DocRoot location: absolute from the package root, or relative to `base`'s folder."""
    location = location.strip()
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), location))


def _page_parts(path: Path, archive: zipfile.ZipFile) -> list[list[str]]:
    """For each page, the Content.xml parts drawn on it: its templates first, then the page."""
    if "OFD.xml" not in archive.namelist():
        raise CorruptFile(f"《{path.name}》不是有效的 OFD 文件：缺少 OFD.xml。")
    roots = list(_xml(archive, "OFD.xml").iterfind(".//{*}DocBody/{*}DocRoot"))
    if not roots:
        raise CorruptFile(f"《{path.name}》不是有效的 OFD 文件：OFD.xml 中没有 DocRoot。")
    pages: list[list[str]] = []
    for root_el in roots:
        document_name = _resolve("OFD.xml", root_el.text or "")
        if document_name not in archive.namelist():
            raise CorruptFile(f"《{path.name}》不是有效的 OFD 文件：缺少文档描述 {document_name}。")
        document = _xml(archive, document_name)
        templates = {t.get("ID"): _resolve(document_name, t.get("BaseLoc", ""))
                     for t in document.iterfind(".//{*}CommonData/{*}TemplatePage")}
        for page in document.iterfind(".//{*}Pages/{*}Page"):
            content = _resolve(document_name, page.get("BaseLoc", ""))
            page_root = _xml(archive, content)
            used = [templates[t.get("TemplateID")] for t in page_root.iterfind("{*}Template")
                    if t.get("TemplateID") in templates]
            pages.append([*used, content])
    return pages


def _page_text(archive: zipfile.ZipFile, parts: list[str]) -> str:
    pieces = [piece for part in parts for piece in _pieces(_xml(archive, part))]
    return "\n".join(_lines(pieces))


def _numbers(value: str | None) -> list[float]:
    return [float(v) for v in (value or "").split()]


def _advances(delta: str | None) -> list[float]:
    """DeltaX as a list of glyph advances; "g 3 2.5" stands for 2.5 three times."""
    tokens, out, i = (delta or "").split(), [], 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


def _pieces(page_root) -> list[_Piece]:
    """Each TextCode of a page as a positioned piece of text, in the order the file lists them."""
    pieces: list[_Piece] = []
    for obj in page_root.iter("{*}TextObject"):
        box = _numbers(obj.get("Boundary")) + [0.0] * 4
        size = float(obj.get("Size") or obj.get("size") or box[3] or 1.0)
        x = y = 0.0
        for code in obj.iterfind("{*}TextCode"):
            text = code.text or ""
            x = float(code.get("X", x))
            y = float(code.get("Y", y))
            gaps = max(len(text) - 1, 0)
            advances = (_advances(code.get("DeltaX")) + [size] * gaps)[:gaps]  # no DeltaX: full-width glyphs
            end = x + sum(advances) + size
            if text.strip():
                pieces.append(_Piece(box[1] + y, box[0] + x, box[0] + end, size, text))
            x = end
    return pieces


def _lines(pieces: list[_Piece]) -> list[str]:
    """Pieces on one baseline (within half a font size) make a line, left to right; lines top to bottom.

    Sorting is stable, so pieces at the same place keep the order of the file."""
    lines: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.baseline):
        if lines and abs(piece.baseline - lines[-1][0].baseline) <= max(piece.size, lines[-1][0].size) / 2:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    out = []
    for line in lines:
        text, right = "", None
        for piece in sorted(line, key=lambda p: p.x):
            if right is not None and piece.x - right > piece.size:  # a wide gap: a column or table cell
                text += " "
            text += piece.text
            right = piece.end if right is None else max(right, piece.end)
        out.append(text)
    return out
