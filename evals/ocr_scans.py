"""OCR on synthetic scans: label sequence and character accuracy against the PDF's own text layer.

    python -m evals.ocr_scans [--pages 2] [--quick] [--shared ../shared/corpus/pdf]

Sources: the PDFs in ../shared/corpus/pdf (read in place) and the demo documents corpus/*.md, laid
out as Word files (with a running header and a "— N —" page number) and turned into PDF by
LibreOffice in a temporary folder. The first `--pages` pages of each are rendered with pypdfium2,
degraded (seeded), saved as image-only PDFs and parsed through the product path
(`parse_document`, which OCRs pages without a text layer). The reference is the text-layer parse
of the same pages.

- **labels exact**: documents whose sequence of article / outline item labels (第X条, 一、, （二）)
  equals the reference's; **labels in order**: matched / reference labels (difflib).
- **char accuracy**: 1 − CER, whitespace removed, on the normalised document text.
- **s/page**: the whole parse of the scan, OCR included, per page.

Degradations: clean; skew (±0.5–3°); noise (gaussian, σ 12); blur (radius 0.8); jpeg (quality
30–60); mixed (all of these, plus a grey background and lower contrast). Every dpi gets `mixed`;
each single degradation is run at 200 dpi.
"""

from __future__ import annotations

import argparse
import difflib
import io
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from ingest.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent
SHARED_PDF = ROOT.parent / "shared" / "corpus" / "pdf"
DEMO = ROOT / "corpus"
KINDS = ("clean", "skew", "noise", "blur", "jpeg", "mixed")


@dataclass
class Source:
    name: str
    group: str  # "shared" or "demo"
    pdf: bytes


