"""OFD, legacy Word (.doc) and WPS 文字 (.wps) files, read for real: the fixtures in tests/data/formats
were made from the demo document corpus/qingfeng_reception_measures_2024.md (make_fixtures.py) and
must give exactly its articles; .doc and .wps go through the installed LibreOffice."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ingest.errors import ConversionFailed, ConverterMissing, CorruptFile, ScannedWithoutOcr
from ingest.loaders import load_file
from ingest.parse import parse_document
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import DEMO_CORPUS, ROOT

FORMATS = ROOT / "tests/data/formats"
SOURCE = DEMO_CORPUS / "qingfeng_reception_measures_2024.md"
OFD = FORMATS / "reception_measures_2024.ofd"
DOC = FORMATS / "reception_measures_2024.doc"
WPS = FORMATS / "reception_measures_2024.wps"
PDF = FORMATS / "reception_measures_2024.pdf"  # the PDF the OFD was made from
EARLIER_DOC = FORMATS / "reception_measures_2020.doc"  # corpus/qingfeng_reception_measures_2020.md
# The page of each of the 26 articles in that PDF (and so in the OFD).
PDF_PAGES = [1] * 6 + [2] * 7 + [3] * 6 + [4] * 7


def parse(path: Path):
    return parse_document(path, path.read_bytes())


def articles(doc) -> list[tuple[str, str]]:
    return [(a.label, re.sub(r"\s+", "", a.text)) for a in doc.articles]


@pytest.fixture(scope="module")
def source_articles() -> list[tuple[str, str]]:
    found = articles(parse(SOURCE))
    assert len(found) == 26 and found[0][0] == "第一条" and found[-1][0] == "第二十六条"
    return found


def test_fixtures_are_small():
    for path in (OFD, DOC, WPS, PDF):
        assert path.stat().st_size < 200 * 1024, path


def test_ofd_gives_the_articles_of_its_source_on_the_pages_of_its_pdf(source_articles):
    doc = parse(OFD)
    assert doc.file_type == "ofd" and doc.meta.title == "清风区党政机关公务接待管理办法（示例）"
    assert articles(doc) == source_articles
    pdf = parse(PDF)
    assert articles(pdf) == source_articles and [a.page_start for a in pdf.articles] == PDF_PAGES
    assert doc.page_count == 4
    assert [a.page_start for a in doc.articles] == PDF_PAGES
    # 第六条's items run over to page 2 in the PDF; the OFD says so too.
    sixth = doc.articles[5]
    assert (sixth.label, sixth.page_start, sixth.page_end) == ("第六条", 1, 2)


def test_doc_and_wps_give_the_articles_of_their_source(source_articles):
    # Converted at the same time: each conversion has a LibreOffice profile of its own.
    with ThreadPoolExecutor(2) as pool:
        doc, wps = pool.map(parse, [DOC, WPS])
    assert doc.file_type == "doc" and wps.file_type == "wps"
    assert articles(doc) == source_articles
    assert articles(wps) == source_articles
    assert doc.meta.title == wps.meta.title == "清风区党政机关公务接待管理办法（示例）"


def fingerprints(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.mark.parametrize("fixture", [OFD, DOC, WPS], ids=lambda p: p.suffix)
def test_ingest_stores_the_document_with_its_type_and_never_changes_the_original(tmp_path: Path, fixture: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    original = folder / f"接待办法{fixture.suffix}"
    shutil.copyfile(fixture, original)
    before = fingerprints(folder)
    with Store(tmp_path / "index") as store:
        report = ingest_paths([folder], store)
        assert [(r.status, r.articles) for r in report.results] == [("added", 26)], report.results
        (row,) = store.documents()
        assert row.source == str(original) and row.title == "清风区党政机关公务接待管理办法（示例）"
        doc = store.document(row.doc_id)
        assert doc.file_type == fixture.suffix[1:] and len(doc.articles) == 26
        assert doc.articles[13].label == "第十四条" and "陪餐人员不得超过3人" in doc.articles[13].text.replace(" ", "")
    assert fingerprints(folder) == before  # the original untouched, nothing written beside it


def test_one_document_as_ofd_and_doc_is_kept_once_and_the_doc_is_the_copy_shown(tmp_path: Path):
    for path in (OFD, DOC):
        shutil.copyfile(path, tmp_path / f"接待办法{path.suffix}")
    with Store(tmp_path / "index") as store:
        report = ingest_paths([tmp_path / "接待办法.ofd", tmp_path / "接待办法.doc"], store)
        assert [r.status for r in report.results] == ["added", "duplicate"] or [r.status for r in report.results] == [
            "duplicate", "added"], report.results
        (shown,) = store.documents()
        assert shown.source.endswith("接待办法.doc") and len(shown.paths) == 2


def test_without_libreoffice_a_doc_is_refused_with_how_to_install_and_nothing_stored_is_lost(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "接待办法.doc"
    shutil.copyfile(EARLIER_DOC, doc)
    shutil.copyfile(DEMO_CORPUS / "qingfeng_family_events_reporting_rules_2023.md", folder / "报告规定.md")
    with Store(tmp_path / "index") as store:
        first = ingest_paths([folder], store)
        assert [r.status for r in first.results] == ["added", "added"]
        kept = store.file(str(doc.resolve()))
        kept_articles = len(store.document(kept.doc_id).articles)

        shutil.copyfile(DOC, doc)  # the .doc is replaced by the 2024 version, and LibreOffice is gone
        monkeypatch.setenv("QINGFENG_SOFFICE", "/nonexistent/soffice")
        again = ingest_paths([folder], store)
        result = next(r for r in again.results if r.source.endswith(".doc"))
        assert result.status == "error"
        for words in ("《接待办法.doc》", "LibreOffice", "/nonexistent/soffice", "apt-get install libreoffice-writer-nogui",
                      "原有内容保留不变"):
            assert words in result.message, result.message
        assert next(r for r in again.results if r.source.endswith(".md")).status == "unchanged"
        assert store.file(str(doc.resolve())).doc_id == kept.doc_id
        assert len(store.document(kept.doc_id).articles) == kept_articles > 0
        assert "2020" in store.document(kept.doc_id).meta.version
        assert store.counts()["documents"] == 2

    with pytest.raises(ConverterMissing, match="《新文件.wps》是WPS 文字文件"):
        load_file(Path("新文件.wps"), WPS.read_bytes())


def test_a_conversion_past_its_time_limit_is_stopped(monkeypatch):
    monkeypatch.setenv("QINGFENG_CONVERT_TIMEOUT", "0.01")  # LibreOffice cannot even start in 10 ms
    with pytest.raises(ConversionFailed) as caught:
        load_file(Path("慢文件.doc"), DOC.read_bytes())
    assert "《慢文件.doc》转换超时" in caught.value.message and "0.01 秒" in caught.value.message


@pytest.mark.parametrize("name, data", [
    ("假文件.doc", b"PK\x03\x04 a zip renamed to .doc"),
    ("假文件.wps", "第一条 纯文本改了扩展名。".encode()),
    ("截断.doc", DOC.read_bytes()[:4]),
])
def test_a_doc_or_wps_that_is_no_ole_file_is_corrupt(name, data):
    with pytest.raises(CorruptFile) as caught:
        load_file(Path(name), data)
    assert f"《{name}》不是有效的" in caught.value.message and "复合文档" in caught.value.message


def test_an_ole_file_libreoffice_cannot_read_is_corrupt():
    data = DOC.read_bytes()[:512] + bytes(4096)  # the header of a Word file, then nothing
    with pytest.raises(CorruptFile, match="《坏文件.doc》无法由 LibreOffice 转换，文件可能已损坏"):
        load_file(Path("坏文件.doc"), data)


# OFD built here, as other writers make them: the standard namespace, absolute and relative
# locations, a template page with a running header, pieces listed out of reading order.

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def text_object(x: float, y: float, text: str, *, size: float = 4.0, codes: str | None = None) -> str:
    codes = codes or f'<ofd:TextCode X="0" Y="{size}" DeltaX="g {len(text) - 1} {size}">{text}</ofd:TextCode>'
    return (f'<ofd:TextObject ID="1" Font="2" Size="{size}" Boundary="{x} {y} {size * len(text)} {size}">'
            f"{codes}</ofd:TextObject>")


def ofd_package(pages: list[str], template: str | None = None, *, drop: str | None = None) -> bytes:
    """An OFD with one Content.xml a page (`pages`: the TextObject / ImageObject XML of each)."""
    parts = {
        "OFD.xml": f'<ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID>'
                   "</ofd:DocInfo><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": (
            f"<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>9</ofd:MaxUnitID>"
            '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
            + ('<ofd:TemplatePage ID="5" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else "")
            + "</ofd:CommonData><ofd:Pages>"
            + "".join(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
            + "</ofd:Pages></ofd:Document>"),
    }
    for n, body in enumerate(pages):
        uses = '<ofd:Template TemplateID="5" ZOrder="Background"/>' if template else ""
        parts[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<ofd:Page {NS}>{uses}<ofd:Content><ofd:Layer ID="3">{body}</ofd:Layer></ofd:Content></ofd:Page>')
    if template:
        parts["Doc_0/Tpls/Tpl_0/Content.xml"] = (
            f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="4">{template}</ofd:Layer></ofd:Content></ofd:Page>')
    return zip_of({name: '<?xml version="1.0" encoding="UTF-8"?>' + xml for name, xml in parts.items() if name != drop})


def zip_of(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_ofd_text_is_put_in_reading_order_by_position():
    page_1 = "".join([
        text_object(30, 40, "第二条 本办法自印发之日起施行。"),
        # one object, two codes: the second code on the next line
        text_object(30, 20, "", codes='<ofd:TextCode X="0" Y="4" DeltaX="g 5 4">某单位接待办法</ofd:TextCode>'
                                      '<ofd:TextCode X="0" Y="14">第一条 为规范接待，</ofd:TextCode>'),
        text_object(70, 30.3, "制定本办法。"),  # the rest of 第一条's line, a little off its baseline
        text_object(150, 40, "（注）"),  # far to the right of 第二条: a column of its own
    ])
    page_2 = text_object(30, 20, "第三条 本办法由办公室负责解释。")
    header = text_object(30, 8, "某单位文件")
    data = ofd_package([page_1, page_2], template=header)
    loaded = load_file(Path("接待办法.ofd"), data)
    assert loaded.file_type == "ofd" and loaded.paged
    assert loaded.pages == [
        "某单位文件\n某单位接待办法\n第一条 为规范接待，制定本办法。\n第二条 本办法自印发之日起施行。 （注）",
        "某单位文件\n第三条 本办法由办公室负责解释。",
    ]
    doc = parse_document(Path("接待办法.ofd"), data)
    assert [(a.label, a.page_start) for a in doc.articles] == [("第一条", 1), ("第二条", 1), ("第三条", 2)]


def test_an_ofd_of_images_only_says_it_has_no_text():
    image = '<ofd:ImageObject ID="7" ResourceID="8" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
    with pytest.raises(ScannedWithoutOcr) as caught:
        load_file(Path("扫描件.ofd"), ofd_package([image, image]))
    assert "《扫描件.ofd》共 2 页，但没有文字层" in caught.value.message


@pytest.mark.parametrize("name, data, words", [
    ("截断.ofd", OFD.read_bytes()[: OFD.stat().st_size // 2], "不是有效的压缩包格式文档"),
    ("不是压缩包.ofd", b"%PDF-1.7 a PDF renamed to .ofd", "不是有效的压缩包格式文档"),
    ("无入口.ofd", ofd_package([text_object(0, 0, "第一条 示例。")], drop="OFD.xml"), "缺少 OFD.xml"),
    ("缺文档.ofd", ofd_package([text_object(0, 0, "第一条 示例。")], drop="Doc_0/Document.xml"), "缺少文档描述"),
    ("缺页面.ofd", ofd_package([text_object(0, 0, "第一条 示例。")], drop="Doc_0/Pages/Page_0/Content.xml"), "内部结构已损坏"),
    ("坏XML.ofd", zip_of({"OFD.xml": "<ofd:OFD><ofd:DocBody>"}), "内部结构已损坏"),
])
def test_a_corrupt_ofd_is_refused_naming_the_file(name, data, words):
    with pytest.raises(CorruptFile) as caught:
        load_file(Path(name), data)
    assert f"《{name}》" in caught.value.message and words in caught.value.message, caught.value.message


def test_a_scanned_ofd_is_read_by_ocr():
    """An OFD of page images (a scan), its images in a resource file as writers store them: the
    first page of the fixture PDF rendered at 200 dpi reads back with that page's articles."""
    from evals.ocr_scans import render

    image = render(PDF.read_bytes(), 200)[0]
    png = io.BytesIO()
    image.save(png, "PNG")
    page = '<ofd:ImageObject ID="7" ResourceID="8" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
    parts = {name: archive_text for name, archive_text in _parts(ofd_package([page]))}
    parts["Doc_0/DocumentRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:MultiMedias>'
                                      '<ofd:MultiMedia ID="8" Type="Image"><ofd:MediaFile>Image_8.png</ofd:MediaFile>'
                                      "</ofd:MultiMedia></ofd:MultiMedias></ofd:Res>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("Doc_0/Res/Image_8.png", png.getvalue())
    doc = parse_document(Path("扫描件.ofd"), buffer.getvalue())
    first_page = [a.label for a in parse_document(PDF, PDF.read_bytes()).articles if a.page_start == 1]
    assert doc.ocr_used and doc.file_type == "ofd"
    assert [a.label for a in doc.articles] == first_page


def _parts(data: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name).decode("utf-8")) for name in archive.namelist()]
