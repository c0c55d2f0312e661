"""Testable facts inside a normative sentence: a number with its unit (a duration, an amount, a
count), a sanction, an organ, or the sentence's modal verb; and lists of items (enumerations)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Durations, amounts, counts. Dates and years (2014年, 3月1日) are not facts of a rule.
_NUMERAL = r"(?:[0-9]+(?:\.[0-9]+)?|[一二三四五六七八九十百千万两]+)"
_UNITS = ("个工作日", "工作日", "个小时", "小时", "个月", "日", "天", "年", "人", "元", "万元", "次", "倍",
          "平方米", "公里", "星级", "岁", "周")  # not 个: 三个代表, 两个维护 are names, not rules
NUMBER = re.compile(rf"(?<![0-9〇零一二三四五六七八九十百千万两年月])({_NUMERAL})({'|'.join(_UNITS)})(?![0-9月])")
FRACTION = re.compile(r"[一二三四五六七八九十]+分之[一二三四五六七八九十]+")
_DATE_CONTEXT = re.compile(r"^\s*[0-9一二三四五六七八九十]+日|月$")

# Sanctions, longest first so that 严重警告 is not read as 警告. Party sanctions (党纪处分) and the
# others (政务处分, 处分 of civil servants and staff) are two kinds; 警告 is in both.
PARTY_SANCTIONS = ("撤销党内职务", "留党察看", "开除党籍", "严重警告", "警告")
OTHER_SANCTIONS = ("降低岗位等级", "记大过", "记过", "降级", "撤职", "开除", "警告")
SANCTIONS = tuple(sorted(set(PARTY_SANCTIONS + OTHER_SANCTIONS), key=len, reverse=True))
SANCTION = re.compile("|".join(SANCTIONS))
_PARTY_ONLY = re.compile("撤销党内职务|留党察看|开除党籍|严重警告|党纪")

# Organs in groups whose members overlap in what they are or do (a 党委 is a 党组织; a case may go to
# 纪委, 监察机关 or 司法机关 depending on what it is; a 机关事务管理部门 often is the 公务接待管理部门):
# a distractor always comes from another group, so that no option is also defensible.
ORGAN_GROUPS = (
    ("党组织", "党委（党组）", "组织部门"),
    ("党的纪律检查委员会", "纪律检查委员会", "监察机关", "国家监察委员会", "上一级监察机关",
     "司法机关", "人民法院", "人民检察院", "公安机关"),
    ("财政部门", "审计机关", "机关事务管理部门", "公务接待管理部门", "任免机关"),
)
ORGANS = tuple(sorted((o for group in ORGAN_GROUPS for o in group), key=len, reverse=True))


def organ_group(name: str) -> int:
    return next(i for i, group in enumerate(ORGAN_GROUPS) if name in group)
# An organ name glued to the characters before it is part of a longer name (纪检监察机关).
ORGAN = re.compile(r"(?:(?<=^)|(?<=[^\u4e00-\u9fff])|(?<=[的和或及与由向对经在将把被报送按请]))(?:" + "|".join(ORGANS) + ")")

# A modal verb and the one that says the opposite (for true/false items that flip a rule).
MODAL_FLIPS = {"不得": "可以", "严禁": "可以", "禁止": "允许", "应当": "可以不", "必须": "不必"}
MODAL = re.compile("|".join(MODAL_FLIPS))


@dataclass(frozen=True)
class Fact:
    kind: str  # number:<unit> | fraction | sanction | organ | modal
    text: str
    start: int  # in the sentence
    end: int

    @property
    def family(self) -> str:
        """What kind of value may stand in for this one (an option of the same kind)."""
        return self.kind


def sanction_kind(value: str, context: str) -> str:
    """sanction:party or sanction:other; 警告 takes the kind of the text around it."""
    if value in PARTY_SANCTIONS and value not in OTHER_SANCTIONS:
        return "sanction:party"
    if value in OTHER_SANCTIONS and value not in PARTY_SANCTIONS:
        return "sanction:other"
    return "sanction:party" if _PARTY_ONLY.search(context) else "sanction:other"


def facts_in(sentence: str, context: str = "") -> list[Fact]:
    """The facts of a sentence, in order, without overlaps (`context`: the article, for kinds)."""
    found: list[Fact] = []
    for m in NUMBER.finditer(sentence):
        before = sentence[max(0, m.start() - 1):m.start()]
        if m.group(2) == "年" and re.fullmatch(r"[0-9]{4}|[一二〇零]{4}", m.group(1)):
            continue  # a year
        if m.group(2) == "日" and (before == "月" or _DATE_CONTEXT.search(sentence[:m.start()])):
            continue  # a date
        if _unit_is_part_of_a_word(sentence, m.end()):
            continue  # 上一年度: 一年 is not a number of years here
        unit = m.group(2).replace("个小时", "小时").replace("个工作日", "工作日")
        found.append(Fact(f"number:{unit}", m.group(0), m.start(), m.end()))
    for m in FRACTION.finditer(sentence):
        found.append(Fact("fraction", m.group(0), m.start(), m.end()))
    for m in SANCTION.finditer(sentence):
        found.append(Fact(sanction_kind(m.group(0), context or sentence), m.group(0), m.start(), m.end()))
    for m in ORGAN.finditer(sentence):
        found.append(Fact("organ", m.group(0), m.start(), m.end()))
    for m in MODAL.finditer(sentence):
        found.append(Fact("modal", m.group(0), m.start(), m.end()))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Fact] = []
    for f in found:
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


_AFTER_A_QUANTITY = set("内外后前以左及的，。；、,.;:：）)")  # 5日内, 3人以内, 2年后 …


def _unit_is_part_of_a_word(sentence: str, end: int) -> bool:
    """Whether the unit that ends at `end` forms a word with the next character (年度, 人员, 次要):
    then the numeral and the unit are not a quantity, and a blank there would split a word."""
    after = sentence[end:end + 1]
    if not after or after in _AFTER_A_QUANTITY:
        return False
    from assistant.retrieval.lexicon import segmenter

    return segmenter().frequency(sentence[end - 1] + after)[0] > 0


_ITEM_LABEL = re.compile(r"^([（(][一二三四五六七八九十0-9]+[）)]|[一二三四五六七八九十]+、|[0-9]{1,2}[.．、])\s*")


def without_label(text: str) -> str:
    """A line without the item or outline label it opens with: 五、要改进… → 要改进…"""
    return _ITEM_LABEL.sub("", text)


def item_text(sentence: str) -> str:
    """A line without its label and closing punctuation: （二）记过； → 记过."""
    return without_label(sentence).rstrip("；;。，,")
