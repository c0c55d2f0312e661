"""Does a passage answer a question? A small learned model, P(passage answers question), used
wherever a decision is made: retrieval re-ranks by it, answers refuse, cite or only list by it,
and the FAQ keeps an entry by it (through the answers).

No cross-encoder ships on PyPI, so the model is a gradient-boosted tree ensemble (LightGBM) over
features designed here: how much of the question's weighted words the passage holds, whether the
question's key words occur anywhere in the knowledge base at all (judged against jieba's general
dictionary frequencies), the retrieval scores and margins, document and article routing, whether
the passage is of the kind the question asks for (a sanction, a number, a definition), and exact
phrase overlap. `python -m evals.train_relevance` rebuilds the shipped model from the corpus and
the team's question banks (never the dev questions), with a fixed seed.

    model = RelevanceModel.load()
    probabilities = model.score(QuestionContext(question, plan, index), passages)
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.retrieval.lexicon import ASK_WORD, segmenter
from assistant.retrieval.question_kind import Kind, answers_kind, has_quantity, question_kind
from assistant.retrieval.terms import QuestionTerms
from assistant.sentences import split_sentences
from assistant.textsim import word_pairs

_SANCTION_WORDS = re.compile(r"处分|警告|记过|降级|撤职|开除|留党察看|撤销党内职务|追究|问责|处理|处罚|罢免|免职|辞退")


@dataclass
class Passage:
    """One retrieved passage with what retrieval knows of it."""

    text: str  # the passage (or the whole article it belongs to)
    title: str
    heading: str
    doc_group: str  # title key shared by the versions of one document
    current: bool  # of the newest version in the index
    lexical: float  # BM25 score (0 when BM25 did not find it)
    dense: float  # cosine with the question
    fused: float  # the retriever's final score
    rank: int  # 0 first
    routed: bool = False  # reached through a named article (第X条 of a named document)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Character pairs of a passage, computed once per text (passages recur across questions).
cjk_pairs = lru_cache(maxsize=50_000)(word_pairs)


@lru_cache(maxsize=50_000)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.text for s in split_sentences(text))


class QuestionContext:
    """What the features need to know of a question, computed once."""

    def __init__(self, question: str, index, named_groups: list[str] | None = None,
                 names_article: bool = False, kind: Kind | None = None):
        self.question = question
        self.terms = QuestionTerms(question, index)
        self.kind = kind or question_kind(question, names_article)
        self.named_groups = set(named_groups or [])
        self.names_article = names_article
        self.squashed = squash(question)
        self.pairs = set(cjk_pairs(re.sub(r"第[零〇一二三四五六七八九十百千0-9]+条", "", question)))
        self.unknown_share, self.unknown_max, self.domain_mean, self.domain_min = _domain_words(question, index)
        self.lexical_scale = sum(index.idf(t) for t in set(segmenter().tokens(question)) if index.knows(t)) or 1.0
        self.asks_number = self.kind is Kind.STANDARD


def question_words(question: str) -> list[str]:
    """The question's content words of two or more characters (a word the dictionary lacks stays
    whole), question words left out."""
    return [w for w in segmenter().words(question, discover=True) if len(w) >= 2 and not ASK_WORD.match(w)]


def _domain_words(question: str, index) -> tuple[float, float, float, float]:
    """How much the question's words belong to the knowledge base rather than to everyday language.

    For each content word: its rarity in general language (jieba's dictionary counts), whether it
    occurs anywhere in the knowledge base's text, and how much more often it occurs there than in
    general language (log ratio). Returns the rarity-weighted share of words the knowledge base
    never uses, the rarity of the rarest such word, and the mean and minimum log ratio."""
    n = max(len(index), 1)
    weights = unknown = rarest = 0.0
    ratios = []
    for word in question_words(question):
        count, total = segmenter().frequency(word)
        rarity = math.log(total / (count + 1))
        weights += rarity
        rows = index.occurrences(word)
        if rows == 0:
            unknown += rarity
            rarest = max(rarest, rarity)
        ratios.append(math.log((rows + 0.5) / n) - math.log((count + 1) / total))
    if not ratios:
        return 0.0, 0.0, 0.0, 0.0
    return unknown / weights, rarest / 20.0, float(np.mean(ratios)) / 10.0, min(ratios) / 10.0


FEATURES = [
    "coverage", "coverage_with_heading", "coverage_heading", "coverage_best_sentence", "unknown_share",
    "unknown_max", "domain_mean", "domain_min",
    "dense", "dense_gap", "dense_top", "lexical_ratio", "lexical_log", "lexical_absolute", "fused_ratio", "rank",
    "first_second_margin", "routed", "named_document", "other_document_named", "current",
    "kind_match", "number_missing", "sanction_missing", "phrase_run", "phrase_share", "pair_share",
    "passage_length", "kind",
]
_KINDS = [k for k in Kind]


def features(ctx: QuestionContext, passages: list[Passage]) -> np.ndarray:
    """One row of FEATURES per passage (the passages of one question, in retrieval order)."""
    if not passages:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    dense_top = max(p.dense for p in passages)
    lexical_top = max(p.lexical for p in passages) or 1.0
    fused_sorted = sorted((p.fused for p in passages), reverse=True)
    fused_top = fused_sorted[0] or 1.0
    margin = (fused_sorted[0] - fused_sorted[1]) / fused_top if len(fused_sorted) > 1 else 1.0
    rows = []
    for p in passages:
        text = squash(p.text)
        heading = f"{p.title} {p.heading}"
        run = _longest_run(ctx.squashed, text)
        rows.append([
            ctx.terms.coverage(text),
            ctx.terms.coverage(heading + text),
            ctx.terms.coverage(heading),
            max((ctx.terms.coverage(s) for s in _sentences(p.text)), default=0.0),
            ctx.unknown_share,
            ctx.unknown_max,
            ctx.domain_mean,
            ctx.domain_min,
            p.dense,
            dense_top - p.dense,
            dense_top,
            p.lexical / lexical_top,
            math.log1p(max(p.lexical, 0.0)),
            p.lexical / ctx.lexical_scale,
            p.fused / fused_top,
            min(p.rank, 20) / 20.0,
            margin,
            float(p.routed),
            float(p.doc_group in ctx.named_groups),
            float(bool(ctx.named_groups) and p.doc_group not in ctx.named_groups),
            float(p.current),
            float(answers_kind(text, ctx.kind)),
            float(ctx.asks_number and not has_quantity(text)),
            float(ctx.kind is Kind.SANCTION and not _SANCTION_WORDS.search(text)),
            min(run, 40) / 40.0,
            run / max(len(ctx.squashed), 1),
            len(ctx.pairs & cjk_pairs(text)) / len(ctx.pairs) if ctx.pairs else 0.0,
            math.log1p(len(text)),
            float(_KINDS.index(ctx.kind)),
        ])
    return np.asarray(rows, dtype=np.float32)


def _longest_run(question: str, text: str) -> int:
    """Length of the longest run of characters the question and the passage share verbatim."""
    if not question or not text:
        return 0
    match = SequenceMatcher(None, question, text, autojunk=False).find_longest_match(0, len(question), 0, len(text))
    return match.size


QUESTION_FEATURES = [
    "best", "second", "top3_mean", "unknown_share", "unknown_max", "domain_mean", "domain_min",
    "best_coverage", "best_sentence_coverage", "max_sentence_coverage", "max_coverage_with_heading",
    "best_lexical_absolute", "max_lexical_absolute", "dense_top", "best_pair_share", "max_pair_share",
    "max_phrase_share", "kind", "named_document",
]


def question_features(matrix: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """One row of QUESTION_FEATURES for a question: its passages' features and probabilities summed up."""
    if len(matrix) == 0:
        return np.zeros((1, len(QUESTION_FEATURES)), dtype=np.float32)
    col = {name: matrix[:, i] for i, name in enumerate(FEATURES)}
    order = np.argsort(-probabilities, kind="stable")
    best = order[0]
    top = probabilities[order]
    return np.asarray([[
        top[0], top[1] if len(top) > 1 else 0.0, float(top[:3].mean()),
        col["unknown_share"][0], col["unknown_max"][0], col["domain_mean"][0], col["domain_min"][0],
        col["coverage"][best], col["coverage_best_sentence"][best], col["coverage_best_sentence"].max(),
        col["coverage_with_heading"].max(), col["lexical_absolute"][best], col["lexical_absolute"].max(),
        col["dense_top"][0], col["pair_share"][best], col["pair_share"].max(), col["phrase_share"].max(),
        col["kind"][0], col["named_document"].max(),
    ]], dtype=np.float32)


@dataclass
class Thresholds:
    refuse: float  # P(the documents answer the question) below this: refuse
    cite: float  # besides the best passage, only passages at or above this P are cited; the rest are listed


@dataclass
class Judgement:
    probabilities: np.ndarray  # P(passage answers the question), per passage
    answerable: float  # P(the documents answer the question)


class RelevanceModel:
    """The shipped (or a retrained) models and their calibrated thresholds: a passage model
    (P(passage answers question), for ranking and citing) and a question model on top of it
    (P(the documents answer the question at all), for refusing)."""

    def __init__(self, passage_booster, question_booster, thresholds: Thresholds, meta: dict):
        self.passage_booster = passage_booster
        self.question_booster = question_booster
        self.thresholds = thresholds
        self.meta = meta

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "RelevanceModel":
        if folder is None:
            return _shipped()
        return cls._from_texts(*(Path(folder, name).read_text(encoding="utf-8") for name in MODEL_FILES))

    @classmethod
    def _from_texts(cls, passage_text: str, question_text: str, meta_text: str) -> "RelevanceModel":
        lightgbm = import_lightgbm()
        meta = json.loads(meta_text)
        if meta.get("features") != FEATURES or meta.get("question_features") != QUESTION_FEATURES:
            raise ValueError("相关性模型的特征与代码不一致，请运行 python -m evals.train_relevance 重新训练")
        return cls(lightgbm.Booster(model_str=passage_text), lightgbm.Booster(model_str=question_text),
                   Thresholds(**meta["thresholds"]), meta)

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """P(passage answers question) for rows of FEATURES."""
        if len(matrix) == 0:
            return np.zeros(0)
        return np.asarray(self.passage_booster.predict(matrix, num_threads=1), dtype=float)

    def predict_answerable(self, rows: np.ndarray) -> np.ndarray:
        """P(the documents answer the question) for rows of QUESTION_FEATURES."""
        return np.asarray(self.question_booster.predict(rows, num_threads=1), dtype=float)

    def judge(self, ctx: QuestionContext, passages: list[Passage]) -> Judgement:
        matrix = features(ctx, passages)
        probabilities = self.predict(matrix)
        answerable = float(self.predict_answerable(question_features(matrix, probabilities))[0]) if passages else 0.0
        return Judgement(probabilities, answerable)


def import_lightgbm():
    """lightgbm, imported without scikit-learn: when scikit-learn is installed lightgbm imports it
    (≈1.4 s of every command's start) for its scikit-learn API only, which the product does not use
    (it reads Booster files). A None entry in sys.modules makes that optional import fail."""
    if "lightgbm" in sys.modules or "sklearn" in sys.modules:
        import lightgbm

        return lightgbm
    sys.modules["sklearn"] = None  # type: ignore[assignment]
    try:
        import lightgbm
    finally:
        del sys.modules["sklearn"]
    return lightgbm


MODEL_FILES = ("relevance_passages.txt", "relevance_questions.txt", "relevance_model.json")


@lru_cache(maxsize=1)
def _shipped() -> RelevanceModel:
    data = resources.files("assistant.retrieval").joinpath("data")
    return RelevanceModel._from_texts(*(data.joinpath(name).read_text(encoding="utf-8") for name in MODEL_FILES))
