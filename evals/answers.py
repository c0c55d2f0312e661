"""Answer evaluation on gold questions, per category:

- citation hit: share of answerable questions whose cited sources hold a gold article or evidence
  (and the same counting the earlier-version articles shown beside each cited current article);
- citation precision: share of citations that point at a gold article or a passage with evidence
  (the general rules a case description adds, answer.case.general, are not counted: they say what
  moves the sanction, not which rule the conduct breaks);
- refusal on out_of_scope items, false refusals on the rest;
- answer latency p50/p95 (warm).

    python -m evals.answers --index DIR --gold ../shared/devset/synthetic_dev.jsonl [--gold ...] [--team]

`--team` adds the held-out split of the team's own questions (evals/relevance_data.py): the
in-scope and out-of-scope banks, and questions generated from articles that training never saw.

A citation is judged with the retrieval hit rule (evals/retrieval.py): its file and the span of
its article, or an evidence string inside its text; `version` items count only the gold file.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from assistant.answer import Answerer, Citation
from assistant.answer.answerer import COMPARISON
from assistant.answer.lead import UNSETTLED, needs_lead
from assistant.retrieval.question_kind import Kind
from evals.retrieval import Gold, Passage, is_hit


def citation_passage(citation: Citation) -> Passage:
    start = citation.start
    return Passage(citation.source, start, None if start is None else start + len(citation.text), citation.text)


def evaluate(items: list[dict], answerer: Answerer, gold: Gold, answers_out=None) -> dict:
    rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    latencies, model_ms = [], []
    answerer.ask("预热")  # load models before timing
    for item in items:
        started = time.perf_counter()
        answer = answerer.ask(item["question"], use_llm=False)
        latencies.append(time.perf_counter() - started)
        model_ms.append(answer.timing_ms.get("relevance", 0.0))
        if answers_out is not None:
            answers_out.write(json.dumps({"id": item["id"], **answer.contract()}, ensure_ascii=False) + "\n")
        for cat in (item["category"], "ALL"):
            r = rows[cat]
            if not item["gold"]:
                r["refused_oos"].append(answer.refused)
                continue
            r["refused_answerable"].append(answer.refused)
            hits = [is_hit(citation_passage(c), item, gold) for c in answer.citations]
            first = answer.citations[0] if answer.citations else None
            r["first_hit"].append(first is not None and (hits[0] or any(
                is_hit(Passage(e.source, e.start, e.start + len(e.text), e.text), item, gold)
                for e in first.earlier_versions)))
            if not answer.refused and answer.kind != COMPARISON and needs_lead(answer.resolved_question, Kind(answer.kind)):
                r["lead_settled"].append(answer.lead is not None and not answer.lead.endswith(UNSETTLED))
            r["citation_hit"].append(any(hits))
            general = {rule.marker for rule in answer.case.general} if answer.case else set()
            r["precision"].extend(h for c, h in zip(answer.citations, hits) if c.marker not in general)
            # The same, also counting the earlier-version articles shown beside each current one.
            r["with_history"].append(any(hits) or any(
                is_hit(Passage(e.source, e.start, e.start + len(e.text), e.text), item, gold)
                for c in answer.citations for e in c.earlier_versions))
    table = {}
    for cat, r in rows.items():
        table[cat] = {
            "n": len(r["citation_hit"]) + len(r["refused_oos"]),
            "citation_hit": _mean(r["citation_hit"]),
            "citation_hit_with_earlier_versions": _mean(r["with_history"]),
            "citation_precision": _mean(r["precision"]),
            "first_citation_hit": _mean(r["first_hit"]),
            "direct_sentence": _mean(r["lead_settled"]),
            "direct_sentence_n": len(r["lead_settled"]),
            "false_refusal": _mean(r["refused_answerable"]),
            "oos_refused": _mean(r["refused_oos"]),
        }
    lat = sorted(latencies)
    model = sorted(model_ms)
    table["_latency_ms"] = {"p50": lat[len(lat) // 2] * 1000, "p95": lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000,
                            "relevance_p50": model[len(model) // 2], "relevance_p95": model[min(len(model) - 1, int(len(model) * 0.95))]}
    return table


def team_held_out(store) -> list[tuple[str, list[dict]]]:
    """The held-out split of the team's banks, and of the questions generated from articles (those
    of numbered articles, judged by the same hit rule), as dev-set records."""
    from evals.relevance_data import bank_questions, generated_questions

    bank = [q.item() for q in bank_questions() if q.held_out]
    generated = []
    for q in generated_questions(store):
        if q.held_out and q.article is not None:
            generated.append({**q.item(), "gold": [{"file": q.file, "article": q.article}]})
    return [("team_bank_held_out", bank), ("team_generated_held_out", generated)]


def _mean(values: list) -> float | None:
    return sum(values) / len(values) if values else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def main() -> None:
    from evals.retrieval import BACKEND_HELP, settings_for_backend

    parser = argparse.ArgumentParser(description="回答评测 / answer evaluation")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--gold", type=Path, action="append", default=[])
    parser.add_argument("--team", action="store_true", help="also the held-out split of the team's questions")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    parser.add_argument("--answers", type=Path, help="write every answer as JSONL")
    parser.add_argument("--backend", choices=["local", "milvus"], default="local", help=BACKEND_HELP)
    args = parser.parse_args()
    answerer = Answerer.open(args.index, settings_for_backend(args.backend, args.index))
    gold = Gold(answerer.store)
    results = {}
    answers_out = open(args.answers, "w", encoding="utf-8") if args.answers else None
    sets = [(f.name, [json.loads(l) for l in f.read_text(encoding="utf-8").splitlines() if l.strip()])
            for f in args.gold]
    if args.team:
        sets += team_held_out(answerer.store)
    for name, items in sets:
        table = results[name] = evaluate(items, answerer, gold, answers_out)
        print(f"\n## {name} ({len(items)} questions)\n")
        print("| category | n | citation hit | + earlier versions | first citation hit | citation precision | "
              "false refusal | out_of_scope refused | direct first sentence |")
        print("|:--|:--|:--|:--|:--|:--|:--|:--|:--|")
        cats = ["ALL"] + sorted(c for c in table if c not in ("ALL",) and not c.startswith("_"))
        for cat in cats:
            row = table[cat]
            direct = f"{_fmt(row['direct_sentence'])} of {row['direct_sentence_n']}" if row["direct_sentence_n"] else "—"
            print(f"| {cat} | {row['n']} | {_fmt(row['citation_hit'])} | {_fmt(row['citation_hit_with_earlier_versions'])} | "
                  f"{_fmt(row['first_citation_hit'])} | {_fmt(row['citation_precision'])} | "
                  f"{_fmt(row['false_refusal'])} | {_fmt(row['oos_refused'])} | {direct} |")
        lat = table["_latency_ms"]
        print(f"\nanswer latency (extractive, warm): p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms; "
              f"of which the relevance model p50 {lat['relevance_p50']:.1f} ms, p95 {lat['relevance_p95']:.1f} ms")
    if answers_out:
        answers_out.close()
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
