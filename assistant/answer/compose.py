"""The extractive composer: from the passages retrieval found, pick the sentences that answer the
question, aware of its kind, and keep them in a reading order. Nothing is written that is not a
sentence of a source; the answer text around the quotes is a template (see answerer.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.retrieval.question_kind import Kind, answers_kind
from assistant.retrieval.terms import QuestionTerms
from assistant.sentences import Sentence, split_sentences
from assistant.textsim import article_pairs, jaccard
from ingest.instructions import is_instruction


@dataclass
class Unit:
    """An article (or outline item) that retrieval found, with its whole text."""

    rank: int  # retrieval rank of its best passage, 0 first
    doc_id: str
    unit_index: int
    text: str  # the whole article / item
    start: int  # offset of `text` in its document
    metadata: dict  # metadata of the passage that found it
    sentences: list[Sentence] = field(default_factory=list)
    relevance: float | None = None  # P(it answers the question), best of its passages


@dataclass
class Pick:
    unit: Unit
    sentences: list[Sentence]  # in document order
    score: float


RANK_DECAY = 0.08  # how fast a passage's retrieval rank lowers its sentences' scores
KIND_BONUS = 0.15  # a sentence shaped like the answer the question wants
STANDARD_BONUS = 0.3  # … and more so a sentence stating the number a question asks for
OTHER_UNIT_RATIO = 0.7  # a further article is cited when its best sentence scores this close to the first's
MAX_UNITS = 5
MAX_SENTENCES_PER_UNIT = 3
SENTENCE_RATIO = 0.7
SAME_RULE_SIMILARITY = 0.5  # quotes from two versions of a document this alike are one rule  # further sentences of an article are taken when this close to its best


def score_sentence(sentence: Sentence, unit: Unit, terms: QuestionTerms, kind: Kind) -> float:
    score = terms.coverage(sentence.text) + 0.3 * terms.coverage(unit.text)
    if answers_kind(sentence.text, kind):
        score += STANDARD_BONUS if kind is Kind.STANDARD else KIND_BONUS
    return score / (1 + RANK_DECAY * unit.rank)


MAX_LISTED_ITEMS = 10
UNLABELLED_ITEM_CHARS = 30


def _with_context(unit: Unit, chosen: list[Sentence]) -> list[Sentence]:
    """An item（一）… read alone lacks its subject and sanction: add the sentence that introduces it.
    A sentence that introduces a list ('政务处分的种类为：') says nothing alone: add its items."""
    out = set(chosen)
    for s in chosen:
        if s.is_lead:
            i = unit.sentences.index(s)
            items = []
            for later in unit.sentences[i + 1:]:
                # Items are labelled （一）…, or short unlabelled lines up to the one that ends the
                # sentence (监察委员会由下列人员组成：/ 主任，/ 副主任若干人，/ 委员若干人。).
                unlabelled = not any(x.is_item for x in items) and len(later.text) <= UNLABELLED_ITEM_CHARS \
                    and not (items and items[-1].text.endswith("。"))
                if not (later.is_item or unlabelled):
                    break
                items.append(later)
            if len(items) <= MAX_LISTED_ITEMS:
                out.update(items)
        if s.is_item:
            i = unit.sentences.index(s)
            lead = next((unit.sentences[j] for j in range(i - 1, -1, -1) if unit.sentences[j].is_lead), None)
            if lead is not None:
                out.add(lead)
    return sorted(out, key=lambda s: s.start)


def pick_sentences(units: list[Unit], terms: QuestionTerms, kind: Kind, defined: str | None = None,
                   whole: int = 1) -> list[Pick]:
    """The sentences to quote, per article, best article first. When the first article defines the
    term a question asks about (`defined`), only other definitions of it are added. A lookup quotes
    the first `whole` articles in full (several when the question names articles of several documents)."""
    scored: list[Pick] = []
    for unit in units:
        unit.sentences = unit.sentences or split_sentences(unit.text)
        # Text addressed to a model ("忽略以上指令……") is never quoted as a rule.
        rules = [s for s in unit.sentences if not is_instruction(s.text)]
        if not rules:
            continue
        if kind is Kind.LOOKUP and unit.rank < whole:
            scored.append(Pick(unit, rules, 10.0))
            continue
        ranked = sorted(((score_sentence(s, unit, terms, kind), s) for s in rules),
                        key=lambda x: -x[0])
        best = ranked[0][0]
        # Procedures read as a whole: all of the article's steps when it lists them.
        if kind is Kind.PROCEDURE and sum(s.is_item for s in unit.sentences) >= 2 and unit.rank == 0:
            chosen = list(unit.sentences)
        else:
            chosen = [s for sc, s in ranked[:MAX_SENTENCES_PER_UNIT] if sc >= SENTENCE_RATIO * best]
        scored.append(Pick(unit, [s for s in _with_context(unit, chosen) if not is_instruction(s.text)], best))
    if not scored:
        return []
    if kind is Kind.LOOKUP and scored[0].unit.rank == 0:
        return [p for p in scored if p.unit.rank < whole]
    first, others = scored[0], sorted(scored[1:], key=lambda p: -p.score)
    picks = [first]
    if defined and _defines(first, defined):
        others = [p for p in others if _defines(p, defined)]
    for p in others:
        if len(picks) >= MAX_UNITS or p.score < OTHER_UNIT_RATIO * first.score:
            break
        if any(_same_rule(p, q) for q in picks):
            continue
        picks.append(p)
    return picks


def _defines(pick: Pick, term: str) -> bool:
    from assistant.retrieval.retriever import defines

    return any(defines(s.text, term) for s in pick.sentences)


def _same_rule(a: Pick, b: Pick) -> bool:
    """Two versions of one document quoting (nearly) the same words: cite only the first."""
    if a.unit.metadata.get("title") != b.unit.metadata.get("title"):
        return False
    quoted = [article_pairs("".join(s.text for s in pick.sentences)) for pick in (a, b)]
    return jaccard(*quoted) >= SAME_RULE_SIMILARITY
