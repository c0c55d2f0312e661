"""Retrieval evaluation on gold questions: hit@1/3/5/10 and MRR@10, overall and per category,
for several pipelines side by side.

    python -m evals.retrieval --index DIR --gold ../shared/devset/synthetic_dev.jsonl [--gold ...]

Hit rule (../shared/devset/README.md): a passage hits when it comes from the gold file and its
span overlaps the gold article (or numbered section), or when its text contains an evidence
string (whitespace removed). For `version` items only passages from the gold file count.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.config import get_settings
from assistant.retrieval import ensure_search_index, make_retriever
from assistant.retrieval.embeddings import EmbeddingCache, load_embedder
from assistant.retrieval.retriever import BM25Retriever, DenseRetriever, HybridRetriever
from ingest.models import ParsedDocument
from ingest.numerals import to_int
from ingest.store import Store

PIPELINES = ("bm25", "dense", "hybrid", "product", "llamaindex")
KS = (1, 3, 5, 10)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Passage:
    source: str
    start: int | None
    end: int | None
    text: str


class Gold:
    """Gold spans per (file, article/section), resolved against the parsed documents in the store."""

    def __init__(self, store: Store):
        from assistant.retrieval.versions import VersionMap

        self._versions = VersionMap()
        self._other_versions: dict[tuple, list[tuple[str, int, int]]] = {}
        self.docs: dict[str, ParsedDocument] = {}
        for row in store.documents():
            for path in row.paths:
                self.docs[Path(path).as_posix()] = store.document(row.doc_id)

    def doc_for(self, gold_file: str) -> tuple[str, ParsedDocument] | None:
        for path, doc in self.docs.items():
            if path.endswith("/" + gold_file):
                return path, doc
        return None

    def other_versions(self, gold: dict) -> list[tuple[str, int, int]]:
        """Spans of the gold article's counterparts in the other versions of its document
        (the article that says most nearly the same; assistant/retrieval/versions.py)."""
        from ingest.metadata import title_key

        key = (gold["file"], gold.get("article"), gold.get("section"))
        if key in self._other_versions:
            return self._other_versions[key]
        found, span = self.doc_for(gold["file"]), self.span(gold)
        if not found or not span:
            self._other_versions[key] = []
            return []
        _, doc = found
        text = doc.text[span[1]:span[2]]
        spans = []
        for path, other in self.docs.items():
            if other.doc_id != doc.doc_id and title_key(other.meta.title) == title_key(doc.meta.title):
                match = self._versions.corresponding(text, other)
                if match:
                    spans.append((path, match.unit.start, match.unit.end))
        self._other_versions[key] = spans
        return spans

    def span(self, gold: dict) -> tuple[str, int, int] | None:
        found = self.doc_for(gold["file"])
        if not found:
            return None
        path, doc = found
        if gold.get("article") is not None:
            for unit in doc.articles:
                if unit.number == gold["article"]:
                    return path, unit.start, unit.end
            return None
        section = str(gold.get("section") or "")
        return (path, *_section_span(doc, section)) if section else None


def _section_span(doc: ParsedDocument, section: str) -> tuple[int, int]:
    labels = (f"{section}、", f"{section}.", f"{section}．", f"（{section}）", f"({section})")
    marks = sorted([(h.start, h.text) for h in doc.headings] + [(u.start, u.text) for u in doc.units if u.kind == "item"])
    for i, (start, text) in enumerate(marks):
        if text.startswith(labels):
            kind = re.match(r"^[（(]?[0-9一二三四五六七八九十]+[、.．）)]", text).group(0)
            shape = re.sub(r"[0-9]+", "0", re.sub(r"[一二三四五六七八九十]+", "一", kind))
            for later, later_text in marks[i + 1:]:
                m = re.match(r"^[（(]?[0-9一二三四五六七八九十]+[、.．）)]", later_text)
                if m and re.sub(r"[0-9]+", "0", re.sub(r"[一二三四五六七八九十]+", "一", m.group(0))) == shape \
                        and to_int(re.sub(r"[^0-9一二三四五六七八九十]", "", m.group(0))) != to_int(section):
                    return start, later
            return start, len(doc.text)
    return -1, -1


def is_hit(passage: Passage, item: dict, gold: Gold) -> bool:
    strict = item.get("category") == "version"
    for g in item["gold"]:
        span = gold.span(g)
        if span and Path(passage.source).as_posix().endswith("/" + g["file"]) or (
                span and Path(passage.source).resolve().as_posix() == span[0]):
            _, start, end = span
            if passage.start is not None and start >= 0 and passage.start < end and passage.end > start:
                return True
        if strict and not Path(passage.source).as_posix().endswith("/" + g["file"]):
            continue
        text = _squash(passage.text)
        if any(_squash(e) in text for e in item.get("evidence", [])):
            if not strict or Path(passage.source).as_posix().endswith("/" + g["file"]):
                return True
    return False


def is_hit_any_version(passage: Passage, item: dict, gold: Gold) -> bool:
    """The hit rule, also accepting the gold article's counterpart in another version."""
    if is_hit(passage, item, gold):
        return True
    source = Path(passage.source).resolve().as_posix()
    for g in item["gold"]:
        for path, start, end in gold.other_versions(g):
            if source == Path(path).resolve().as_posix() and passage.start is not None \
                    and passage.start < end and passage.end > start:
                return True
    return False


