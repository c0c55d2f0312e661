"""Train the relevance model and calibrate its thresholds, reproducibly (fixed seed, one thread).

    python -m evals.train_relevance --index DIR [--out assistant/retrieval/data] [--report report.json]

1. Questions from evals/relevance_data.py (generated from the index's articles, the team's banks),
   split into training and held-out parts; the dev questions are never read.
2. Each question is searched with the product retriever (relevance model off) and the top
   passages become (question, passage) pairs, labelled by the dev-set hit rule: the source article
   (or, unless a version is asked for, its counterpart in another version), or a passage holding
   the sentence the question was written from. Every passage of an out-of-scope question is 0.
3. LightGBM is trained on the training part. The thresholds are chosen on out-of-fold predictions
   of the training part (4 folds), never on held-out or dev questions:
   - refuse: the highest threshold at which at most MAX_FALSE_REFUSAL of the answerable training
     questions (generated and the in-scope bank, each) would be refused;
   - cite: the threshold that gives the best citation precision while the share of answerable
     questions with a correct citation stays within 0.5 points of citing everything.
4. The model (LightGBM text) and its metadata (features, thresholds, figures) are written to --out.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.answer import Answerer
from assistant.config import get_settings
from assistant.retrieval import ensure_search_index, make_retriever
from assistant.retrieval.relevance import (
    FEATURES,
    MODEL_FILES,
    QUESTION_FEATURES,
    QuestionContext,
    RelevanceModel,
    Thresholds,
    features,
    question_features,
    squash,
)
from assistant.retrieval.retriever import RERANK_WEIGHT
from evals.relevance_data import SEED, Question, relative_path, training_questions
from evals.retrieval import Gold, Passage, is_hit, is_hit_any_version
from ingest.store import Store

DEPTH = 20
MAX_FALSE_REFUSAL = 0.01
FOLDS = 4
PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "deterministic": True, "force_row_wise": True, "num_threads": 1, "verbose": -1,
}
ROUNDS = 300
OOS_WEIGHT = 3.0


def label(question: Question, node, gold: Gold, current: bool = True) -> int:
    """1 when the passage answers the question. A passage of a superseded version answers only a
    question about that version (or whose gold is in it): otherwise the current version is the answer."""
    m = node.metadata
    if question.source == "oos":
        return 0
    gold_files = {question.file} | {g["file"] for g in question.gold}
    if not current and not question.strict and relative_path(m["source"]) not in gold_files:
        return 0
    if question.source == "generated":
        same_file = relative_path(m["source"]) == question.file
        start, end = m.get("start_char"), m.get("end_char")
        if same_file and question.span and start is not None and start < question.span[1] and end > question.span[0]:
            return 1
        if not question.strict or same_file:
            text = squash(node.text)
            return int(any(squash(e) in text for e in question.evidence))
        return 0
    passage = Passage(m["source"], m.get("start_char"), m.get("end_char"), node.text)
    item = question.item()
    return int(is_hit(passage, item, gold) if question.strict else is_hit_any_version(passage, item, gold))


NEIGHBOURHOOD = 2  # articles this close to the gold article (before or after) are its neighbours
NOT_NEAR, NEIGHBOUR, SAME_DOCUMENT = 0, 1, 2


def gold_articles(question: Question) -> set[tuple[str, int]]:
    """(file, article number) of the articles that answer a question."""
    found = {(g["file"], g["article"]) for g in question.gold if g.get("article") is not None}
    if question.file and question.article is not None:
        found.add((question.file, question.article))
    return found


def _document(file: str) -> str:
    """A file's document, whatever its version (texts/x_2018.md and texts/x_2023.md are one)."""
    return re.sub(r"_\d{4}(?=\.)", "", file)


