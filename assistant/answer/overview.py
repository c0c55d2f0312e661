"""A question about a whole document named by its 文号 ("清纪发〔2023〕5号文件是关于什么的？"):
what the document is, who issued it and when, and the sentence that states its purpose."""

from __future__ import annotations

import re

from assistant.sentences import split_sentences
from ingest.models import ParsedDocument

_ASKS_ABOUT = re.compile(r"关于什么|是什么文件|什么文件|讲(的)?(是)?什么|说(的)?(是)?什么|主要内容|什么内容|内容是什么|主要(讲|规定|说)|概要|简介")
_PURPOSE = re.compile(r"为了|为进一步|为深入|为切实|为加强|为规范|为推动|制定本|特制定")
_TRANSMITTAL = re.compile(r"现将|印发给你们|请认真贯彻")  # a cover letter's sentence: a purpose only when none is stated


def asks_about_document(question: str) -> bool:
    return bool(_ASKS_ABOUT.search(re.sub(r"\s+", "", question)))


def purpose_unit(doc: ParsedDocument) -> int:
    """The unit that says what the document is for: the first one stating a purpose, else a cover
    letter's sentence, else the first."""
    for pattern in (_PURPOSE, _TRANSMITTAL):
        for index, unit in enumerate(doc.units[:5]):
            if pattern.search(unit.text):
                return index
    return 0


def purpose_sentences(text: str):
    """The sentence of a unit that states the purpose (else its first sentence)."""
    sentences = split_sentences(text)
    return ([s for s in sentences if _PURPOSE.search(s.text)][:1] or [s for s in sentences if _TRANSMITTAL.search(s.text)][:1]
            or sentences[:1])


def describe(doc: ParsedDocument) -> str:
    """"清纪发〔2023〕5号是《…》（清风市纪律检查委员会，2023年5月10日）。" """
    m = doc.meta
    when = _written_date(m.date)
    who = "，".join(x for x in (m.issuer, when) if x)
    return f"{m.doc_number}是《{m.title}》" + (f"（{who}）" if who else "") + "。"


def _written_date(date: str | None) -> str:
    if not date:
        return ""
    parts = [int(x) for x in date.split("-")]
    return f"{parts[0]}年" + "".join(f"{n}{unit}" for n, unit in zip(parts[1:], ("月", "日")))
