"""OCR of scanned PDF pages with RapidOCR (optional extra `qingfeng[ocr]`; models ship in the wheel).

A page is turned level first (`deskew`): on a skewed scan the boxes of neighbouring lines overlap
in height and their pieces get interleaved. RapidOCR's 0°/180° line classifier is off: on long
lines of a noisy scan it turned good lines upside down (read as nothing), and a scanned page
comes the right way up far more often than not.
"""

from __future__ import annotations

import re

# 文号 brackets: 〔2023〕 is often read as 【2023】 or 〔2023】.
DOC_NUMBER_YEAR = re.compile(r"[〔【［\[]\s*((?:19|20)\d{2})\s*[〕】］\]](?=\s*\d+\s*号)")
OCR_HINT = "如需识别扫描件，请安装 OCR 组件：pip install 'qingfeng[ocr]'，然后重新导入。"


def page_images(page) -> list:
    """The images on a pypdf page (PIL images); none when pypdf cannot decode them."""
    try:
        return [image.image for image in page.images]
    except Exception:  # an image pypdf cannot decode is as good as none
        return []


def ocr_engine():
    """The RapidOCR engine, or None when it is not installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    return RapidOCR()


def ocr_page(engine, images) -> str:
    """The text of one scanned page (its images in order), one line of text per line."""
    import numpy as np

    lines: list[str] = []
    for image in images:
        result, _ = engine(np.asarray(deskew(image.convert("L")).convert("RGB")), use_cls=False)
        lines.extend(reading_order(result or []))
    return "\n".join(DOC_NUMBER_YEAR.sub(r"〔\1〕", line) for line in lines)


def skew_angle(image, limit: float = 5.0) -> float:
    """The angle (degrees, counter-clockwise) the text lines of a grey page are rotated by.

    Projection profile: the ink pixels of a reduced copy are projected onto the vertical at each
    trial angle; the angle with the sharpest profile (text lines and the gaps between them) wins.
    """
    import numpy as np

    small = image.copy()
    small.thumbnail((1000, 1000))
    pixels = np.asarray(small, dtype=np.float32)
    ink_level = (np.percentile(pixels, 5) + np.percentile(pixels, 95)) / 2
    ys, xs = np.nonzero(pixels < ink_level)
    if len(ys) < 500:  # an (almost) empty page
        return 0.0
    xs = xs - small.width / 2

    def sharpness(angle: float) -> float:
        rows = ys + xs * np.tan(np.radians(angle))
        profile = np.bincount(np.round(rows - rows.min()).astype(int)).astype(np.float64)
        return float(np.sum(np.diff(profile) ** 2))

    coarse = max(np.arange(-limit, limit + 1e-9, 0.2), key=sharpness)
    return float(max(np.arange(coarse - 0.2, coarse + 0.2 + 1e-9, 0.02), key=sharpness))


def deskew(image, min_angle: float = 0.1):
    """A grey page turned so that its text lines run level (unchanged when they already do)."""
    import numpy as np
    from PIL import Image

    angle = skew_angle(image)
    if abs(angle) < min_angle:
        return image
    background = int(np.percentile(np.asarray(image), 90))
    return image.rotate(-angle, resample=Image.BICUBIC, expand=True, fillcolor=background)


def reading_order(boxes: list) -> list[str]:
    """OCR boxes ([corners, text, score]) → text lines, top to bottom, each left to right.

    Boxes whose vertical centres lie within half a line height belong to one line.
    """
    if not boxes:
        return []
    entries = []
    for corners, text, _score in boxes:
        ys = [p[1] for p in corners]
        entries.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(p[0] for p in corners), text))
    entries.sort()
    heights = sorted(e[1] for e in entries)
    tolerance = heights[len(heights) // 2] / 2
    lines: list[list] = [[entries[0]]]
    for entry in entries[1:]:
        line = lines[-1]
        if abs(entry[0] - sum(e[0] for e in line) / len(line)) <= tolerance:
            line.append(entry)
        else:
            lines.append([entry])
    return ["".join(e[3] for e in sorted(line, key=lambda e: e[2])) for line in lines]
