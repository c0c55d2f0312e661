"""Answers: from retrieved passages to a cited answer or an honest refusal.

models (Answer, Citation: what the CLI, web and exports show), compose (which sentences to quote),
named_sources (documents or versions a question names that are not held), conversation
(follow-ups; `Conversation`), answerer (`Answerer`: retrieve, decide, quote, cite) and llm (the
optional OpenAI-compatible model, verified against the same sources).

    answerer = Answerer.open(index_dir)
    answer = answerer.ask("操办婚丧喜庆要不要报告？")

May import: assistant.retrieval, ingest, assistant's shared modules.
"""

from assistant.answer.answerer import CANDIDATE_PASSAGES, NO_NUMBER, NOT_COVERED, REFUSAL, Answerer
from assistant.answer.conversation import Conversation
from assistant.answer.models import Answer, Citation, EarlierVersion

__all__ = ["CANDIDATE_PASSAGES", "NO_NUMBER", "NOT_COVERED", "REFUSAL", "Answer", "Answerer", "Citation",
           "Conversation", "EarlierVersion"]
