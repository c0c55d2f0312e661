"""An article number read in context: "纪律处分条例第八十八条关于收受礼金的规定" names 第八十八条 of the
2018 text (收受礼品、礼金), while the current 2023 text's 第八十八条 says something else. When a
question names a document with several versions and an article number but no version, and what it
asks about matches that article of an older version clearly better than the current one, the
older version is the one meant; the answer then cites it (with its current counterpart, as for any
older article) and says so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval.routing import Catalog, DocumentInfo, QueryPlan
from assistant.textsim import word_pairs
from ingest.models import ParsedDocument

# Set a priori (not fitted): the question's words must be clearly more at home in the older article.
MIN_MATCH = 0.3  # share of the question's character pairs found in the older version's article
MIN_MARGIN = 0.2  # … and this much more than in the current version's article of that number

_REFERENCE = re.compile(r"《[^》]*》|第[零〇一二三四五六七八九十百千两0-9]+条|[0-9]+条(?!例)")
_ASKING = re.compile(r"规定|是什么|是怎么|怎么|如何|关于|有关|讲的|说的|内容|哪些|什么|请问|的|了|吗|呢")


@dataclass(frozen=True)
class ArticleVersion:
    document: DocumentInfo  # the version whose article of that number the question means
    current: DocumentInfo
    match: float  # share of the question's pairs in that version's article
    current_match: float


def meant_version(question: str, plan: QueryPlan, catalog: Catalog, load) -> ArticleVersion | None:
    """The older version whose article `plan.article` the question means, or None (the current one,
    or no way to tell). `load(doc_id)` returns a parsed document."""
    if plan.article is None or plan.asks_version or len(plan.groups) != 1:
        return None
    key = plan.groups[0]
    if not catalog.has_versions(key):
        return None
    content = word_pairs(_ASKING.sub("", _REFERENCE.sub("", _names_removed(question, catalog, key))))
    if len(content) < 3:
        return None  # "第八十八条讲的是什么？" says nothing of its content
    current = catalog.current(key)
    scores = {d.doc_id: _match(content, load(d.doc_id), plan.article) for d in catalog.groups[key]}
    best = max(catalog.groups[key], key=lambda d: (scores[d.doc_id], d.year or 0))
    if best.doc_id == current.doc_id or scores[best.doc_id] < MIN_MATCH:
        return None
    if scores[best.doc_id] - scores[current.doc_id] < MIN_MARGIN:
        return None
    return ArticleVersion(best, current, scores[best.doc_id], scores[current.doc_id])


def _names_removed(question: str, catalog: Catalog, key: str) -> str:
    text = re.sub(r"\s+", "", question)
    for alias, group in sorted(catalog.aliases.items(), key=lambda x: -len(x[0])):
        if key in group and len(alias) >= 2:
            text = text.replace(alias, "")
    return text


def _match(content: set[str], doc: ParsedDocument | None, number: int) -> float:
    if doc is None:
        return 0.0
    unit = next((u for u in doc.units if u.kind == "article" and u.number == number), None)
    if unit is None:
        return 0.0
    return len(content & word_pairs(doc.text[unit.start:unit.end])) / len(content)