def nearness(question: Question, node) -> int:
    """Whether a passage is another article of the document the question asks about: NEIGHBOUR
    (within NEIGHBOURHOOD articles of the answer, in its version), SAME_DOCUMENT (further, or in
    another version), or NOT_NEAR."""
    m = node.metadata
    number = m.get("article")
    golds = gold_articles(question)
    file = relative_path(m["source"])
    if number is None or (file, number) in golds:
        return NOT_NEAR
    if any(f == file and abs(n - number) <= NEIGHBOURHOOD for f, n in golds):
        return NEIGHBOUR
    return SAME_DOCUMENT if any(_document(f) == _document(file) for f, _ in golds) else NOT_NEAR


def build_pairs(questions: list[Question], retriever, gold: Gold, answerer, progress: bool = True):
    """Feature rows, labels, whether each row is a neighbour of the gold article, and the question
    index of each row; and for each question whether the answerer refuses it by rule, whatever the
    model says (a named document or version the index lacks), or must answer it (a named article of
    a named document)."""
    xs, ys, near, qs = [], [], [], []
    fixed: list[str | None] = []
    started = time.perf_counter()
    for i, q in enumerate(questions):
        result = retriever.search(q.question, depth=DEPTH)
        plan = result.plan
        routed = any(p.routed for p in result.passages) and bool(plan.groups)
        fixed.append("refuse" if answerer.missing_source(q.question, plan) is not None else
                     "answer" if routed else None)
        ctx = QuestionContext(q.question, retriever.index, plan.groups, plan.article is not None)
        matrix = features(ctx, result.passages)
        for row, item, passage in zip(matrix, result.nodes, result.passages):
            xs.append(row)
            ys.append(label(q, item.node, gold, passage.current))
            near.append(nearness(q, item.node))
            qs.append(i)
        if progress and (i + 1) % 500 == 0:
            print(f"  {i + 1}/{len(questions)} questions searched ({time.perf_counter() - started:.0f} s)", flush=True)
    return (np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.int32), np.asarray(near, dtype=np.int8),
            np.asarray(qs, dtype=np.int32), fixed)


def train(x: np.ndarray, y: np.ndarray, seed: int = SEED, weight: np.ndarray | None = None, names=None,
          params: dict | None = None, rounds: int = ROUNDS):
    from assistant.retrieval.relevance import import_lightgbm

    lightgbm = import_lightgbm()

    params = {**(params or PARAMS), "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed,
              "data_random_seed": seed}
    data = lightgbm.Dataset(x, label=y, weight=weight, feature_name=names or FEATURES, free_raw_data=False)
    return lightgbm.train(params, data, num_boost_round=rounds)


QUESTION_PARAMS = {**PARAMS, "num_leaves": 7, "min_data_in_leaf": 15}
QUESTION_ROUNDS = 200


def train_questions(x: np.ndarray, y: np.ndarray, weight: np.ndarray, seed: int = SEED):
    return train(x, y, seed, weight, QUESTION_FEATURES, QUESTION_PARAMS, QUESTION_ROUNDS)


def question_rows(x, pred, qs, subset: list[int]) -> np.ndarray:
    """QUESTION_FEATURES for each question of `subset` from its passages' rows and predictions."""
    by_q: dict[int, list[int]] = {}
    for i, q in enumerate(qs):
        by_q.setdefault(int(q), []).append(i)
    return np.vstack([question_features(x[by_q.get(q, [])], pred[by_q.get(q, [])]) for q in subset])


def question_weights(questions: list[Question], subset: list[int]) -> np.ndarray:
    """Each source (generated, in-scope bank, out-of-scope bank) weighs the same in all."""
    counts = Counter(questions[q].source for q in subset)
    return np.array([len(subset) / (len(counts) * counts[questions[q].source]) for q in subset], dtype=np.float32)


def row_weights(qs, questions: list[Question]) -> np.ndarray:
    """Out-of-scope questions weigh more: their top passages are the negatives that matter most."""
    return np.array([OOS_WEIGHT if questions[q].source == "oos" else 1.0 for q in qs], dtype=np.float32)


def out_of_fold(x, y, qs, questions: list[Question], seed: int = SEED) -> np.ndarray:
    """Predictions for each training row from a model that did not see its question."""
    fold_of = np.array([int(hash_fold(questions[q].id, seed)) for q in qs])
    pred = np.zeros(len(y))
    weight = row_weights(qs, questions)
    for fold in range(FOLDS):
        test = fold_of == fold
        booster = train(x[~test], y[~test], seed, weight[~test])
        pred[test] = booster.predict(x[test], num_threads=1)
    return pred


