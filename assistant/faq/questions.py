"""FAQ questions a staff member would ask, written by rule from an article's sentences.

A question is the rule's own sentence (or its part up to a ；), whole, turned into a question in
place — Chinese asks where the answer stands — so that no word of the rule is lost and nothing is
cut at a comma:

- how much / how long  陪餐人数不得超过3人              → 陪餐人数不得超过多少人？
                       应当在30日内作出决定              → 应当在多少日内作出决定？
- what happens if      X的，给予警告或者严重警告处分     → X的，会受到什么处分？
                       有下列行为之一的，给予…：（一）X的 → X的，会受到什么处分？
- who                  由接待单位负责                    → 由谁负责？
                       应当向派出机关报告                → 应当向谁报告？
- how                  应当按照下列程序办理：            → 应当按照什么程序办理？
- what is              本办法所称X，是指…                → 什么是X？
- yes / no             S不得X                            → S可以X吗？
                       S应当X                            → S是否应当X？

Every candidate passes `keeps_source_words`: the words of its source, less the answer and the
modal verb, all appear in the question in order. The questions are only candidates: an FAQ entry
is kept when the answer pipeline, asked the question, cites the article it came from
(assistant/faq/run.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.quiz.facts import FRACTION, NUMBER, SANCTION, item_text, without_label
from assistant.sentences import split_sentences

# How useful a kind of question is to staff (higher first within an article).
PRIORITY = {"sanction": 5, "standard": 4, "deadline": 4, "reporting": 4, "who": 3, "prohibition": 3,
            "procedure": 3, "obligation": 2, "definition": 2, "scope": 2, "effective": 1}
MAX_PER_ARTICLE = 2  # the most useful questions of an article
MAX_QUESTION = 60  # a longer question is a paragraph, not something anyone asks
MAX_YES_NO = 40  # a yes/no question has to be short to be clear


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    sentence: str  # the sentence it was drawn from


_DEFINITION = re.compile(r"所称[“\"]?([^，。；“”\"]{2,20}?)[”\"]?[，,]?(?:是指|包括|指)")
_TIME_UNITS = ("个工作日", "工作日", "个小时", "小时", "个月", "日", "天", "年", "周")
_SANCTION_SPAN = re.compile(rf"(给予|予以|处以)((?:{SANCTION.pattern}|、|或者|直至|以上|以下|至)+)(处分)?")
_LIST_LEAD = re.compile(r"^有下列(?:行为|情形)之一(?:的)?")
_ORGAN = r"(?:局|委|部|厅|办|院|会|组织|机关|单位|部门|党委|党组|纪委|机构|小组|组|人|者)"
_WHO = re.compile(rf"由([^，；。由]{{1,14}}{_ORGAN})((?:会同[^，；。]{{2,12}}?)?(?:负责|审批|批准|决定|组织|管理|承担|办理|实施|确定|"
                  rf"作出|提出|审核|受理))(?!的|部|机构|人|单位)")
_TO_WHOM = re.compile(r"(应当|必须|须)((?:及时|立即|按规定|按照规定)?)向([^，；。向]{2,16}?)(报告|备案|报批|请示|申报)")
_REPORT_TO = re.compile(r"(?<![向通汇情申呈举电预填上])报(?![销告道刊表])([^，；。报时]{2,30}?)(备案|批准|审批|审核)")
_APPLIES = re.compile(r"^([^，；。]{2,40}?)参照(本规定|本办法|本条例|本规则|本细则|本法)执行$")
_TAKES_EFFECT = re.compile(r"^(本(?:规定|办法|条例|规则|细则|法|准则|意见))自(.{2,20}?)起施行$")
_PROCEDURE = re.compile(r"(按照|依照|遵循)(下列|以下)(程序|步骤)")
_PROHIBIT = re.compile(r"不得|严禁|禁止")
_NOT_ALLOWED = re.compile(r"不得|严禁")  # 禁止 is also a verb with its own object (国家依法禁止任何组织…)
_MODAL = re.compile(r"不得|严禁|禁止|应当|必须|须|可以|要")
_OBLIGE = re.compile(r"应当|必须")
# Parts of an article that lean on another sentence, and actions that are exhortations (加强,
# 坚持 …), are no questions on their own.
_LEANS_ON = re.compile(r"^(但|并|其中|前款|上述|本条|前述|此外|同时|情节|对其|其|以上|以下|该|这)|上述|前款|前述|本款|"
                       r"(还|也|并|均)(应当|应|须|必须|要|可以|不得)|"
                       r"(^|[，,])[^，,]{0,3}(该|此)[\u4e00-\u9fff]")  # 对该证据…: what 该 points to is in the sentence before
_EXHORTATION = re.compile(r"加强|坚持|严格|认真|自觉|永远|牢固|增强|提高|切实|积极|结合|注重|做好|落实|贯彻|遵守|维护|树立|坚守")
_WEAK_SUBJECT_END = re.compile(r"(不|也|都|还|就|又|才|要|严格|坚决|一律)$|我们|你们|大家|同志们|咱们")
_CONDITION_END = re.compile(r"(的|时|后|前|中|期间)[，,]$")


def _words(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def keeps_source_words(question: str, source: str, removed: tuple[str, ...] = ()) -> bool:
    """The words of `source`, less the parts `removed` (the answer, a modal verb, separate rules
    after it; each once), all appear in `question`, in order: a question that dropped a word of
    its rule (对, 在, a condition) is rejected."""
    rest = source
    for part in removed:
        if part:
            rest = rest.replace(part, "", 1)
    have = iter(_words(question))
    return all(ch in have for ch in _words(rest))


def _segments(sentence: str) -> list[str]:
    """A sentence's parts that stand alone: split at ；, without the closing punctuation."""
    sentence = without_label(sentence.strip()).rstrip("。！!；;")
    return [p.strip() for p in re.split(r"[；;]", sentence) if p.strip()]


