"""Quiz generation without an LLM, from the normative sentences of the chosen documents.

- 填空 (blank): a fact of a sentence (a number, a sanction, an organ) becomes a blank.
- 单选 (single): the same, with three distractors of the same kind from sibling articles (the same
  document first), never a value that occurs in the cited article.
- 多选 (multiple): an enumeration (the sentence that introduces items, and its items); some items
  are the correct options, items of other enumerations of the document are the distractors.
- 判断 (judge): a sentence as written (true) or with exactly one fact changed (false): a number, a
  sanction, an organ or the modal verb (不得 → 可以).

Candidates are spread over documents and chapters in turn, one item per fact, reproducibly for a
seed, and every item is validated (assistant/quiz/validate.py) before it is kept.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.quiz.facts import (
    MODAL_FLIPS,
    ORGANS,
    OTHER_SANCTIONS,
    PARTY_SANCTIONS,
    Fact,
    facts_in,
    item_text,
    organ_group,
    without_label,
)
from assistant.quiz.models import BLANK, QuizCitation, QuizItem
from assistant.quiz.validate import failures, gives_away
from assistant.sentences import Sentence, split_sentences
from assistant.textsim import jaccard, word_pairs
from ingest.metadata import title_key
from ingest.models import ParsedDocument
from ingest.numerals import to_int

TYPES = ("single", "multiple", "judge", "blank")
LETTERS = "ABCDE"
MIN_SENTENCE = 10  # characters; shorter sentences test nothing
MAX_SENTENCE = 160
MAX_ITEM = 40  # an enumeration item longer than this is not an option


@dataclass
class Source:
    """One article (or outline item) of a document, ready to make items from."""

    doc: ParsedDocument
    unit_index: int
    text: str
    start: int
    chapter: str
    chunks: list[tuple[int, int, str]]  # (start, end, node id) of the indexed passages

    @property
    def unit(self):
        return self.doc.units[self.unit_index]

    def citation(self) -> QuizCitation:
        m, u = self.doc.meta, self.unit
        return QuizCitation(source=self.doc.source, title=m.title, version=m.version,
                            article=u.number if u.kind == "article" else None, article_label=u.label,
                            heading=self.chapter, doc_number=m.doc_number, text=self.text, start=self.start)

    def reference(self) -> str:
        return self.citation().reference

    def chunk_at(self, offset: int) -> str | None:
        absolute = self.start + offset
        return next((node_id for s, e, node_id in self.chunks if s <= absolute < e), None)


@dataclass
class Candidate:
    type: str
    source: Source
    sentence: Sentence  # the sentence tested (for an item line, the item)
    statement: str  # the text the stem shows (lead + item for an item line)
    fact: Fact | None = None
    lead: Sentence | None = None
    items: list[str] = field(default_factory=list)  # enumeration items (multiple choice)

    @property
    def key(self) -> tuple:
        """What the item tests: the same fact in another version of the document is the same fact."""
        group = title_key(self.source.doc.meta.title)
        what = self.fact.text if self.fact else "|".join(self.items)
        return group, re.sub(r"\s+", "", without_label(self.sentence.text)), what


def _number_value(text: str) -> tuple[float | None, str]:
    m = re.match(r"([0-9.]+|[一二三四五六七八九十百千万两]+)(.*)", text)
    if not m:
        return None, text
    raw, unit = m.groups()
    try:
        value = float(raw) if raw[0].isdigit() else float(to_int(raw))
    except (TypeError, ValueError):
        return None, unit
    return value, unit


def same_value(a: str, b: str) -> bool:
    """三人 and 3人 are the same value."""
    va, ua = _number_value(a)
    vb, ub = _number_value(b)
    return a == b or (va is not None and va == vb and ua == ub)


NEAR_VALUES = 6  # distractors for a number are drawn from the values nearest to it


def _distance(a: str, b: str) -> float:
    va, _ = _number_value(a)
    vb, _ = _number_value(b)
    if not va or not vb:
        return float("inf")
    return abs(math.log(va / vb))


class Pools:
    """Values of each kind found in the chosen documents, to draw distractors from."""

    def __init__(self, sources: list[Source]):
        self.by_doc: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.all: dict[str, list[str]] = defaultdict(list)
        self.lists_by_doc: dict[str, list[tuple[set[str], list[str]]]] = defaultdict(list)
        for source in sources:
            for s in split_sentences(source.text):
                for f in facts_in(s.text, source.text):
                    if f.kind != "modal":
                        self._add(self.by_doc[(source.doc.doc_id, f.kind)], f.text)
                        self._add(self.all[f.kind], f.text)
            for lead, items in enumerations(source):
                self.lists_by_doc[source.doc.doc_id].append((word_pairs(lead.text), items))
        for name in PARTY_SANCTIONS:
            self._add(self.all["sanction:party"], name)
        for name in OTHER_SANCTIONS:
            self._add(self.all["sanction:other"], name)
        for name in ORGANS:
            self._add(self.all["organ"], name)

    @staticmethod
    def _add(values: list[str], value: str) -> None:
        if value not in values:
            values.append(value)

    def distractors(self, fact: Fact, source: Source, rng: random.Random, n: int = 3) -> list[str]:
        """n values of the fact's kind that the cited article does not hold (same document first),
        none containing another option, none an organ of the key's own group."""
        def fits(v: str, chosen: list[str]) -> bool:
            others = chosen + [fact.text]
            return (v not in source.text and not any(same_value(v, t) for t in others)
                    and not any(v in t or t in v for t in others)
                    and (fact.kind != "organ" or organ_group(v) != organ_group(fact.text)))

        chosen: list[str] = []
        for values in (self.by_doc.get((source.doc.doc_id, fact.kind), []), self.all.get(fact.kind, [])):
            pool = list(values)
            rng.shuffle(pool)
            if fact.kind.startswith("number:"):  # near values make better distractors (2年 for 3年, not 100年)
                pool = sorted(pool, key=lambda v: _distance(v, fact.text))[:NEAR_VALUES]
                rng.shuffle(pool)
            for v in pool:
                if len(chosen) < n and fits(v, chosen):
                    chosen.append(v)
        return chosen if len(chosen) == n else []

    def item_distractors(self, source: Source, lead: Sentence, items: list[str], rng: random.Random,
                         n: int) -> list[str]:
        """n items of other lists of the document, from the lists whose lead reads most like this
        one first (从重处分的情形 ↔ 从轻处分的情形); none the article holds or that restates a correct item."""
        mine = word_pairs(lead.text)
        lists = sorted(self.lists_by_doc.get(source.doc.doc_id, []),
                       key=lambda entry: -jaccard(mine, entry[0]))
        out: list[str] = []
        for _, others in lists:
            pool = [v for v in others if v not in source.text and v not in items and len(v) <= MAX_ITEM
                    and all(jaccard(word_pairs(v), word_pairs(x)) < RESTATES for x in items + out)]
            rng.shuffle(pool)
            for v in pool:
                if len(out) < n:
                    out.append(v)
            if len(out) == n:
                return out
        return []


