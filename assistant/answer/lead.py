"""The direct first sentence of an answer ("简要回答：…"), built only from clauses of the cited
articles, so that the reader gets the conclusion before the quotes:

- a number or standard question: the clause stating the number, with its condition
  ("接待对象10人以内的，陪餐人数不超过3人");
- a yes/no question (是否 / 能否 / 要不要 …): 需要 / 应当 / 不得 / 可以, and the clause that decides it;
- a sanction question: the sanction clauses with the circumstances that move them up or down;
- a procedure question: the steps with their time limits, in the article's order;
- a definition question: the defining clause.

Every clause is a verbatim piece of a cited article (`Lead.verified` checks it); the only words of
its own are the fixed verdicts. Where no such clause is found, the lead says that no direct
conclusion could be drawn from the cited text, instead of guessing. The lead is only as right as
the article cited first: it restates that article's rule, it does not judge whether it is the rule
asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.models import Citation
from assistant.retrieval.question_kind import Kind, asks_quantity, has_quantity, states_quantity
from assistant.retrieval.retriever import defined_term, defines
from assistant.textsim import word_pairs

PREFIX = "简要回答："
UNSETTLED = "未能从所引条文中提炼出直接结论，请阅读以下原文。"
MAX_CLAUSES = 6
MAX_DEFINITION_CHARS = 160

_CLAUSE = re.compile(r"[^，,；;。！？!?：:\n]+")
_YES_NO = re.compile(r"是否|能否|可否|要不要|需不需要|用不用|能不能|可不可以|允不允许|算不算|属不属于|行不行|(吗|(?<![什怎多])么)[？?]?$")
_ASKS_NEED = re.compile(r"要不要|需不需要|是否需要|需要.*吗|用不用|必须|是否要|是否应当|应不应当|该不该")
_ASKS_PERMISSION = re.compile(r"能否|可否|能不能|可不可以|是否可以|允不允许|是否允许|可以.*吗|能.*吗|行不行")
_PROHIBITION = re.compile(r"不得|禁止|严禁|不准|不许|不能|不应")
_OBLIGATION = re.compile(r"应当|必须|须|应|要")
_PERMISSION = re.compile(r"可以|可")
_SANCTION = re.compile(r"警告|记过|记大过|降级|撤职|开除|留党察看|撤销党内职务|罢免|免职|政务处分|处分|追究.{0,4}责任|从重|从轻|减轻")
_STEP = re.compile(r"日内|日以内|个工作日|之日起|个月内|小时内|及时|立即|事先|事后|报告|报批|批准|审批|备案|申请|受理|审查|"
                   r"审理|复核|复查|申诉|送达|通知|作出.{0,8}决定|提交|讨论决定")
_CONDITION_END = re.compile(r"的$|以内$|以上$|以下$|期间$|时$")
_DEFINES = re.compile(r"是指|系指|所称.{0,30}?[，,]?(是)?指|(?<=[，,])指(?![导挥示定出引派标控明])")


@dataclass
class Lead:
    """The first sentence: an optional verdict, then clauses quoted from citation `marker`."""

    verdict: str | None = None
    clauses: list[str] = field(default_factory=list)
    marker: int | None = None
    joined: str = ""  # the clauses as they read in the article (its own punctuation between them)

    @property
    def settled(self) -> bool:
        return bool(self.clauses)

    @property
    def text(self) -> str:
        if not self.settled:
            return PREFIX + UNSETTLED
        verdict = f"{self.verdict}。" if self.verdict else ""
        body = self.joined.rstrip("，,；;：:。")
        return f"{PREFIX}{verdict}{body}[{self.marker}]。"

    def verified(self, citations: list[Citation]) -> bool:
        """Every clause is in the cited article's text."""
        cited = next((_squash(c.text) for c in citations if c.marker == self.marker), "")
        return all(_squash(clause) in cited for clause in self.clauses)


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.search(re.sub(r"\s+", "", question)))


