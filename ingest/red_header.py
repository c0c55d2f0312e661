"""The 版头 and 版记 of a 红头文件 (official document layout, GB/T 9704-2012).

Top (版头), in this order, each on its own line: 份号 (000123), 密级和保密期限 (机密★1年), 紧急程度
(特急 / 加急), 发文机关标志 (清风市纪律检查委员会文件), 发文字号 (清纪发〔2023〕5号, in a 上行文 on one
line with 签发人：张三). Then the title (one to three lines) and the 主送机关 (a line ending in "：").
Bottom: 附件说明 (附件：1.…), 发文机关署名, 成文日期, 附注 （此件公开发布）, and the 版记: 抄送：… and
"<印发机关> <date>印发".

`read_red_header` returns None for a text without a 发文字号 in its first lines, so ordinary
documents are read as before.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ingest.dates import find_dates

_OPEN = "〔[［【(（"
_CLOSE = "〕]］】)）"
# 发文字号: 机关代字 + 〔年份〕 + 序号 + 号, the year bracket written in any of its variants.
DOC_NUMBER = re.compile(
    rf"([\u4e00-\u9fff]{{1,12}})\s*[{re.escape(_OPEN)}]\s*((?:19|20)\d{{2}})\s*[{re.escape(_CLOSE)}]\s*(\d{{1,5}})\s*号")
_COPY_NUMBER = re.compile(r"^\d{6}$")
_SECRECY = re.compile(r"^(绝密|机密|秘密)\s*(?:[★＊*☆]\s*(.{0,12}))?$")
_URGENCY = re.compile(r"^(特急|加急|特提|平急)$")
_SIGNER = re.compile(r"签\s*发\s*人\s*[:：]\s*(.+)$")
_ISSUER_MARK = re.compile(r"^(.{2,60}?)\s*文\s*件$")
_ATTACHMENTS = re.compile(r"^附\s*件\s*[:：]\s*(.*)$")
_LISTED = re.compile(r"^\s*(\d{1,2})\s*[.．、]\s*(.+)$")
_CC = re.compile(r"^抄\s*送\s*[:：]\s*(.+?)。?$")
_PRINTED = re.compile(r"^(.{2,40}?)\s+(\S+?年\S+?月\S+?日)\s*印\s*发$")
_NOTE = re.compile(r"^[（(]此件.{1,30}[）)]$")
_DATE_LINE = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零○]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$")
_TERMINAL = ("。", "；", "！", "？", "，")
HEAD_LINES = 8  # the 发文字号 must be among the first lines
# DocumentMeta fields that only a 红头文件 fills (text fields: a sidecar or manifest may set them too).
RED_HEADER_FIELDS = ("secrecy", "secrecy_term", "urgency", "issuer_mark", "signer", "recipients", "cc",
                     "printed_by", "printed_date", "remark")
# The document details an administrator may correct (the knowledge-base tab), in the order shown.
DETAIL_FIELDS = ("doc_number", "issuer", "date", *RED_HEADER_FIELDS)
SECRECY_LEVELS = ("秘密", "机密", "绝密")
# How each is named to users (inspect, the knowledge-base tab).
FIELD_LABELS = {"doc_number": "文号", "issuer": "发文机关", "date": "成文日期", "secrecy": "密级", "secrecy_term": "保密期限", "urgency": "紧急程度", "issuer_mark": "发文机关标志",
                "signer": "签发人", "recipients": "主送", "cc": "抄送", "printed_by": "印发机关", "printed_date": "印发日期",
                "remark": "附注", "attachments": "附件"}


def normalize_doc_number(text: str) -> str:
    """清纪发[2023]5号 / 清纪发（2023）5号 → 清纪发〔2023〕5号: one spelling for storing and lookup."""
    m = DOC_NUMBER.search(text)
    if not m:
        return re.sub(r"\s+", "", text)
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


class RedHeader(BaseModel):
    """What the 版头 and 版记 say, and where the document's own text lies between them."""

    copy_number: str | None = None  # 份号
    secrecy: str | None = None  # 密级: 绝密 / 机密 / 秘密
    secrecy_term: str | None = None  # 保密期限, e.g. 1年
    urgency: str | None = None  # 紧急程度
    issuer_mark: str | None = None  # 发文机关标志, without 文件
    doc_number: str  # 发文字号
    signer: str | None = None  # 签发人
    title: str
    recipients: str | None = None  # 主送机关
    attachments: list[str] = Field(default_factory=list)  # 附件说明
    signature: str | None = None  # 发文机关署名
    date: str | None = None  # 成文日期, YYYY-MM-DD
    remark: str | None = None  # 附注
    cc: str | None = None  # 抄送机关
    printed_by: str | None = None  # 印发机关
    printed_date: str | None = None  # 印发日期, YYYY-MM-DD
    body_start: int  # offset where the text after the title (and 主送) starts
    body_end: int  # offset where the signature, 附注 and 版记 start (the end of the content)

    @property
    def issuer(self) -> str | None:
        """发文机关: the signature under the text, else the 发文机关标志."""
        return self.signature or self.issuer_mark


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            out.append((offset, raw.strip()))
        offset += len(raw) + 1
    return out