def _standalone(segment: str) -> bool:
    return len(segment) >= 6 and not _LEANS_ON.search(segment) and "《" not in segment


def _ask(segment: str) -> str:
    return segment.rstrip("，,：:、") + "？"


def _rule_end(segment: str, position: int) -> int:
    """Where the rule holding `position` ends: the segment's end, or the end of its clause when every
    clause after it is a rule of its own on the same subject (会议费由X承担，不得向参会人员收取)."""
    comma = re.search(r"[，,]", segment[position:])
    if not comma:
        return len(segment)
    end = position + comma.start()
    rest = [c for c in re.split(r"[，,]", segment[end + 1:]) if c]
    if rest and all(re.match(r"(不得|严禁|禁止|应当|必须|可以)", c) for c in rest):
        return end
    return len(segment)


def _how_much(segment: str) -> tuple[str, str, tuple[str, str]] | None:
    """The amount or time limit of a segment asked in place: (kind, question, answer)."""
    for m in list(NUMBER.finditer(segment)) + list(FRACTION.finditer(segment)):
        before, after = segment[:m.start()], segment[m.end():]
        limited = re.search(r"(不得超过|不超过|不得高于|不得低于|不少于|不低于|控制在|最高不超过|最多不超过)$", before)
        clause = re.split(r"[，,]", before)[-1]
        within = re.match(r"(以内|内)", after) and _MODAL.search(clause)
        if not (limited or within) or re.match(r"(以内|以上|以下)?的", after):
            continue  # a number in a condition (接待对象在10人以内的, 二人以上) is not what the rule sets
        if m.re is FRACTION:
            asked = "几分之几"
            kind = "standard"
        else:
            unit = m.group(2)
            kind = "deadline" if unit in _TIME_UNITS else "standard"
            asked = ("几" if unit in ("个月", "年", "倍", "星级", "周", "个小时") else "多少") + unit
        end = _rule_end(segment, m.end())
        return kind, segment[:m.start()] + asked + segment[m.end():end] + "？", (m.group(0), segment[end:])
    return None


def _sanction(segment: str) -> tuple[str, str] | None:
    m = _SANCTION_SPAN.search(segment)
    if not m or not re.search(r"的，|的,", segment[:m.start()] + "，"):
        return None
    # What stands between the last comma and the sanction (应当视具体情节) goes with the answer.
    cut = max(segment.rfind("，", 0, m.start()), segment.rfind(",", 0, m.start()))
    question = segment[:cut].rstrip("，, ") + "，会受到什么处分？"
    return question, segment[cut + 1:m.end()]


