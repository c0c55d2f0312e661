"""Regenerate the OFD / DOC / WPS fixtures of tests/test_office_formats.py from a demo document.

Not run by the tests. Needs LibreOffice (`soffice`, Debian: apt-get install libreoffice-writer-nogui
fonts-wqy-microhei) and, for the OFD, easyofd in a scratch venv that is NOT a project dependency
(easyofd pulls PyMuPDF, which is AGPL):

    python3 -m venv /tmp/ofdvenv && /tmp/ofdvenv/bin/pip install easyofd
    .venv/bin/python tests/data/formats/make_fixtures.py

Route: corpus/qingfeng_reception_measures_2024.md (written by the team, 示例) → .docx (python-docx,
one paragraph a line) → .pdf, .doc and .wps (soffice) → .ofd (easyofd `pdf2ofd`, run in the scratch venv).

The .wps: LibreOffice has no filter of its own for Kingsoft WPS 文字, and none that writes it. Its
Word 97–2003 file type lists both extensions (writer.xcd: writer_MS_Word_97, Extensions "doc wps"):
a .wps from WPS 文字 is an OLE compound file in (largely) the Word 97 binary layout, read with that
filter. So `--convert-to wps` writes a Word 97 binary under the .wps suffix, and that is the fixture
(not a file saved by Kingsoft WPS). Reading, LibreOffice detects the content, not the suffix
(Microsoft Works files share the suffix and have import filters of their own).
reception_measures_2020.doc (from corpus/qingfeng_reception_measures_2020.md, the earlier version) is
a .doc that replaces another in the store.
The intermediate PDF is kept: the test pins each article's OFD page to the page it had in the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2] / "corpus"
SOURCE = CORPUS / "qingfeng_reception_measures_2024.md"
STEM = "reception_measures_2024"
EARLIER = CORPUS / "qingfeng_reception_measures_2020.md"
OFDVENV_PYTHON = Path("/tmp/ofdvenv/bin/python")

PDF_TO_OFD = """
import sys
from easyofd.ofd import OFD
pdf = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(OFD().pdf2ofd(pdf, optional_text=True))
"""


def write_docx(source: Path, target: Path) -> None:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("# "):
            document.add_heading(line[2:], level=1)
        elif line.startswith("## "):
            document.add_heading(line[3:], level=2)
        else:
            document.add_paragraph(line)
    document.save(target)


def soffice_convert(source: Path, to: str, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", to, "--outdir", str(outdir), str(source)],
            check=True, capture_output=True, timeout=180,
        )
    return outdir / f"{source.stem}.{to.split(':')[0]}"


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        docx_path = work / f"{STEM}.docx"
        write_docx(SOURCE, docx_path)
        pdf = soffice_convert(docx_path, "pdf", work)
        doc = soffice_convert(docx_path, "doc:MS Word 97", work)
        shutil.copyfile(pdf, HERE / f"{STEM}.pdf")
        shutil.copyfile(doc, HERE / f"{STEM}.doc")
        wps = soffice_convert(docx_path, "wps", work)
        shutil.copyfile(wps, HERE / f"{STEM}.wps")
        earlier = work / "reception_measures_2020.docx"
        write_docx(EARLIER, earlier)
        shutil.copyfile(soffice_convert(earlier, "doc:MS Word 97", work), HERE / "reception_measures_2020.doc")
        ofd = work / f"{STEM}.ofd"
        # easyofd writes a scratch folder ./test into the working directory, and prints a great deal.
        subprocess.run([str(OFDVENV_PYTHON), "-c", PDF_TO_OFD, str(pdf), str(ofd)], cwd=work, check=True,
                       capture_output=True)
        shutil.copyfile(ofd, HERE / ofd.name)
    for path in sorted(HERE.glob("reception_measures_*")):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