def read_red_header(text: str) -> RedHeader | None:
    lines = _lines(text)
    number_at = next((i for i, (_, line) in enumerate(lines[:HEAD_LINES])
                      if DOC_NUMBER.search(line) and len(line) <= 40), None)
    if number_at is None:
        return None
    found: dict = {"doc_number": normalize_doc_number(lines[number_at][1])}
    signer = _SIGNER.search(lines[number_at][1])
    if signer:
        found["signer"] = signer.group(1).strip()
    for _, line in lines[:number_at]:
        if _COPY_NUMBER.match(line):
            found["copy_number"] = line
        elif m := _SECRECY.match(line):
            found["secrecy"], found["secrecy_term"] = m.group(1), (m.group(2) or "").strip() or None
        elif m := _URGENCY.match(line):
            found["urgency"] = m.group(1)
        elif m := _ISSUER_MARK.match(line):
            found["issuer_mark"] = re.sub(r"\s+", " ", m.group(1)).strip()
    if not (found.keys() & {"issuer_mark", "secrecy", "copy_number", "urgency"}):
        return None  # a 文号 at the top of an ordinary text (e.g. 财行〔2013〕531号 under a title) is no 版头

    # The title: the lines after the 发文字号 up to the 主送 line or the first sentence.
    title_lines, i = [], number_at + 1
    while i < len(lines) and len(title_lines) < 3:
        line = lines[i][1]
        if line.endswith(("：", ":")) or line.endswith(_TERMINAL) or "。" in line or len(line) > 40:
            break
        title_lines.append(line)
        i += 1
    if not title_lines:
        return None
    found["title"] = "".join(title_lines)
    if i < len(lines) and lines[i][1].endswith(("：", ":")) and len(lines[i][1]) <= 120 and "。" not in lines[i][1]:
        found["recipients"] = lines[i][1].rstrip("：:")
        i += 1
    found["body_start"] = lines[i][0] if i < len(lines) else len(text)

    # The end: 版记 (抄送, 印发), 附注, then 成文日期 with the 发文机关署名 above it.
    end = len(lines)
    while end > i:
        line = lines[end - 1][1]
        if m := _CC.match(line):
            found["cc"] = m.group(1).strip()
        elif m := _PRINTED.match(line):
            found["printed_by"], dates = m.group(1).strip(), find_dates(m.group(2))
            found["printed_date"] = dates[0] if dates else None
        elif _NOTE.match(line):
            found["remark"] = line.strip("（）()")
        else:
            break
        end -= 1
    if end > i and _DATE_LINE.match(lines[end - 1][1]):
        dates = find_dates(lines[end - 1][1])
        found["date"] = dates[0] if dates else None
        end -= 1
        previous = lines[end - 1][1] if end > i else ""
        if previous and len(previous) <= 40 and not previous.endswith(_TERMINAL) and not previous.endswith("。"):
            found["signature"] = previous
            end -= 1
    found["body_end"] = lines[end][0] if end < len(lines) else len(text)
    attachments = _attachments(lines[i:end])
    if attachments:
        found["attachments"], found["body_end"] = attachments
    return RedHeader(**found)


def _attachments(lines: list[tuple[int, str]]) -> tuple[list[str], int] | None:
    """附件说明 at the end of the text ("附件：1.甲" and the numbered lines under it, or "附件：甲"
    alone): the names and the offset where it starts; None when the text ends otherwise."""
    for k, (start, line) in enumerate(lines):
        m = _ATTACHMENTS.match(line)
        if not m:
            continue
        first = m.group(1).strip()
        listed = _LISTED.match(first)
        names = [listed.group(2).strip() if listed else first] if first else []
        rest = lines[k + 1:]
        if all(_LISTED.match(after) for _, after in rest) and (names or rest):
            return names + [_LISTED.match(after).group(2).strip() for _, after in rest], start
    return None
