"""Chinese numerals in labels such as 第一百零二条 → 102 (cn2an does the arithmetic)."""

from __future__ import annotations

import cn2an

CN_DIGITS = "零〇一二三四五六七八九十百千万两"
# Character class for a number written in Chinese or Arabic digits (incl. full-width).
NUMBER_CLASS = rf"[{CN_DIGITS}0-9０-９]+"

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def to_int(label: str) -> int | None:
    """'一百零二' → 102, '30' → 30, '〇' → 0; None when it is not a number."""
    label = label.strip().translate(_FULLWIDTH_DIGITS)
    if not label:
        return None
    if label.isdigit():
        return int(label)
    try:
        return int(cn2an.cn2an(label.replace("〇", "零"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def to_chinese(number: int) -> str:
    """102 → '一百零二' (used to print article labels)."""
    return cn2an.an2cn(number, "low")