RESTATES = 0.5  # a wrong option this close to a correct item says the same thing


def enumerations(source: Source) -> list[tuple[Sentence, list[str]]]:
    """(lead sentence, item texts) for each list in the article: '…下列…：' then （一）（二）…"""
    sentences = split_sentences(source.text)
    out = []
    for i, s in enumerate(sentences):
        if not s.is_lead:
            continue
        items = []
        for later in sentences[i + 1:]:
            if not later.is_item:
                break
            items.append(item_text(later.text))
        if 3 <= len(items) <= 8 and all(0 < len(x) <= MAX_ITEM for x in items) and len(set(items)) == len(items):
            out.append((s, items))
    return out


def _lead_of(sentences: list[Sentence], i: int) -> Sentence | None:
    return next((sentences[j] for j in range(i - 1, -1, -1) if sentences[j].is_lead), None)


def candidates(source: Source) -> list[Candidate]:
    out: list[Candidate] = []
    sentences = split_sentences(source.text)
    for i, s in enumerate(sentences):
        if s.is_lead:
            continue
        if s.is_item:
            lead = _lead_of(sentences, i)
            if lead is None:
                continue
            statement = lead.text.rstrip("：:") + "，" + item_text(s.text) + "。"
        else:
            lead, statement = None, without_label(s.text)
        if not MIN_SENTENCE <= len(statement) <= MAX_SENTENCE:
            continue
        facts = facts_in(s.text, source.text)
        for f in facts:
            # A value the sentence states twice would give itself away.
            if f.kind != "modal" and s.text.count(f.text) == 1:
                for kind in ("blank", "single"):
                    out.append(Candidate(kind, source, s, statement, f, lead))
        if facts:
            out.append(Candidate("judge", source, s, statement, None, lead))
    for lead, items in enumerations(source):
        out.append(Candidate("multiple", source, lead, lead.text, None, None, items))
    return out


