"""Batch FAQ generation over a corpus: questions per article (questions.py), answered and cited by
the answerer (run.py), exported to Word, Excel, JSON and Markdown (export.py).

May import: assistant.quiz (facts, sources), assistant.answer, assistant.retrieval, ingest, shared modules.
"""
