"""Quiz generation for trainers: items with answer keys traced to articles (see generate.py).

May import: assistant.answer (its LLM client), assistant.retrieval, ingest, shared modules."""

from __future__ import annotations

import random
from dataclasses import replace

from assistant.quiz.generate import TYPES, QuizRequest, generate, sentence_key
from assistant.quiz.models import QuizItem
from assistant.quiz.sources import load_sources


def make_quiz(store, request: QuizRequest, documents: list[str] | None = None,
              chapters: list[str] | None = None, progress=None, rejected=None, llm=None,
              groups: frozenset[str] | None = None) -> list[QuizItem]:
    """Items over the chosen documents (current versions by default) and chapters, among those a
    reader in `groups` may read (None: all); keys and distractors come from them only. With `llm` (an
    assistant.answer.llm.LLMClient), the model writes items first and generation fills up the count."""
    sources = load_sources(store, documents, chapters, groups)
    items: list[QuizItem] = []
    if llm is not None:
        from assistant.quiz.llm import llm_items

        order = list(sources)
        random.Random(request.seed).shuffle(order)
        items = llm_items(llm, order, request.types, request.count, rejected)
    if len(items) < request.count:
        rest = replace(request, count=request.count - len(items))
        items += generate(sources, rest, progress, rejected, tested={sentence_key(i) for i in items})
    for number, item in enumerate(items, start=1):
        item.id = f"q{number:04d}"
    return items


__all__ = ["TYPES", "QuizItem", "QuizRequest", "make_quiz"]