def needs_lead(question: str, kind: Kind) -> bool:
    """The kinds of question that get a direct first sentence."""
    return kind in (Kind.STANDARD, Kind.SANCTION, Kind.PROCEDURE, Kind.DEFINITION) or is_yes_no(question) \
        or asks_quantity(question)


def lead_for(question: str, kind: Kind, citations: list[Citation]) -> Lead | None:
    """The direct first sentence for a question of this kind, from the cited articles; None for a
    kind that gets none (a lookup, a general question)."""
    if not citations or not needs_lead(question, kind):
        return None
    if citations[0].table_row is not None:
        lead = _table(question, citations[0])
    elif kind is Kind.STANDARD or asks_quantity(question):
        lead = _standard(question, citations)
    elif kind is Kind.SANCTION:
        lead = _listed(question, citations, _SANCTION)
    elif kind is Kind.PROCEDURE:
        lead = _listed(question, citations, _STEP)
    elif kind is Kind.DEFINITION:
        lead = _definition(question, citations)
    else:
        lead = _yes_no(question, citations)
    if lead is None or not lead.verified(citations):
        return Lead()
    return lead


# Clauses of the quoted sentences


@dataclass(frozen=True)
class _Clause:
    text: str
    start: int  # in the citation's text
    end: int
    sentence: int  # index of its sentence among the quoted ones


def _clauses(citation: Citation) -> list[_Clause]:
    out = []
    for i, (start, end) in enumerate(citation.spans):
        for m in _CLAUSE.finditer(citation.text, start, end):
            text = m.group(0).strip()
            if len(text) >= 2:
                offset = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
                out.append(_Clause(text, offset, offset + len(text), i))
    return out


def _overlap(question: str, text: str) -> float:
    q = word_pairs(question)
    return len(q & word_pairs(text)) / (len(q) or 1)


def _lead(citation: Citation, chosen: list[_Clause], verdict: str | None = None) -> Lead:
    """Clauses in the article's order; neighbours keep the punctuation between them, others get "；"."""
    chosen = sorted(set(chosen), key=lambda c: c.start)
    parts: list[str] = []
    for previous, clause in zip([None, *chosen], chosen):
        if previous is not None:
            gap = citation.text[previous.end:clause.start]
            neighbours = previous.sentence == clause.sentence and not gap.strip("，,；;：: ")
            parts.append(gap.strip() if neighbours else "；")
        parts.append(clause.text)
    return Lead(verdict, [c.text for c in chosen], citation.marker, "".join(parts))


def _with_condition(clauses: list[_Clause], i: int) -> list[_Clause]:
    """A clause with the condition clause just before it in the same sentence (…以内的，…)."""
    chosen = [clauses[i]]
    j = i - 1
    while j >= 0 and clauses[j].sentence == clauses[i].sentence and _CONDITION_END.search(clauses[j].text) \
            and len(chosen) < 3:
        chosen.insert(0, clauses[j])
        j -= 1
    return chosen


def _best(question: str, citations: list[Citation], wanted) -> tuple[Citation, list[_Clause], int] | None:
    """The citation and clause index of the clause that best fits the question among those `wanted`."""
    best, best_score = None, -1.0
    for rank, c in enumerate(citations):
        clauses = _clauses(c)
        for i, clause in enumerate(clauses):
            if not wanted(clause.text):
                continue
            score = _overlap(question, clause.text) + 0.5 * _overlap(question, _sentence_of(c, clause)) - 0.05 * rank
            if score > best_score:
                best, best_score = (c, clauses, i), score
    return best


def _sentence_of(citation: Citation, clause: _Clause) -> str:
    start, end = citation.spans[clause.sentence]
    return citation.text[start:end]


# One function a kind


_TOTAL_COLUMNS = ("合计", "总计", "小计", "总额", "综合定额")
_TABLE_UNIT = re.compile(r"单位\s*[:：]\s*([^）)\s]+)")