def demo_pdfs(folder: Path) -> list[Source]:
    """corpus/*.md as Word files (header, page numbers) → PDF with LibreOffice."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    if not shutil.which("soffice"):
        raise SystemExit("需要 LibreOffice（soffice）把示例文件转为 PDF。")
    paths = []
    for md in sorted(DEMO.glob("qingfeng_*.md")):
        lines = [re.sub(r"^#+\s*", "", line).strip() for line in md.read_text(encoding="utf-8").splitlines()]
        doc = Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        style = doc.styles["Normal"]
        style.font.name, style.font.size = "WenQuanYi Micro Hei", Pt(13)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "WenQuanYi Micro Hei")
        for line in filter(None, lines):
            doc.add_paragraph(line)
        section.header.paragraphs[0].text = lines[0]
        section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("— ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        footer._p.append(field)
        footer.add_run(" —")
        path = folder / f"{md.stem}.docx"
        doc.save(path)
        paths.append(path)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)
    return [Source(p.stem, "demo", p.with_suffix(".pdf").read_bytes()) for p in paths]


def first_pages(pdf: bytes, pages: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(pdf: bytes, dpi: int) -> list[Image.Image]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    return [document[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(document))]


def degrade(image: Image.Image, kind: str, rng: random.Random) -> Image.Image:
    if kind == "clean":
        return image
    both = kind == "mixed"
    if both:  # a greyish, lower-contrast sheet
        image = image.point(lambda v: 45 + v * 0.72)
    if kind == "skew" or both:
        angle = rng.uniform(0.5, 3.0) * rng.choice((-1, 1))
        image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=image.getpixel((5, 5)))
    if kind == "blur" or both:
        image = image.filter(ImageFilter.GaussianBlur(0.8))
    if kind == "noise" or both:
        pixels = np.asarray(image, dtype=np.float32)
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 12, pixels.shape)
        image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    if kind == "jpeg" or both:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=rng.randint(30, 60))
        image = Image.open(io.BytesIO(buffer.getvalue()))
    return image


def image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def labels(doc) -> list[str]:
    return [u.label for u in doc.units if u.kind in ("article", "item")]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions by a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    codes_b = np.array([ord(c) for c in b])
    offsets = np.arange(len(b) + 1)
    row = offsets.copy()
    for i, char in enumerate(a, start=1):
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + (codes_b != ord(char)))
        row = np.minimum.accumulate(best - offsets) + offsets
    return int(row[-1])


def measure(source: Source, pages: int, dpi: int, kind: str, seed: int) -> dict:
    original = first_pages(source.pdf, pages)
    path = Path(f"{source.name}.pdf")
    reference = parse_document(path, original)
    rng = random.Random(f"{seed}/{source.name}/{dpi}/{kind}")
    images = [degrade(image, kind, rng) for image in render(original, dpi)]
    scan = image_pdf(images, dpi)
    started = time.perf_counter()
    doc = parse_document(path, scan)
    seconds = time.perf_counter() - started
    want, got = labels(reference), labels(doc)
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    truth = squash(reference.text)
    return {
        "source": source.name, "group": source.group, "dpi": dpi, "kind": kind, "pages": len(images),
        "exact": want == got, "labels": len(want), "matched": matched, "ocr_used": doc.ocr_used,
        "chars": len(truth), "errors": edit_distance(truth, squash(doc.text)), "seconds": seconds,
        "want": want, "got": got,
    }


def table(rows: list[dict], key) -> list[str]:
    out = ["| group | dpi | degradation | docs | pages | labels exact | labels in order | char accuracy | s/page | pages/s |",
           "|:--|:--|:--|:--|:--|:--|:--|:--|:--|:--|"]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    for (group, dpi, kind), runs in groups.items():
        pages = sum(r["pages"] for r in runs)
        seconds = sum(r["seconds"] for r in runs)
        exact = sum(r["exact"] for r in runs)
        in_order = sum(r["matched"] for r in runs) / max(1, sum(r["labels"] for r in runs))
        accuracy = 1 - sum(r["errors"] for r in runs) / sum(r["chars"] for r in runs)
        out.append(f"| {group} | {dpi} | {kind} | {len(runs)} | {pages} | {exact}/{len(runs)} | {in_order:.3f} | "
                   f"{accuracy:.3f} | {seconds / pages:.2f} | {pages / seconds:.2f} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="pages per document (from the first)")
    parser.add_argument("--quick", action="store_true", help="1 page per document, 200 dpi, mixed only")
    parser.add_argument("--shared", type=Path, default=SHARED_PDF)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="print the label sequences that differ")
    args = parser.parse_args()
    runs = [(200, "mixed")] if args.quick else [(150, "mixed"), (200, "mixed"), (300, "mixed")] + [
        (200, kind) for kind in KINDS if kind != "mixed"]
    pages = 1 if args.quick else args.pages

    with tempfile.TemporaryDirectory() as tmp:
        sources = [Source(p.stem, "shared", p.read_bytes()) for p in sorted(args.shared.glob("*.pdf"))]
        sources += demo_pdfs(Path(tmp))
    rows = []
    started = time.perf_counter()
    for dpi, kind in runs:
        for source in sources:
            row = measure(source, pages, dpi, kind, args.seed)
            rows.append(row)
            mark = "ok" if row["exact"] else "DIFF"
            print(f"  {dpi} {kind:6} {source.name:42} {mark:4} labels {row['matched']}/{row['labels']} "
                  f"chars {1 - row['errors'] / row['chars']:.3f}  {row['seconds']:.1f} s", flush=True)
            if args.verbose and not row["exact"]:
                print(f"      want {row['want']}\n      got  {row['got']}")
    print(f"\n{len(sources)} documents, ≤{pages} pages each, seed {args.seed}, "
          f"{time.perf_counter() - started:.0f} s in all\n")
    print("\n".join(table(rows, lambda r: (r["group"], r["dpi"], r["kind"]))))
    print("\n".join(table(rows, lambda r: ("both", r["dpi"], r["kind"]))[2:]))
    if not all(r["ocr_used"] for r in rows):
        raise SystemExit("某些扫描件没有经过 OCR。")


if __name__ == "__main__":
    main()
