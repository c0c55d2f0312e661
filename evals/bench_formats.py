"""What reading each file format costs: parse time of the same document as MD, PDF, OFD, DOC and WPS.

    python -m evals.bench_formats [--runs 3]

The demo reception measures (corpus/qingfeng_reception_measures_2024.md) and the fixtures made from
it (tests/data/formats/: a PDF, the OFD made from that PDF, a .doc and a .wps converted by
LibreOffice), each parsed `--runs` times with ingest.parse.parse_document; the median is reported
with the articles found. A .doc / .wps includes starting LibreOffice headless for the conversion.
Also: the PDF table reader (pdfplumber) on a page with a ruled table, made here from a DOCX.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "corpus/qingfeng_reception_measures_2024.md",
         *(ROOT / "tests/data/formats" / f"reception_measures_2024.{kind}" for kind in ("pdf", "ofd", "doc", "wps"))]


def timed(path: Path, runs: int) -> tuple[float, int]:
    from ingest.parse import parse_document

    data, times, articles = path.read_bytes(), [], 0
    for _ in range(runs):
        started = time.perf_counter()
        articles = len(parse_document(path, data).articles)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), articles


def table_pdf(folder: Path) -> Path:
    """A one-page PDF with a ruled 4 × 6 table (python-docx, then LibreOffice)."""
    import docx

    document = docx.Document()
    document.add_paragraph("第一条　综合定额标准如下：")
    table = document.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    for r, row in enumerate([["类别", "住宿费", "伙食费", "场地费", "其他", "合计"], ["一类", "500", "150", "80", "30", "760"],
                             ["二类", "400", "150", "70", "30", "650"], ["三类", "340", "130", "50", "30", "550"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("第二条　本办法自印发之日起施行。")
    document.save(folder / "table.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                    "--outdir", str(folder), str(folder / "table.docx")], check=True, capture_output=True, timeout=180)
    return folder / "table.pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| file | articles | parse, median ms |\n|:--|--:|--:|")
    for path in FILES:
        ms, articles = timed(path, args.runs)
        print(f"| {path.name} ({path.stat().st_size // 1024} KB) | {articles} | {ms:,.0f} |")
    with tempfile.TemporaryDirectory() as folder:
        pdf = table_pdf(Path(folder))
        ms, _ = timed(pdf, args.runs)
        from pypdf import PdfReader

        from ingest.loaders.pdf_tables import pages_with_tables

        started = time.perf_counter()
        found = pages_with_tables(pdf.read_bytes(), list(range(len(PdfReader(pdf).pages))))
        tables_ms = (time.perf_counter() - started) * 1000
        print(f"| ruled table page (PDF, {len(found)} page with a table) | 2 | {ms:,.0f} (of which pdfplumber ≈{tables_ms:,.0f}) |")


if __name__ == "__main__":
    main()