def difficulty(candidate: Candidate) -> str:
    if candidate.type == "multiple":
        return "hard" if len(candidate.items) >= 5 else "medium"
    length = len(candidate.statement)
    if length > 90:
        return "hard"
    if candidate.type == "judge" or length <= 40:
        return "easy"
    return "medium"


def _statement_with(candidate: Candidate, replacement: str, fact: Fact) -> str:
    """The statement with `fact` (in the tested sentence) replaced."""
    s = candidate.sentence
    changed = s.text[:fact.start] + replacement + s.text[fact.end:]
    if candidate.lead is None:
        return without_label(changed)
    return candidate.lead.text.rstrip("：:") + "，" + item_text(changed) + "。"


def _explanation(candidate: Candidate) -> str:
    return f"出自{candidate.source.reference()}：“{candidate.statement if candidate.lead else candidate.sentence.text}”"


def build_item(candidate: Candidate, pools: Pools, rng: random.Random) -> QuizItem | None:
    source = candidate.source
    ref = source.reference()
    common = dict(id="", difficulty=difficulty(candidate), citation=source.citation(),
                  chunk_id=source.chunk_at(candidate.sentence.start), sentence=candidate.sentence.text)
    if candidate.type == "blank":
        f = candidate.fact
        stem = f"根据{ref}，{_statement_with(candidate, BLANK, f)}"
        return QuizItem(type="blank", stem=stem, answer=f.text, explanation=_explanation(candidate),
                        fact=f.text, **common)
    if candidate.type == "single":
        f = candidate.fact
        wrong = pools.distractors(f, source, rng)
        if not wrong:
            return None
        values = wrong + [f.text]
        rng.shuffle(values)
        options = dict(zip(LETTERS, values))
        key = next(k for k, v in options.items() if v == f.text)
        stem = f"根据{ref}，{_statement_with(candidate, '（　　）', f)}括号中应填入的是："
        return QuizItem(type="single", stem=stem, options=options, answer=key,
                        explanation=_explanation(candidate), fact=f.text, **common)
    if candidate.type == "judge":
        facts = facts_in(candidate.sentence.text, source.text)
        if rng.random() < 0.5:
            return QuizItem(type="judge", stem=f"根据{ref}，{candidate.statement}", answer=True,
                            explanation="正确。" + _explanation(candidate), fact=candidate.statement, **common)
        rng.shuffle(facts)
        # Prefer changing a number or a sanction, then the modal verb, an organ last.
        for f in sorted(facts, key=lambda f: {"modal": 1, "organ": 2}.get(f.kind, 0)):
            if f.kind == "modal":
                replacement = MODAL_FLIPS[f.text]
            else:
                options = pools.distractors(f, source, rng, n=1)
                if not options:
                    continue
                replacement = options[0]
            changed = _statement_with(candidate, replacement, f)
            if changed == candidate.statement:
                continue
            explanation = f"错误。题中“{replacement}”应为“{f.text}”。" + _explanation(candidate)
            return QuizItem(type="judge", stem=f"根据{ref}，{changed}", answer=False, explanation=explanation,
                            fact=f"{f.text}→{replacement}", **common)
        return None
    if candidate.type == "multiple":
        items = candidate.items
        n_correct = min(len(items), rng.choice([2, 3, 3, 4]))
        correct = rng.sample(items, n_correct)
        n_options = max(n_correct + 1, 5 if len(items) >= 5 else 4)
        wrong = pools.item_distractors(source, candidate.sentence, items, rng, n_options - n_correct)
        if not wrong:
            return None
        values = correct + wrong
        rng.shuffle(values)
        options = dict(zip(LETTERS, values))
        key = sorted(k for k, v in options.items() if v in correct)
        stem = f"根据{ref}，“{candidate.sentence.text.rstrip('：:')}”，下列选项中属于所列内容的有（　　）"
        return QuizItem(type="multiple", stem=stem, options=options, answer=key,
                        explanation=f"出自{ref}，所列内容为：" + "；".join(items) + "。",
                        fact="|".join(items), **common)
    return None


