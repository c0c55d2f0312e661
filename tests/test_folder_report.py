"""Nothing is skipped in silence (issue 15): every file of a folder ingest is reported with its
outcome, the exit status says when something failed, `inspect` on a folder says it takes a file,
and a small .docx that would unpack into too much is refused before it is unpacked."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx

from tests.conftest import DEMO_CORPUS, ROOT

ENV = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli.commands", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=300)


def bomb_docx(paragraphs: int) -> bytes:
    """A real .docx whose document.xml repeats one paragraph: small packed, huge unpacked."""
    document = docx.Document()
    document.add_paragraph("第一条 示例。")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"</w:body>")
                para = b"<w:p><w:r><w:t>" + "第一条 重复的段落。".encode() * 20 + b"</w:t></w:r></w:p>"
                data = head.replace(b"<w:body>", b"<w:body>" + para * paragraphs) + b"</w:body>" + tail
            target.writestr(item, data)
    return out.getvalue()


def test_every_file_of_a_folder_is_reported(tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(DEMO_CORPUS, folder)
    others = {"旧文件.doc": b"x", "公文.ofd": b"PK\x03\x04", "稿子.wps": b"x", "表格.et": b"x", "..evil.md": "第一条 隐藏。".encode(),
              "压缩包.zip": b"PK\x03\x04", "炸弹.docx": bomb_docx(200_000)}
    for name, data in others.items():
        (folder / name).write_bytes(data)
    done = cli("ingest", str(folder), "--index", str(tmp_path / "index"))
    out = " ".join(done.stdout.split())
    assert done.returncode == 1, out  # files failed
    for name in [p.name for p in DEMO_CORPUS.glob("qingfeng_*.md")]:
        assert f"已入库 {folder / name}" in out
    # .doc / .wps / .ofd are read now: these are broken ones, each failing with its reason
    assert f"失败 {folder / '旧文件.doc'}" in out and "《旧文件.doc》不是有效的旧版 Word 文件" in out
    assert f"失败 {folder / '公文.ofd'}" in out and "《公文.ofd》不是有效的压缩包格式文档" in out
    assert f"失败 {folder / '稿子.wps'}" in out and "《稿子.wps》不是有效的WPS 文字文件" in out
    assert f"未导入 {folder / '表格.et'} WPS 表格文件不是可导入的文档" in out
    assert f"未导入 {folder / '..evil.md'} 以“.”开头的隐藏文件" in out
    assert f"未导入 {folder / '压缩包.zip'} 不支持的文件类型（.zip）" in out
    assert f"未导入 {folder / 'README.md'} 文件夹说明文件" in out
    assert f"失败 {folder / '炸弹.docx'}" in out and "可能是压缩炸弹" in out
    assert "已入库 5，未导入 4，失败 4" in out

    again = cli("ingest", str(folder), "--index", str(tmp_path / "index"))
    assert sum(line.startswith(f"未变化，跳过 {folder}") for line in again.stdout.splitlines()) == 5
    assert "未变化，跳过 5，未导入 4，失败 4" in again.stdout


def test_a_folder_with_nothing_to_import_exits_1(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.et").write_bytes(b"x")
    (folder / "b.xyz").write_bytes(b"x")
    done = cli("ingest", str(folder), "--index", str(tmp_path / "index"))
    assert done.returncode == 1 and "没有可导入的文档" in done.stderr and done.stdout.count("未导入") >= 2


def test_inspect_on_a_folder_says_it_takes_a_file(tmp_path):
    done = cli("inspect", str(DEMO_CORPUS))
    said = re.sub(r"[│╭╮╰╯─\s]", "", done.stderr)  # the usage error's box, wrapped
    assert done.returncode == 2 and "inspect只检查单个文件" in said and "Traceback" not in done.stderr


def test_a_docx_that_unpacks_too_far_is_refused_at_once(tmp_path):
    from ingest.errors import FileTooLarge
    from ingest.parse import parse_document

    for paragraphs, words in ((200_000, "解压后有"), (60_000, "压缩比异常")):
        data = bomb_docx(paragraphs)
        assert len(data) < 600 * 1024
        started = time.perf_counter()
        try:
            parse_document(Path("炸弹.docx"), data)
        except FileTooLarge as exc:
            assert words in exc.message and "未导入" in exc.message
        else:
            raise AssertionError("a zip bomb was parsed")
        assert time.perf_counter() - started < 2