def hash_fold(key: str, seed: int) -> int:
    import hashlib

    key = key.split("~")[0]  # a variant of a question falls in the same fold as the question
    return int.from_bytes(hashlib.sha256(f"fold:{seed}:{key}".encode()).digest()[:4], "big") % FOLDS


def per_question(pred, y, qs, questions: list[Question], subset: list[int], fixed: list[str | None],
                 answerable: np.ndarray) -> list[dict]:
    """For each question of `subset`: P(answerable) as `best` and the (probability, label) of each
    passage. `best` is 1 when a rule makes the answerer answer, -1 when a rule makes it refuse."""
    rows: dict[int, list[tuple[float, int]]] = {q: [] for q in subset}
    for p, label_, q in zip(pred, y, qs):
        if q in rows:
            rows[q].append((float(p), int(label_)))
    out = []
    for i, q in enumerate(subset):
        best = {"refuse": -1.0, "answer": 1.0}.get(fixed[q], float(answerable[i]))
        out.append({"q": q, "answerable": questions[q].answerable, "source": questions[q].source,
                    "best": best, "passages": rows[q]})
    return out


def first_passages(x, pred, y, near, qs, questions: list[Question], subset: list[int], cite: float) -> dict:
    """What comes first for the answerable questions of `subset`: the answer, a neighbour of it, or
    another article of its document. Three orders: "cited" is what the answerer cites first (in
    retrieval order, the first passage the model accepts, at or above `cite`; else the model's best);
    "model" re-ranks by the model (routed first, then its probability blended with the retriever's
    score: QINGFENG_RELEVANCE_RERANK); "retriever" is retrieval's own order."""
    col = {name: i for i, name in enumerate(FEATURES)}
    blended = x[:, col["routed"]] + RERANK_WEIGHT * pred + (1 - RERANK_WEIGHT) * x[:, col["fused_ratio"]]
    rows: dict[int, list[int]] = {}
    for i, q in enumerate(qs):
        rows.setdefault(int(q), []).append(i)
    out = {}
    for source in ("generated", "bank"):
        chosen = [q for q in subset if questions[q].source == source and rows.get(q)]
        if not chosen:
            continue
        figures = {"n": len(chosen)}
        orders = {"cited": None, "model": lambda i: -blended[i], "retriever": lambda i: x[i, col["rank"]]}
        for name, key in orders.items():
            if key is None:
                firsts = [next((i for i in sorted(rows[q], key=lambda i: x[i, col["rank"]]) if pred[i] >= cite),
                               max(rows[q], key=lambda i: pred[i])) for q in chosen]
            else:
                firsts = [min(rows[q], key=key) for q in chosen]
            figures[f"{name}_first_hit"] = round(float(np.mean([y[i] == 1 for i in firsts])), 4)
            figures[f"{name}_first_neighbour"] = round(float(np.mean([near[i] == NEIGHBOUR and y[i] == 0 for i in firsts])), 4)
            figures[f"{name}_first_same_document"] = round(float(np.mean(
                [near[i] == SAME_DOCUMENT and y[i] == 0 for i in firsts])), 4)
        out[source] = figures
    return out


def refusal_table(stats: list[dict], thresholds) -> list[dict]:
    table = []
    for t in thresholds:
        row = {"threshold": round(float(t), 3)}
        for source in ("generated", "bank", "oos"):
            part = [s for s in stats if s["source"] == source]
            if part:
                refused = sum(s["best"] < t for s in part) / len(part)
                row["oos_refused" if source == "oos" else f"false_refusal_{source}"] = round(refused, 4)
        table.append(row)
    return table


def choose_refuse(stats: list[dict]) -> float:
    best = 0.0
    for t in np.round(np.arange(0.01, 0.95, 0.005), 3):
        ok = all(sum(s["best"] < t for s in stats if s["source"] == source) / max(1, sum(s["source"] == source for s in stats))
                 <= MAX_FALSE_REFUSAL for source in ("generated", "bank"))
        if ok:
            best = float(t)
    return best


