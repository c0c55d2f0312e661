"""Quiz evaluation: generate a large sample over a corpus and check every item independently
against the article text read back from the store (not the text the item carries).

    python -m evals.quiz --index DIR [--count 400] [--seed 0]

Reports the share of items passing each validation check, duplicates, type, document and chapter
coverage, and generation speed.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from assistant.quiz import TYPES, QuizRequest, make_quiz
from assistant.quiz.generate import sentence_key
from assistant.quiz.models import QuizItem
from assistant.quiz.validate import CHECKS, validate
from ingest.store import Store


def article_text(store: Store, item: QuizItem, cache: dict) -> str | None:
    """The cited article as the store holds it."""
    if "rows" not in cache:
        cache["rows"] = store.documents()
    doc_id = next((r.doc_id for r in cache["rows"] if r.source == item.citation.source), None)
    if doc_id is None:
        return None
    if doc_id not in cache:
        cache[doc_id] = store.document(doc_id)
    doc = cache[doc_id]
    for unit in doc.units:
        if unit.start == item.citation.start and unit.label == item.citation.article_label \
                and (item.citation.article is None or unit.number == item.citation.article):
            return doc.text[unit.start:unit.end]
    return None


def verify(store: Store, items: list[QuizItem]) -> dict[str, float]:
    cache: dict = {}
    passed = Counter()
    found = 0
    for item in items:
        text = article_text(store, item, cache)
        if text is None:
            continue
        found += 1
        checked = validate(item.model_copy(update={"citation": item.citation.model_copy(update={"text": text})}))
        passed.update(k for k, ok in checked.items() if ok)
    shares = {check: passed[check] / len(items) if items else 0.0 for check in CHECKS}
    shares["cited_article_found"] = found / len(items) if items else 0.0
    return shares


def duplicates(items: list[QuizItem]) -> int:
    """Items testing a fact another item already tests (same document title and sentence), or
    with the same stem."""
    seen_facts, seen_stems, dupes = set(), set(), 0
    for item in items:
        fact = sentence_key(item)
        if fact in seen_facts or item.stem in seen_stems:
            dupes += 1
        seen_facts.add(fact)
        seen_stems.add(item.stem)
    return dupes


def main() -> None:
    parser = argparse.ArgumentParser(description="出题评测 / quiz evaluation")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    store = Store(args.index)
    started = time.perf_counter()
    rejected: Counter = Counter()
    items = make_quiz(store, QuizRequest(types=TYPES, count=args.count, seed=args.seed), rejected=rejected)
    seconds = time.perf_counter() - started
    shares = verify(store, items)
    docs = Counter(item.citation.title for item in items)
    chapters = {(item.citation.title, item.citation.heading) for item in items}
    print(f"## Quiz sample: {len(items)} items (asked {args.count}, seed {args.seed})\n")
    print("| check | share of items passing |")
    print("|:--|:--|")
    for check, share in shares.items():
        print(f"| {check} | {share:.3f} |")
    print("\ncandidates rejected while generating: " + (", ".join(f"{k} {v}" for k, v in rejected.most_common()) or "none"))
    print(f"duplicates: {duplicates(items)}")
    print("types: " + ", ".join(f"{t} {sum(i.type == t for i in items)}" for t in TYPES))
    print(f"documents covered: {len(docs)}; chapters covered: {len(chapters)}; "
          f"most items from one document: {docs.most_common(1)[0][1] if docs else 0}")
    print(f"generation: {seconds:.2f} s ({len(items) / seconds:.0f} items/s, documents loaded from the store included)")


if __name__ == "__main__":
    main()