def evaluate(items: list[dict], search, gold: Gold, top_k: int = 10) -> dict:
    by_cat: dict[str, list[int | None]] = defaultdict(list)
    any_version: dict[str, list[int | None]] = defaultdict(list)
    latencies = []
    for item in items:
        if not item["gold"]:
            continue
        started = time.perf_counter()
        passages = search(item["question"])[:top_k]
        latencies.append(time.perf_counter() - started)
        rank = next((i + 1 for i, p in enumerate(passages) if is_hit(p, item, gold)), None)
        any_rank = next((i + 1 for i, p in enumerate(passages) if is_hit_any_version(p, item, gold)), None)
        for cat in (item["category"], "ALL"):
            by_cat[cat].append(rank)
            any_version[cat].append(any_rank)
    table = {}
    for cat, ranks in by_cat.items():
        n = len(ranks)
        row = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / n for k in KS}
        row["mrr@10"] = sum(1 / r for r in ranks if r and r <= 10) / n
        row["hit@5_any_version"] = sum(1 for r in any_version[cat] if r and r <= 5) / n
        row["n"] = n
        table[cat] = row
    table["_latency_ms_p50"] = sorted(latencies)[len(latencies) // 2] * 1000 if latencies else 0
    return table


def _node_passage(item) -> Passage:
    m = item.node.metadata
    return Passage(m["source"], m.get("start_char"), m.get("end_char"), item.node.text)


BACKEND_HELP = "milvus: searches in Milvus (QINGFENG_MILVUS_URI, or a Milvus Lite file in the index folder)"


def settings_for_backend(backend: str, index_dir: Path):
    """The settings with the search backend an eval's `--backend` names."""
    settings = get_settings()
    if backend == "milvus" and not settings.milvus_uri:
        return settings.model_copy(update={"milvus_uri": str(index_dir / "milvus" / "milvus.db")})
    if backend == "local":
        return settings.model_copy(update={"milvus_uri": None})
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description="检索评测 / retrieval evaluation")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--gold", type=Path, action="append", required=True)
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--out", type=Path, help="write all figures as JSON")
    parser.add_argument("--backend", choices=["local", "milvus"], default="local", help=BACKEND_HELP)
    args = parser.parse_args()
    settings = settings_for_backend(args.backend, args.index)
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]

    store = Store(args.index)
    index, _ = ensure_search_index(store, settings)
    embedder = load_embedder(settings.embedding_model)
    gold = Gold(store)
    searchers = {}
    k = args.top_k
    simple = {"bm25": BM25Retriever, "dense": DenseRetriever, "hybrid": HybridRetriever}
    for name in pipelines:
        if name in simple:
            retriever = simple[name](index, embedder, top_k=k)
            searchers[name] = lambda q, r=retriever: [_node_passage(x) for x in r.retrieve(q)]
        elif name == "product":
            retriever = make_retriever(index, settings, top_k=k)
            searchers[name] = lambda q, r=retriever: [_node_passage(x) for x in r.retrieve(q)]
        elif name == "milvus_bm25":  # Milvus's own BM25 (evals/milvus_bm25.py)
            from evals.milvus_bm25 import native_bm25_searcher

            search = native_bm25_searcher(index, args.index / "milvus", k)
            searchers[name] = lambda q, s=search: [_node_passage(x) for x in s(q)]
        elif name == "milvus_rrf":  # Milvus's own fusion (evals/milvus_bm25.py); needs --backend milvus
            from evals.milvus_bm25 import server_rrf_searcher

            search = server_rrf_searcher(index, embedder, k)
            searchers[name] = lambda q, s=search: [_node_passage(x) for x in s(q)]
        elif name == "llamaindex":
            from evals.llamaindex_baseline import build_baseline

            cache = EmbeddingCache(Path(settings.cache_dir) / "embeddings.sqlite")
            started = time.perf_counter()
            retriever, n = build_baseline(store, embedder, cache, top_k=k)
            print(f"llama-index baseline: {n} chunks (SentenceSplitter 1024/200), built in {time.perf_counter() - started:.0f} s")
            searchers[name] = lambda q, r=retriever: [
                Passage(x.node.metadata["source"], x.node.start_char_idx, x.node.end_char_idx, x.node.get_content())
                for x in r.retrieve(q)]
        else:
            parser.error(f"unknown pipeline {name}")

    results = {}
    for gold_file in args.gold:
        items = [json.loads(l) for l in gold_file.read_text(encoding="utf-8").splitlines() if l.strip()]
        results[gold_file.name] = {name: evaluate(items, search, gold, k) for name, search in searchers.items()}
        print(f"\n## {gold_file.name} ({sum(1 for i in items if i['gold'])} answerable questions)\n")
        cats = [c for c in results[gold_file.name][pipelines[0]] if not c.startswith("_")]
        cats = ["ALL"] + sorted(c for c in cats if c != "ALL")
        print("| pipeline | category | n | hit@1 | hit@3 | hit@5 | hit@10 | MRR@10 | hit@5, any version |")
        print("|:--|:--|:--|:--|:--|:--|:--|:--|:--|")
        for cat in cats:
            for name in pipelines:
                row = results[gold_file.name][name][cat]
                print(f"| {name} | {cat} | {row['n']} | {row['hit@1']:.3f} | {row['hit@3']:.3f} | "
                      f"{row['hit@5']:.3f} | {row['hit@10']:.3f} | {row['mrr@10']:.3f} | {row['hit@5_any_version']:.3f} |")
        print("\np50 latency per question (ms): " + ", ".join(
            f"{name} {results[gold_file.name][name]['_latency_ms_p50']:.0f}" for name in pipelines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
