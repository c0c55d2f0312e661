"""Case descriptions ("某干部做了X……，是否违纪？应如何处理？") answered in the shape of an official
answer from a discipline-inspection office: the article that describes the conduct and what kind of
violation its chapter names, the sanction range (the first sentence, answer/lead.py), the general
rules of the same document on lighter and heavier sanctions, the rule for conduct before the current
version took effect, and the article's earlier versions.

Everything is found by the wording of the documents (no article number is hard-coded), so it works
for the 纪律处分条例 and the 政务处分法 alike, and for any document written in their style.

    if is_case(question):
        rules = general_rules(document, cited_unit_index)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import ParsedDocument

# Someone did something: a person named by role or as 某/一名 …
_PERSON = re.compile(r"某|一名|一位|一个|该|我们(单位|局|科|处|村)|同事|干部|党员|公职人员|工作人员|书记|局长|处长|科长|"
                     r"主任|所长|村干部|负责人|领导")
# … and the question asks for a verdict or a sanction.
_ASKS_VERDICT = re.compile(r"是否违纪|是否违法|是否违规|算不算违纪|算违纪|违纪吗|构成违纪|如何处理|怎么处理|怎样处理|该怎么处理|"
                           r"应当给予什么|应给予什么|给予什么|受到什么.{0,3}处分|什么政务处分|如何定性|怎么定性|如何处分|怎么处分")
_MIN_DESCRIPTION = 10  # characters of conduct described before the question asks

# The general rules, by their wording: an article that opens a list of circumstances (有下列情形之一的)
# in which the sanction is lighter (从轻或者减轻) or heavier (从重) …
_MITIGATING = re.compile(r"^[^。：]{0,30}有下列情形之一的，[^。：]{0,6}从轻或者减轻")
_AGGRAVATING = re.compile(r"^[^。：]{0,30}有下列情形之一的，[^。：]{0,6}从重")
# … and the article on cases pending when this version took effect (施行前, judged by 当时的规定).
_RETROACTIVE = re.compile(r"(本条例|本法|本规定|本办法)施行前[^。]*。?[^。]*当时的规定")
# A 分则 chapter heading of the form 对违反…行为的处分 names the kind of violation.
_CATEGORY = re.compile(r"对(违反[^ ›]{2,12}?)行为的处分")

# An article that imposes a sanction ("给予警告处分", "予以记过", "追究…责任").
_SANCTION_CLAUSE = re.compile(r"(给予|予以)[^。；]{0,12}(处分|警告|记过|降级|撤职|开除)|追究[^。；]{0,8}责任")

MITIGATING, AGGRAVATING, RETROACTIVE = "从轻或者减轻", "从重或者加重", "行为发生在本版本施行前"


def is_case(question: str) -> bool:
    """Whether a question describes someone's conduct and asks whether it is a violation or how it
    is dealt with."""
    text = re.sub(r"\s+", "", question)
    asked = _ASKS_VERDICT.search(text)
    if asked is None:
        return False
    described = text[:asked.start()]
    return len(described) >= _MIN_DESCRIPTION and _PERSON.search(described) is not None


def imposes_sanction(text: str) -> bool:
    return _SANCTION_CLAUSE.search(text) is not None


def category(heading: str) -> str | None:
    """The kind of violation a 分则 chapter names ("违反廉洁纪律"), from an article's heading path."""
    found = _CATEGORY.search(heading or "")
    return found.group(1) if found else None


@dataclass
class GeneralRule:
    role: str  # MITIGATING, AGGRAVATING or RETROACTIVE
    unit_index: int  # the article in the document's units
    key: str  # words of the sentence that states the rule (the sentence quoted)


_KEYS = {MITIGATING: "从轻或者减轻", AGGRAVATING: "从重", RETROACTIVE: "施行前"}


def general_rules(doc: ParsedDocument, cited_unit_index: int) -> list[GeneralRule]:
    """The document's general rules that apply to the conduct of the cited article: the articles
    before it that list what makes a sanction lighter or heavier, and the rule for conduct before
    this version took effect (the first of each, in that order)."""
    found: dict[str, GeneralRule] = {}
    for i, unit in enumerate(doc.units):
        if unit.kind != "article":
            continue
        text = re.sub(r"\s+", "", doc.text[unit.start:unit.end])
        body = re.sub(r"^第[零〇一二三四五六七八九十百千]+条", "", text)
        if i < cited_unit_index:
            for role, pattern in ((MITIGATING, _MITIGATING), (AGGRAVATING, _AGGRAVATING)):
                if role not in found and pattern.search(body):
                    found[role] = GeneralRule(role, i, _KEYS[role])
        if RETROACTIVE not in found and _RETROACTIVE.search(body):
            found[RETROACTIVE] = GeneralRule(RETROACTIVE, i, "尚未结案" if "尚未结案" in body else _KEYS[RETROACTIVE])
    return [found[role] for role in (MITIGATING, AGGRAVATING, RETROACTIVE) if role in found]