@dataclass
class QuizRequest:
    types: tuple[str, ...] = TYPES
    count: int = 20
    difficulty: str | None = None
    seed: int = 0


def split_counts(types: tuple[str, ...], count: int) -> dict[str, int]:
    base, extra = divmod(count, len(types))
    return {t: base + (1 if i < extra else 0) for i, t in enumerate(types)}


def _spread(candidates_by_place: dict[tuple[str, str], list[Candidate]], rng: random.Random):
    """Candidates in turn across documents, and within a document across its chapters, so that
    coverage comes before depth."""
    chapters: dict[str, list[list[Candidate]]] = defaultdict(list)
    for (doc_id, _), found in sorted(candidates_by_place.items()):
        found = list(found)
        rng.shuffle(found)
        chapters[doc_id].append(found)
    docs = sorted(chapters)
    rng.shuffle(docs)
    for doc_id in docs:
        rng.shuffle(chapters[doc_id])
    turn = dict.fromkeys(docs, 0)
    while any(any(c) for c in chapters.values()):
        for doc_id in docs:
            lists = [c for c in chapters[doc_id] if c]
            if lists:
                yield lists[turn[doc_id] % len(lists)].pop()
                turn[doc_id] += 1


def sentence_key(item: QuizItem) -> tuple[str, str]:
    """The fact an item tests, as far as duplicates go: the document (any version) and the sentence."""
    return title_key(item.citation.title), re.sub(r"\s+", "", without_label(item.sentence))


def generate(sources: list[Source], request: QuizRequest,
             progress: Callable[[int, int], None] | None = None,
             rejected: Counter | None = None, tested: set | None = None) -> list[QuizItem]:
    """Items of the requested types and count, spread over documents and chapters. `rejected`
    counts the candidates that failed each validation check (or had no distractors); sentences in
    `tested` (see sentence_key) are not tested again."""
    rng = random.Random(request.seed)
    pools = Pools(sources)
    by_type: dict[str, dict[tuple, list[Candidate]]] = {t: defaultdict(list) for t in request.types}
    for source in sources:
        for c in candidates(source):
            if c.type in by_type and (request.difficulty is None or difficulty(c) == request.difficulty):
                by_type[c.type][(source.doc.doc_id, source.chapter)].append(c)
    wanted = split_counts(request.types, request.count)
    rejected = rejected if rejected is not None else Counter()
    items: list[QuizItem] = []
    used: set[tuple] = set(tested or ())
    for kind in request.types:
        made = 0
        for candidate in _spread(by_type[kind], rng):
            if made >= wanted[kind]:
                break
            tested_sentence = candidate.key[:2]  # as sentence_key(item) gives it
            if candidate.key in used or tested_sentence in used:  # one item per fact and per sentence
                continue
            item = build_item(candidate, pools, rng)
            if item is None:
                rejected["no_distractors"] += 1
                continue
            failed = failures(item)
            if failed:
                rejected.update(failed)
                continue
            if any(gives_away(item, other) or gives_away(other, item) for other in items):
                rejected["gives_away_another"] += 1  # one item of the quiz would tell another's key
                continue
            used.update({candidate.key, tested_sentence})
            item.id = f"q{len(items) + 1:04d}"
            items.append(item)
            made += 1
            if progress:
                progress(len(items), request.count)
    return items