def _table(question: str, citation: Citation) -> Lead:
    """A value read from a cited table row: the columns the question names ("住宿费"), else the
    total column ("综合定额" asks for 合计), else the whole row; with the caption's unit."""
    row = citation.table_row
    pairs = row.pairs()
    if not pairs:
        return Lead()
    asked_text = _squash(question)
    asked = [(n, v) for n, v in pairs[1:] if n and v and _squash(n) in asked_text]
    if not asked:
        asked = [(n, v) for n, v in pairs[1:] if v and any(t in n for t in _TOTAL_COLUMNS)][:1]
    if not asked:
        asked = [(n, v) for n, v in pairs[1:] if v]
    unit = _TABLE_UNIT.search(row.caption)
    suffix = f"（{unit.group(1)}）" if unit else ""
    said = "，".join(f"{name}为{value}" for name, value in asked)
    return Lead(clauses=[v for _, v in asked], marker=citation.marker, joined=f"{pairs[0][1]}：{said}{suffix}")


def _standard(question: str, citations: list[Citation]) -> Lead | None:
    strict = asks_quantity(question)
    found = _best(question, citations, states_quantity if strict else has_quantity)
    if found is None:
        return None
    citation, clauses, i = found
    chosen = _with_condition(clauses, i)
    j = i + 1  # a condition ("接待对象在10人以内的") reads on to what it conditions
    while _CONDITION_END.search(chosen[-1].text) and j < len(clauses) and clauses[j].sentence == clauses[i].sentence:
        chosen.append(clauses[j])
        j += 1
    return _lead(citation, chosen)


def _listed(question: str, citations: list[Citation], pattern: re.Pattern) -> Lead | None:
    """Every matching clause (with its condition) of the first citation that has one, in order."""
    for citation in citations:
        clauses = _clauses(citation)
        chosen: list[_Clause] = []
        for i, clause in enumerate(clauses):
            if pattern.search(clause.text) and not _CONDITION_END.search(clause.text):  # "…处分的" is a condition
                chosen += [c for c in _with_condition(clauses, i) if c not in chosen]
            if len(chosen) >= MAX_CLAUSES:
                break
        if chosen:
            return _lead(citation, chosen[:MAX_CLAUSES])
    return None


def _definition(question: str, citations: list[Citation]) -> Lead | None:
    """The quoted sentence that defines the term asked about (else one that defines anything)."""
    term = defined_term(question)
    candidates = []
    for rank, citation in enumerate(citations):
        for start, end in citation.spans:
            sentence = citation.text[start:end].strip().rstrip("。；;：:，,")
            if len(sentence) > MAX_DEFINITION_CHARS:
                continue
            if term and defines(sentence, term):
                candidates.append((0, rank, citation, sentence))
            elif _DEFINES.search(sentence):
                candidates.append((1, rank, citation, sentence))
    if not candidates:
        return None
    _, _, citation, sentence = min(candidates, key=lambda x: x[:2])
    return Lead(None, [sentence], citation.marker, sentence)


def _yes_no(question: str, citations: list[Citation]) -> Lead | None:
    found = _best(question, citations, lambda t: bool(_PROHIBITION.search(t) or _OBLIGATION.search(t)
                                                      or _PERMISSION.search(t)))
    if found is None:
        return None
    citation, clauses, i = found
    text = clauses[i].text
    asks_need, asks_permission = bool(_ASKS_NEED.search(question)), bool(_ASKS_PERMISSION.search(question))
    verdict = None  # the clause's modal does not answer what was asked: quote it without a verdict
    if _PROHIBITION.search(text):
        verdict = "不可以" if asks_permission and not asks_need else "不得"
    elif _OBLIGATION.search(text) and asks_need:
        verdict = "需要"
    elif _PERMISSION.search(text) and asks_permission:
        verdict = "可以"
    chosen = _with_condition(clauses, i)
    j = i + 1  # read on to the end of the sentence (a modal clause alone is often half a rule)
    while j < len(clauses) and clauses[j].sentence == clauses[i].sentence and len(chosen) < MAX_CLAUSES:
        chosen.append(clauses[j])
        j += 1
    return _lead(citation, chosen, verdict)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