def _yes_no(segment: str) -> tuple[str, str, tuple[str, str]] | None:
    """S不得X → S可以X吗？ ; S应当X → S是否应当X？ (kind, question, modal removed)."""
    m = _NOT_ALLOWED.search(segment) or _OBLIGE.search(segment)
    if not m:
        return None
    end = _rule_end(segment, m.end())
    if end > MAX_YES_NO or len(_PROHIBIT.findall(segment[:end])) + len(_OBLIGE.findall(segment[:end])) != 1:
        return None
    subject = segment[:m.start()]
    if len(_words(subject)) < 2 or _WEAK_SUBJECT_END.search(subject) or _MODAL.search(subject):
        return None
    if subject.endswith(("，", ",")) and not _CONDITION_END.search(subject):
        return None  # the clause before is a rule of its own (尽可能缩小警戒范围，不得清场闭馆)
    if any(_EXHORTATION.match(c) for c in re.split(r"[，,]", subject)[:-1]):
        return None  # 坚持复审复核与调查审理分离，原案调查人员不得…: the first clause is a rule too
    action = segment[m.end():end]
    if action.endswith("的"):
        return None  # a condition of another rule (…，依法应当追究刑事责任的，应当作出起诉决定)
    if len(_words(action)) < 3 or _EXHORTATION.search(action[:6]) or SANCTION.search(action):
        return None
    if any((not c.startswith("并") and len(c) > 10) or _MODAL.search(c) or c.endswith("的")
           for c in re.split(r"[，,]", action)[1:]):
        return None  # more than one rule, or another subject after the comma
    if m.group(0) in ("不得", "严禁"):
        return "prohibition", f"{subject}可以{action}吗？", (m.group(0), segment[end:])
    return "obligation", f"{subject}是否{m.group(0)}{action}？", ("", segment[end:])


def questions_for(article: str) -> list[Question]:
    """Candidate questions for one article, most useful first, at most one per kind."""
    found: dict[str, Question] = {}

    def add(kind: str, question: str, sentence: str, source: str, removed: tuple[str, ...] = ()) -> None:
        if kind in found or len(question) > MAX_QUESTION:
            return
        if keeps_source_words(question, source, removed):
            found[kind] = Question(kind, question, sentence)

    sentences = split_sentences(article)
    for i, s in enumerate(sentences):
        text = s.text
        m = _DEFINITION.search(text)
        if m and "“" not in m.group(1):
            term = m.group(1)
            asked = f"“{term}”是指什么？" if re.match(r"[有被对在以]", term) else f"什么是{term}？"
            add("definition", asked, text, term)
        if s.is_item:
            continue
        if s.is_lead:
            lead = _segments(text)[0] if _segments(text) else ""
            if SANCTION.search(lead) and i + 1 < len(sentences) and sentences[i + 1].is_item:
                item = item_text(sentences[i + 1].text)
                rest = _LIST_LEAD.sub("", lead)
                if rest != lead and not _LEANS_ON.search(item):
                    joined = (item.removesuffix("的") + rest) if rest.startswith("的") else item + rest
                    asked = _sanction(joined)
                    if asked:
                        add("sanction", asked[0], text, joined, (asked[1],))
            m = _PROCEDURE.search(lead)
            if m and _standalone(lead) and m.start() >= 2:
                question = lead[:m.start()] + f"{m.group(1)}什么{m.group(3)}" + lead[m.end():].rstrip("：:") + "？"
                add("procedure", question, text, lead, (m.group(2),))
            continue
        for segment in _segments(text):
            if not _standalone(segment):
                continue
            asked = _sanction(segment)
            if asked:
                add("sanction", asked[0], text, segment, (asked[1],))
            amount = _how_much(segment)
            if amount:
                add(amount[0], amount[1], text, segment, amount[2])
            m = _APPLIES.match(segment)
            if m:
                add("scope", f"哪些单位参照{m.group(2)}执行？", text, segment, (m.group(1),))
            m = _TAKES_EFFECT.match(segment)
            if m:
                add("effective", f"{m.group(1)}自什么时候起施行？", text, segment, (m.group(2),))
            for kind, pattern, group in (("reporting", _TO_WHOM, 3), ("reporting", _REPORT_TO, 1), ("who", _WHO, 1)):
                m = pattern.search(segment)
                if m and m.start() >= 2:
                    end = _rule_end(segment, m.end())
                    question = segment[:m.start(group)] + "谁" + segment[m.end(group):end]
                    add(kind, _ask(question), text, segment, (m.group(group), segment[end:]))
            yes_no = _yes_no(segment)
            if yes_no:
                add(yes_no[0], yes_no[1], text, segment, yes_no[2])
    return sorted(found.values(), key=lambda q: (-PRIORITY[q.kind], len(q.text)))[:MAX_PER_ARTICLE]
