"""Each kind of bad input gets a clear Chinese message naming the file; the rest of the batch
ingests and nothing already stored is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter

from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import ROOT, SHARED_CORPUS

GOOD = SHARED_CORPUS / "texts/official_reception_rules_2013.md"
PDF = SHARED_CORPUS / "pdf/civil_servant_law_2018.pdf"


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A real 'scan': pages of the civil-servant-law PDF rendered to images, saved as image-only PDF."""
    pdf = pypdfium2.PdfDocument(str(PDF))
    images = [pdf[i].render(scale=2).to_pil().convert("L") for i in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=144)
    return path


def result_for(report, name: str):
    return next(r for r in report.results if Path(r.source).name == name)


def test_bad_files_in_one_batch(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.md")
    # encrypted PDF (with an open password)
    writer = PdfWriter(clone_from=PdfReader(PDF))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    writer.write(folder / "encrypted.pdf")
    # corrupt and truncated files
    (folder / "truncated.pdf").write_bytes(PDF.read_bytes()[: 4000])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    # empty and whitespace-only files
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("\n\u3000\u3000\n  \n", encoding="utf-8")
    # a .doc that is no Word 97 file (LibreOffice is never asked)
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy word")
    # unsupported types
    (folder / "sheet.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 WPS spreadsheet")
    (folder / "picture.xyz").write_bytes(b"xyz")
    with Store(tmp_path / "index") as store:
        report = ingest_paths([folder], store)
        assert result_for(report, "good.md").status == "added"
        expected = {
            "encrypted.pdf": "已设置打开密码",
            "truncated.pdf": "损坏",
            "garbage.pdf": "损坏",
            "broken.docx": "损坏",
            "empty.txt": "空文件",
            "blank.md": "空文件",
            "old.doc": "不是有效的旧版 Word 文件",
        }
        for name, words in expected.items():
            result = result_for(report, name)
            assert result.status == "error" and words in result.message and name in result.message, result
        # A folder walk reports unsupported types as not imported, with the reason (issue 15: nothing is
        # skipped in silence); given by name they are refused with a reason.
        assert result_for(report, "sheet.et").status == "skipped"
        assert "WPS 表格文件不是可导入的文档" in result_for(report, "sheet.et").message
        assert result_for(report, "picture.xyz").status == "skipped"
        assert "不支持的文件类型（.xyz）" in result_for(report, "picture.xyz").message
        report = ingest_paths([folder / "sheet.et", folder / "picture.xyz", folder / "good.md"], store)
        assert "WPS 表格文件不是可导入的文档" in result_for(report, "sheet.et").message
        assert "不受支持" in result_for(report, "picture.xyz").message
        assert result_for(report, "good.md").status == "unchanged"
        assert store.counts()["documents"] == 1


def test_a_stored_file_that_turns_bad_keeps_its_old_content(tmp_path: Path):
    path = tmp_path / "law.pdf"
    shutil.copy(PDF, path)
    with Store(tmp_path / "index") as store:
        ingest_paths([path], store)
        before = store.counts()
        path.write_bytes(PDF.read_bytes()[:3000])
        report = ingest_paths([path], store)
        assert report.results[0].status == "error" and "原有内容保留不变" in report.results[0].message
        assert store.counts() == before and before["articles"] == 113


def test_duplicate_content_is_stored_once(tmp_path: Path):
    (tmp_path / "a").mkdir()
    shutil.copy(GOOD, tmp_path / "a" / "接待规定.md")
    shutil.copy(GOOD, tmp_path / "a" / "接待规定（副本）.md")
    with Store(tmp_path / "index") as store:
        report = ingest_paths([tmp_path / "a"], store)
        statuses = sorted(r.status for r in report.results)
        assert statuses == ["added", "duplicate"]
        duplicate = next(r for r in report.results if r.status == "duplicate")
        assert "内容相同" in duplicate.message
        assert store.counts()["documents"] == 1 and store.counts()["files"] == 2
        # Removing the first copy keeps the document, now found under the other name.
        (tmp_path / "a" / "接待规定.md").unlink()
        ingest_paths([tmp_path / "a"], store)
        assert store.counts()["documents"] == 1
        assert store.documents()[0].source.endswith("接待规定（副本）.md")


def test_file_over_the_size_limit(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text(GOOD.read_text(encoding="utf-8") * 200, encoding="utf-8")  # ~1.8 MB
    with Store(tmp_path / "index") as store:
        report = ingest_paths([big, GOOD], store, max_file_mb=1)
        result = result_for(report, "big.txt")
        assert result.status == "error" and "超过上限 1 MB" in result.message
        assert result_for(report, GOOD.name).status == "added"


def test_paths_that_cannot_be_read(tmp_path: Path):
    missing = tmp_path / "不存在.pdf"
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "gone.md")
    not_a_file = tmp_path / "fifo.md"
    os.mkfifo(not_a_file)
    with Store(tmp_path / "index") as store:
        report = ingest_paths([missing, dangling, not_a_file, GOOD], store)
        assert "找不到文件" in result_for(report, "不存在.pdf").message
        assert "失效的链接" in result_for(report, "dangling.md").message
        assert "不是普通文件" in result_for(report, "fifo.md").message
        assert result_for(report, GOOD.name).status == "added"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_file_without_read_permission(tmp_path: Path):
    locked = tmp_path / "locked.md"
    shutil.copy(GOOD, locked)
    locked.chmod(0)
    with Store(tmp_path / "index") as store:
        result = ingest_paths([locked], store).results[0]
        assert result.status == "error" and "无法读取" in result.message


def test_hostile_file_names_are_kept_as_text(tmp_path: Path):
    names = ["-rf --all.md", "<script>alert(1)<script>.md", "a'b\"c;rm -rf.md", "空 格　全角.md", "换行\n名.md"]
    for name in names:
        (tmp_path / name).write_text(f"示例{len(name)}\n第一条 {name}用于测试。\n第二条 自印发之日起施行。", encoding="utf-8")
    with Store(tmp_path / "index") as store:
        report = ingest_paths([tmp_path], store)
        assert sorted(Path(r.source).name for r in report.results if r.status == "added") == sorted(names)


def test_html_inside_a_document_stays_text(tmp_path: Path):
    path = tmp_path / "含脚本.md"
    path.write_text("示例文件\n第一条 <script>alert('x')</script>不得执行。\n第二条 <b>加粗</b>照原文保存。", encoding="utf-8")
    with Store(tmp_path / "index") as store:
        ingest_paths([path], store)
        texts = [n.text for n in store.nodes()]
        assert "第一条 <script>alert('x')</script>不得执行。" in texts


def test_scanned_pdf_is_read_with_ocr(tmp_path: Path):
    path = scanned_pdf(tmp_path / "扫描件.pdf")
    with Store(tmp_path / "index") as store:
        result = ingest_paths([path], store).results[0]
        assert result.status == "added" and "OCR" in result.message
        doc = store.document(result.doc_id)
        assert doc.ocr_used and doc.meta.title.startswith("中华人民共和国公务员法")
        numbers = [a.number for a in doc.articles]
        assert numbers[:3] == [1, 2, 3] and len(numbers) >= 10
        assert doc.articles[0].page_start == 1 and doc.articles[-1].page_start == 2


def test_scanned_pdf_without_ocr_gets_a_clear_message(tmp_path: Path):
    """OCR is an optional extra: run the CLI with rapidocr made unimportable, as if not installed."""
    path = scanned_pdf(tmp_path / "扫描件.pdf", pages=1)
    code = (
        "import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
        "from assistant.cli.commands import app\n"
        f"app(['ingest', {str(path)!r}, '--index', {str(tmp_path / 'index')!r}])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1  # every file failed
    assert "扫描件" in run.stdout and "没有文字层" in run.stdout and "qingfeng[ocr]" in run.stdout


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path):
    """Many official PDFs restrict printing/copying but open without a password: read them."""
    writer = PdfWriter(clone_from=PdfReader(PDF))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    with Store(tmp_path / "index") as store:
        result = ingest_paths([path], store).results[0]
        assert result.status == "added" and result.articles == 113
