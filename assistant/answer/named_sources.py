"""Refuse before searching when a question names a document, or a version of one, that the
knowledge base does not hold ("《XX条例》里…" with no such 条例, "2019年修订的…" with only 2016 held)."""

from __future__ import annotations

import re

from assistant.retrieval.routing import analyze
from ingest.red_header import DOC_NUMBER, normalize_doc_number

# A document the question asks about (not one it only mentions): 《X》规定 / X法里 / X第N条 …
_ASKS_ABOUT = r"(?=规定|里|中|第|有关|关于|有|的|是|要求|明确|怎么|如何|对|[，。？?]|$)"
_QUOTED_TITLE = re.compile(r"《([^》]{2,40})》" + _ASKS_ABOUT)
# A regulation named without 《》: 党组工作条例里… / 请示报告条例要求…
_REGULATION_NAME = re.compile(r"([\u4e00-\u9fff（）]{3,20}?条例)" + _ASKS_ABOUT)
_GENERIC_NAME = re.compile(r"^(有关|相关|这个|这项|这条|该|上述|国家|中央|单位|党内|上级|具体|现行|哪些|什么|按照|根据|依照|违反|"
                           r"执行|落实|贯彻|我们|本|其他|各项|各种|党纪|纪律|法律|法规)")
_NAME_LEAD = re.compile(r"^(我想问|想问|请问|问一下|我们|按照|根据|依照|违反|关于|对于|执行|落实|学习|在|的|了|是|和|与)+")
_ISSUER_PREFIX = re.compile(r"^(中华人民共和国|中国共产党|中共中央|党政机关|中央和国家机关)")
_KIND_WORDS = re.compile(r"(条例|规定|办法|准则|细则|规则)(（试行）)?$")
_LAW_NAME = re.compile(r"([\u4e00-\u9fff]{1,10}(?:法典|法))" + _ASKS_ABOUT)
_NOT_A_LAW = re.compile(r"(违法|依法|办法|方法|做法|说法|看法|立法|执法|司法|合法|非法|守法|用法|想法|书法|枉法|不法|犯法|手法)$")
_YEAR_VERSION = re.compile(r"(19[5-9][0-9]|20[0-9]{2})\s*年\s*(?:修订|修正|修改|版|印发|颁布|发布|出台|制定|新修订|试行|的《)")


def missing_source(question: str, plan, catalog) -> str | None:
    """A named document, or a named version of one, that the knowledge base does not hold."""
    text = re.sub(r"\s+", "", question)
    written = DOC_NUMBER.search(text)
    if written and plan.named_document is None:  # a 文号 no held document has
        return f"知识库中没有文号为“{_NAME_LEAD.sub('', normalize_doc_number(written.group(0)))}”的文件。"
    for key in plan.groups:
        years = {d.year for d in catalog.groups[key]}
        for m in _YEAR_VERSION.finditer(text):
            year = int(m.group(1))
            known = sorted(y for y in years if y)
            if year not in years:
                have = "、".join(f"{y}年" for y in known) or "未注明年份的"
                return f"知识库中没有《{catalog.current(key).title}》的{year}年版本（现有{have}版本）。"
    if plan.groups:
        return None
    names = _QUOTED_TITLE.findall(text) + [n for n in _LAW_NAME.findall(text) if not _NOT_A_LAW.search(n)]
    names += [n for n in (_NAME_LEAD.sub("", n) for n in _REGULATION_NAME.findall(text))
              if len(n) >= 5 and not _GENERIC_NAME.search(n)]
    for name in names:
        if len(name) >= 3 and not analyze(f"《{name}》", catalog).groups and not _like_held_title(name, catalog):
            return f"知识库中没有《{name}》。"
    return None

def _like_held_title(name: str, catalog) -> bool:
    """A name that is a held document's title in other words (公务接待规定 for 国内公务接待管理规定):
    nearly all of its characters pairs, the kind word aside, are in one title."""
    if any(len(alias) >= 3 and name.endswith(alias) for alias in catalog.aliases):
        return True  # 他算不算监察法 ends with a held document's name
    kind = _KIND_WORDS.search(name)
    core = _ISSUER_PREFIX.sub("", _KIND_WORDS.sub("", name))
    if len(core) < 2 or any(core in doc.title for doc in catalog.documents.values()):
        return True  # too short to tell, or a held title holds it
    pairs = {core[i:i + 2] for i in range(len(core) - 1)}
    for doc in catalog.documents.values():
        title = doc.title
        if kind and kind.group(1) not in title:
            continue  # a 条例 is not an 意见
        if len(pairs & {title[i:i + 2] for i in range(len(title) - 1)}) >= 0.75 * len(pairs):
            return True
    return False
