"""Training questions for the relevance model, written the way staff type into the chat: terse,
one clause of an article turned into "S，需要X吗？" / "S，可以X吗？" / "X，会受到什么处分？" / "…的标准是多少？"
/ "什么是X？", often clipped at a comma and short of a word or two.

This is not the FAQ's wording (assistant/faq/questions.py, whole sentences asked in place, for
publishing). The model learns from questions that resemble what it will be asked: trained on the
FAQ's whole-sentence questions, which carry most of their article verbatim, it cited more loosely
and refused fewer out-of-scope team questions (team bank held-out, first citation 0.769 → 0.744,
precision 0.686 → 0.609, out-of-scope refused 0.672 → 0.630; evals/README.md).

- definition  本条例所称X，是指…                       → 什么是X？
- sanction    有下列行为之一的，给予警告…处分：（一）X的 → X，会受到什么处分？
              X的，给予警告…处分                       → X，会受到什么处分？
- standard    陪餐人数不得超过3人                        → 陪餐人数的标准是多少？
- reporting   S应当向…报告 / 报批 / 备案                 → S，需要报告吗？
- prohibition S不得X                                     → S可以X吗？
- obligation  S应当X                                     → S，需要X吗？
- procedure   S应当按照下列程序：（一）…                   → S的程序是什么？
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.quiz.facts import NUMBER, SANCTION, item_text, without_label
from assistant.sentences import split_sentences

# How useful a kind of question is to staff (higher first within a chapter).
PRIORITY = {"sanction": 5, "standard": 4, "reporting": 4, "prohibition": 3, "procedure": 3, "obligation": 2,
            "definition": 2}
MAX_PER_ARTICLE = 2  # the most useful questions of an article
MAX_PHRASE = 24  # a longer subject or action makes a question nobody would ask
MIN_PHRASE = 2


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    sentence: str  # the sentence it was drawn from


_DEFINITION = re.compile(r"所称[“\"]?([^，。；“”\"]{2,20}?)[”\"]?[，,]?(?:是指|包括|指)")
_LIMIT = re.compile(r"(?:一般|均|原则上)?(?:不得超过|不超过|不得高于|不得低于|控制在|最高不超过|最多不超过)")
_REPORT = re.compile(r"(?:应当|必须|须)[^，；。]{0,16}?(报告|报批|备案|请示|申报)")
_PROHIBIT = re.compile(r"不得|严禁|禁止")
_OBLIGE = re.compile(r"应当|必须")
# An action that opens with a preposition lost its verb to the clause split (…应当对X进行审计);
# an exhortation (加强, 坚持, 严格执行 …) is not a question staff ask.
_WEAK_ACTION = re.compile(r"^(对|向|根据|按照|依照|在|于|由|以|将|把|与|从|被|予以|受到|及时|经|为)|"
                          r"加强|坚持|严格|认真|自觉|永远|牢固|增强|提高|切实|积极|结合|注重|做好|落实|贯彻|遵守|维护")
_PROCEDURE = re.compile(r"(?:应当)?(?:按照|依照|遵循)(?:下列|以下)(?:程序|步骤)")
_LEADING = re.compile(r"^(对于|凡是|如果|假如|但是|并且|同时|另外|此外|以及|或者|其中|各级|对|凡|并|但|若|其|因|在|和)")
_NOT_A_SUBJECT = re.compile(r"^(最|一般|原则上|均|都|总|每|其他|以上|以下|上述|前款|本|该|有下列|下列|依法|依照|按照|根据|经|由|不"
                            r"|我们|你们|大家|同志们|咱们)|情节|下列|(还|也|都|就|又|才)$")
_RULE_WORD = re.compile(r"不得|严禁|禁止|不准|应当|必须|严格|可以")
_CONDITION = re.compile(r"[，,]?(情节较轻|情节较重|情节严重)(的)?$")


def _phrase(text: str, subject: bool = False) -> str | None:
    text = _LEADING.sub("", without_label(text.strip(" ，,；;。：:")).strip(" ，,；;。：:（）()"))
    text = _CONDITION.sub("", text).strip(" ，,")
    if not MIN_PHRASE <= len(text) <= MAX_PHRASE or re.search(r"[《》“”\"]|上述|前款|本条|前述", text):
        return None
    if text.count("（") != text.count("）") or text.count("(") != text.count(")"):
        return None
    if not subject and (text.endswith("的") or re.search(r"以内|之日起|期限内", text)):
        return None  # an action cut off before its end
    if subject and _NOT_A_SUBJECT.search(text):
        return None
    return text


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"[，；：,;:。]", sentence) if c]


def _subject_before(clauses: list[str], i: int, keyword_at: int) -> str | None:
    """Who a rule speaks of: the words before the keyword in its clause, or the clause before."""
    own = clauses[i][:keyword_at]
    if own.strip():
        return _phrase(own, subject=True)
    before = clauses[i - 1] if i > 0 else ""
    if len(before) < 3 or _RULE_WORD.search(before):
        return None
    return _phrase(before, subject=True)


def terse_questions_for(article: str) -> list[Question]:
    """Candidate questions for one article, most useful first, at most one per kind."""
    found: dict[str, Question] = {}

    def add(kind: str, text: str | None, sentence: str) -> None:
        if text and kind not in found:
            found[kind] = Question(kind, text, sentence)

    sentences = split_sentences(article)
    for i, s in enumerate(sentences):
        text = s.text
        m = _DEFINITION.search(text)
        if m:
            term = _phrase(m.group(1))
            add("definition", f"什么是{term}？" if term else None, text)
        if s.is_lead:
            if SANCTION.search(text) and i + 1 < len(sentences) and sentences[i + 1].is_item:
                behaviour = _phrase(item_text(sentences[i + 1].text).removesuffix("的"))
                add("sanction", f"{behaviour}，会受到什么处分？" if behaviour else None, text)
            m = _PROCEDURE.search(text)
            if m:
                topic = _phrase(text[:m.start()], subject=True)
                add("procedure", f"{topic}的程序是什么？" if topic else None, text)
            continue
        m = re.match(r"^(.{4,30}?)的，(?:[^，]{0,20}，)?(?:给予|予以)", text)
        if m and SANCTION.search(text) and not s.is_item:
            behaviour = _phrase(m.group(1), subject=True)
            add("sanction", f"{behaviour}，会受到什么处分？" if behaviour else None, text)
        clauses = _clauses(text)
        for j, clause in enumerate(clauses):
            limit = _LIMIT.search(clause)
            if limit and NUMBER.search(clause[limit.end():]):
                topic = _subject_before(clauses, j, limit.start())
                add("standard", f"{topic}的标准是多少？" if topic else None, text)
            report = _REPORT.search(clause)
            if report:
                subject = _subject_before(clauses, j, report.start())
                verb = report.group(1) if report.group(1) in ("报批", "备案", "请示") else "报告"
                add("reporting", f"{subject}，需要{verb}吗？" if subject else None, text)
            oblige = _OBLIGE.search(clause)
            if oblige and not report and not _PROHIBIT.search(clause):
                subject = _subject_before(clauses, j, oblige.start())
                action = _phrase(clause[oblige.end():])
                if subject and action and len(action) >= 4 and not _WEAK_ACTION.search(action):
                    add("obligation", f"{subject}，需要{action}吗？", text)
            prohibit = _PROHIBIT.search(clause)
            if prohibit:
                subject = _subject_before(clauses, j, prohibit.start())
                action = _phrase(clause[prohibit.end():])
                if subject and action:
                    add("prohibition", f"{subject}，可以{action}吗？", text)
    return sorted(found.values(), key=lambda q: -PRIORITY[q.kind])[:MAX_PER_ARTICLE]