def citation_figures(stats: list[dict], refuse: float, cite: float) -> tuple[float, float]:
    """(share of answered answerable questions with a correct citation, citation precision) when
    the best passage and those at or above `cite` are cited."""
    hits, cited = [], []
    for s in stats:
        if not s["answerable"] or s["best"] < refuse or not s["passages"]:
            continue
        ranked = sorted(s["passages"], key=lambda pl: -pl[0])
        chosen = [ranked[0]] + [pl for pl in ranked[1:] if pl[0] >= cite]
        hits.append(any(label_ for _, label_ in chosen))
        cited.extend(label_ for _, label_ in chosen)
    return (float(np.mean(hits)) if hits else 0.0), (float(np.mean(cited)) if cited else 0.0)


def choose_cite(stats: list[dict], refuse: float) -> float:
    everything, _ = citation_figures(stats, refuse, 0.0)
    best_t, best_precision = refuse, -1.0
    for t in np.round(np.arange(max(refuse, 0.05), 0.99, 0.01), 3):
        hit, precision = citation_figures(stats, refuse, float(t))
        if hit >= everything - 0.005 and precision > best_precision:
            best_t, best_precision = float(t), precision
    return best_t


def summary(stats: list[dict], thresholds: Thresholds) -> dict:
    out = {}
    for source in ("generated", "bank", "oos"):
        part = [s for s in stats if s["source"] == source]
        if not part:
            continue
        refused = sum(s["best"] < thresholds.refuse for s in part) / len(part)
        out[source] = {"n": len(part), ("oos_refused" if source == "oos" else "false_refusal"): round(refused, 4)}
        if source != "oos":
            hit, precision = citation_figures(part, thresholds.refuse, thresholds.cite)
            out[source].update({"citation_hit": round(hit, 4), "citation_precision": round(precision, 4)})
    return out


