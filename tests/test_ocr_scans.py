"""A skewed, noisy, JPEG-degraded scan reads back with the same articles as the PDF's text layer.

Real OCR (RapidOCR), no mocks: one page of the civil-servant-law PDF rendered at 200 dpi, turned
2.5° clockwise, on a grey sheet with noise and JPEG artefacts, saved as an image-only PDF. Without
the deskew in ingest/loaders/ocr.py the pieces of neighbouring lines get interleaved and an
article label goes missing (10 of 11 read).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from pypdf import PdfReader, PdfWriter

from evals.ocr_scans import image_pdf, labels, render
from ingest.parse import parse_document
from tests.conftest import SHARED_CORPUS

PDF = SHARED_CORPUS / "pdf/civil_servant_law_2018.pdf"


def scan(image: Image.Image, angle: float, seed: int = 0) -> Image.Image:
    image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=235)
    pixels = np.asarray(image, dtype=np.float32) * 0.8 + 30  # a greyish sheet
    pixels += np.random.default_rng(seed).normal(0, 12, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue()))


def second_page() -> bytes:
    """Page 2 of the PDF alone (articles 4 to 14, with items)."""
    writer = PdfWriter()
    writer.add_page(PdfReader(PDF).pages[1])
    original = io.BytesIO()
    writer.write(original)
    return original.getvalue()


def test_skewed_noisy_scan_keeps_the_article_sequence(tmp_path: Path):
    original = second_page()
    reference = parse_document(Path("公务员法.pdf"), original)
    assert not reference.ocr_used and len(reference.articles) >= 10

    path = tmp_path / "公务员法扫描件.pdf"
    path.write_bytes(image_pdf([scan(image, -2.5) for image in render(original, 200)], 200))
    doc = parse_document(path, path.read_bytes())
    assert doc.ocr_used
    assert labels(doc) == labels(reference)


def test_an_answer_from_a_scan_says_its_text_came_from_ocr(tmp_path: Path):
    """The scan ingested and asked about: the citation is marked as read by OCR (JSON and the
    reference every view prints)."""
    from assistant.answer import CANDIDATE_PASSAGES, Answerer
    from assistant.retrieval import ensure_search_index, make_retriever
    from ingest.pipeline import ingest_paths
    from ingest.store import Store

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "公务员法扫描件.pdf").write_bytes(image_pdf([scan(image, -2.5) for image in render(second_page(), 200)], 200))
    store = Store(tmp_path / "index")
    ingest_paths([folder], store)
    index, _ = ensure_search_index(store)
    answer = Answerer(store, make_retriever(index, top_k=CANDIDATE_PASSAGES, for_answers=True)).ask(
        "公务员应当履行哪些义务？", use_llm=False)
    first = answer.citations[0]
    assert first.article == 14 and first.ocr_used and answer.contract()["citations"][0]["ocr_used"] is True
    assert first.reference.endswith("（扫描件OCR识别，请核对原件）")
