"""What kind of answer a question wants, read from its wording (no model needed):
lookup, sanction, procedure, standard, definition, obligation, or general."""

from __future__ import annotations

import re
from enum import Enum


class Kind(str, Enum):
    LOOKUP = "lookup"  # what does article X say: the whole article
    SANCTION = "sanction"  # what 处分 does behaviour X get
    PROCEDURE = "procedure"  # how is it done: ordered steps
    STANDARD = "standard"  # numbers, amounts, durations, limits
    DEFINITION = "definition"  # what is X / what does X include
    OBLIGATION = "obligation"  # may I / must I / is it allowed
    GENERAL = "general"


_ASKS = [
    (Kind.LOOKUP, r"(第[零〇一二三四五六七八九十百千两0-9]+条|[0-9]+条(?!例))[^，。？?]{0,6}(讲|说|规定|写|内容|是什么|是怎么|怎么规定|原文)"
                  r"|(讲的|说的)(是)?什么|原文是|(条|项)(的)?(内容|全文)"),
    (Kind.SANCTION, r"(什么|何种|哪种|怎么|如何|怎样|会|要|被|该|能)[^，。？?]{0,6}(处分|处理|处罚|追究|问责|处置)|"
                    r"(处分|处理|处罚|追究|问责)(吗|呢|[？?])|怎么办|会怎样|会怎么样|定性|后果|受到什么|给予什么|"
                    r"开除|撤职|降级|警告|记过|党纪责任|违纪吗|算违纪|构成违纪|违纪行为吗"),
    (Kind.PROCEDURE, r"程序|流程|步骤|手续|怎么办理|如何办理|怎样办理|怎么申请|如何申请|向谁|报谁|谁批准|由谁|审批|"
                     r"报告吗|要不要报告|需要报告|如何报告|怎么报告|备案|期限内|几天内|多长时间内|如何(进行|开展|启动|适用)"),
    (Kind.DEFINITION, r"什么是|何为|何谓|是指|指什么|指的是|是什么意思|含义|定义|界定|认定|包括哪些|包括什么|有哪些|哪几种|哪几个|哪几类|哪几项|哪几方面|哪些情形|"
                      r"是否属于|属不属于|算不算|属于什么"),
    (Kind.STANDARD, r"多少|几个|几人|几天|几次|几年|几个月|几级|最多|最少|最长|最短|最高|上限|下限|标准|不超过|超过|金额|费用|"
                    r"限额|几星|什么级别|多大|多长|多久"),
    (Kind.OBLIGATION, r"能不能|可不可以|可以吗|能否|是否可以|是否允许|允许|可以.*吗|能.*吗|要不要|需不需要|是否需要|必须|应当|应该|"
                      r"不得|禁止|严禁|有什么要求|什么要求|有何要求|哪些要求|规定"),
]
_NAMED_ARTICLE = re.compile(r"《[^》]*》|[\u4e00-\u9fff]{0,16}?(条例|法|规定|办法|准则|细则|章程)(?=第)")
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in _ASKS]


def question_kind(question: str, names_article: bool = False) -> Kind:
    """The first kind whose wording the question uses; a named article alone is a lookup."""
    text = re.sub(r"\s+", "", question)
    # A document's name says nothing of the kind (政务处分法第七条 does not ask for a 处分).
    text = _NAMED_ARTICLE.sub("第", text)
    for kind, pattern in _COMPILED:
        if kind is Kind.LOOKUP and not names_article:
            continue
        if pattern.search(text):
            return kind
    return Kind.LOOKUP if names_article else Kind.GENERAL


# What a sentence that answers each kind looks like.
_ANSWERS = {
    Kind.SANCTION: re.compile(r"处分|警告|记过|记大过|降级|撤职|开除|留党察看|撤销党内职务|追究|问责|处理|责令|移送|罢免|取消"),
    Kind.PROCEDURE: re.compile(r"应当|经|报|批准|审批|提出|决定|程序|之日起|以内|由|向|按照"),
    Kind.STANDARD: re.compile(r"[0-9０-９]+|[一二三四五六七八九十百千万两]+(人|元|天|日|个月|月|年|次|级|星|倍|分之)|不超过|不得超过|以上|以下|以内|标准"),
    Kind.DEFINITION: re.compile(r"是指|所称|包括|指|分为|属于|视为|认定|种类|形式"),
    Kind.OBLIGATION: re.compile(r"应当|必须|不得|严禁|禁止|不准|可以|须|要"),
}


def answers_kind(sentence: str, kind: Kind) -> bool:
    pattern = _ANSWERS.get(kind)
    return bool(pattern and pattern.search(sentence))


_QUANTITY = re.compile(r"[0-9０-９]+|[一二三四五六七八九十百千万两半]+(个)?(人|元|天|日|个月|月|年|次|级|星|倍|分之|小时|周|公里|升|平方米|座)|"
                       r"[一二三四五六七八九十]+(分之)|不超过|不得超过|以上|以下|以内|不低于|不高于")


def has_quantity(sentence: str) -> bool:
    """Whether a sentence states a number, amount, duration or limit."""
    return bool(_QUANTITY.search(sentence))


_ASKS_QUANTITY = re.compile(r"多少|(?<!哪)几(个|名|人|天|日|次|年|月|级|倍|元|星|间|辆|桌|小时|周|岁|万|千|百)|"
                            r"哪一年|哪年|何时|什么时候|多长时间|多久|多大|多高|多远")
_STATED_QUANTITY = re.compile(r"[0-9０-９]+|[一二三四五六七八九十百千万两半]+(个工作日|个|名|人|天|日|次|年|月|级|倍|元|星|间|辆|桌|小时|周|岁|分之|万|千|公里|升|平方米)")


def asks_quantity(question: str) -> bool:
    """Whether a question asks for a number, an amount, a duration or a date (多少 / 几天 / 哪一年)."""
    return bool(_ASKS_QUANTITY.search(re.sub(r"\s+", "", question)))


def states_quantity(sentence: str) -> bool:
    """Whether a sentence states a number (a numeral with its unit), not only a comparison word."""
    return bool(_STATED_QUANTITY.search(sentence))