def run(index_dir: Path, out: Path | None, seed: int = SEED, limit: int | None = None, progress: bool = True,
        pairs_cache: Path | None = None) -> dict:
    settings = get_settings().model_copy(update={"relevance_model": "off"})
    store = Store(index_dir)
    index, _ = ensure_search_index(store, settings)
    retriever = make_retriever(index, settings, top_k=DEPTH)
    answerer = Answerer(store, retriever)
    gold = Gold(store)
    questions = training_questions(store, seed)
    if limit:
        questions = questions[:: max(1, len(questions) // limit)][:limit]
    if progress:
        counts = Counter((q.source, q.held_out) for q in questions)
        print("questions:", {f"{s}{'/held-out' if h else '/train'}": n for (s, h), n in sorted(counts.items())}, flush=True)
    if pairs_cache is not None and pairs_cache.exists():  # a development shortcut: features unchanged
        saved = np.load(pairs_cache, allow_pickle=True)
        x, y, near, qs, fixed = saved["x"], saved["y"], saved["near"], saved["qs"], list(saved["fixed"])
    else:
        x, y, near, qs, fixed = build_pairs(questions, retriever, gold, answerer, progress)
        if pairs_cache is not None:
            np.savez(pairs_cache, x=x, y=y, near=near, qs=qs, fixed=np.array(fixed, dtype=object))
    train_q = [i for i, q in enumerate(questions) if not q.held_out]
    test_q = [i for i, q in enumerate(questions) if q.held_out]
    train_rows = np.isin(qs, train_q)
    # The passage model: out-of-fold predictions for the training questions, then the final model.
    oof = np.zeros(len(y))
    oof[train_rows] = out_of_fold(x[train_rows], y[train_rows], qs[train_rows], questions, seed)
    booster = train(x[train_rows], y[train_rows], seed, row_weights(qs[train_rows], questions))
    held = np.zeros(len(y))
    held[~train_rows] = booster.predict(x[~train_rows], num_threads=1)
    # The question model, on the passage model's out-of-fold predictions (as it will see unseen questions).
    qx_train, qx_test = question_rows(x, oof, qs, train_q), question_rows(x, held, qs, test_q)
    qy_train = np.array([int(questions[q].answerable) for q in train_q])
    qw_train = question_weights(questions, train_q)
    q_fold = np.array([hash_fold(questions[q].id, seed) for q in train_q])
    q_oof = np.zeros(len(train_q))
    for fold in range(FOLDS):
        test = q_fold == fold
        q_oof[test] = train_questions(qx_train[~test], qy_train[~test], qw_train[~test], seed).predict(
            qx_train[test], num_threads=1)
    question_booster = train_questions(qx_train, qy_train, qw_train, seed)
    q_held = question_booster.predict(qx_test, num_threads=1)
    oof_stats = per_question(oof[train_rows], y[train_rows], qs[train_rows], questions, train_q, fixed, q_oof)
    refuse = choose_refuse(oof_stats)
    thresholds = Thresholds(refuse=refuse, cite=choose_cite(oof_stats, refuse))
    held_stats = per_question(held[~train_rows], y[~train_rows], qs[~train_rows], questions, test_q, fixed, q_held)
    grid = [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, thresholds.refuse]
    report = {
        "seed": seed, "questions": {f"{s}/{'held_out' if h else 'train'}": n for (s, h), n in
                                    sorted(Counter((q.source, q.held_out) for q in questions).items())},
        "pairs": {"train": int(train_rows.sum()), "held_out": int((~train_rows).sum()),
                  "positive_share": round(float(y.mean()), 4)},
        "thresholds": {"refuse": thresholds.refuse, "cite": thresholds.cite},
        "train_out_of_fold": summary(oof_stats, thresholds),
        "held_out": summary(held_stats, thresholds),
        "first_passage_held_out": first_passages(x[~train_rows], held[~train_rows], y[~train_rows], near[~train_rows],
                                                 qs[~train_rows], questions, test_q, thresholds.cite),
        "threshold_table_train_out_of_fold": refusal_table(oof_stats, sorted(set(grid))),
        "threshold_table_held_out": refusal_table(held_stats, sorted(set(grid))),
        "feature_importance": dict(sorted(zip(FEATURES, booster.feature_importance("gain").round(1).tolist()),
                                          key=lambda kv: -kv[1])),
        "question_feature_importance": dict(sorted(zip(
            QUESTION_FEATURES, question_booster.feature_importance("gain").round(1).tolist()), key=lambda kv: -kv[1])),
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        meta = {"features": FEATURES, "question_features": QUESTION_FEATURES, "thresholds": report["thresholds"],
                "seed": seed, "trained_on": report["questions"], "held_out": report["held_out"]}
        for name, text in zip(MODEL_FILES, (booster.model_to_string(), question_booster.model_to_string(),
                                            json.dumps(meta, ensure_ascii=False, indent=1) + "\n")):
            (out / name).write_text(text, encoding="utf-8")
        RelevanceModel.load(out)  # fails loudly if what was written does not load
    report["_held_out_questions"] = [
        {"id": questions[s["q"]].id, "question": questions[s["q"]].question, "source": s["source"],
         "best": round(s["best"], 4)} for s in held_stats]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="训练相关性模型 / train the relevance model")
    parser.add_argument("--index", type=Path, required=True, help="an index of ../shared/corpus")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assistant" / "retrieval" / "data")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, help="use only this many questions (quick checks)")
    parser.add_argument("--report", type=Path, help="write all figures (and held-out scores) as JSON")
    parser.add_argument("--pairs-cache", type=Path, help="development: reuse (or save) the feature rows")
    args = parser.parse_args()
    report = run(args.index, args.out, args.seed, args.limit, pairs_cache=args.pairs_cache)
    shown = {k: v for k, v in report.items() if not k.startswith("_") and not k.startswith("threshold_table")}
    print(json.dumps(shown, ensure_ascii=False, indent=1))
    print("\nthreshold table (held-out):")
    for row in report["threshold_table_held_out"]:
        print(" ", row)
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
