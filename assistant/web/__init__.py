"""The web app (Gradio), one module a part: app (page layout, wiring, `serve`, the `/ask` API),
chat (streaming cited chat, follow-ups, filters), admin (login and the 知识库 tab), quiz and faq
(the 出题 and 常见问题 tabs), render (answers, sources and tables as HTML), assets (CSS, head),
feedback (ratings saved to disk).

May import: assistant.knowledge_base, assistant.faq, assistant.quiz, assistant.answer,
assistant.retrieval, ingest, shared modules. Never the CLI.
"""

from assistant.web.app import build_app, serve

__all__ = ["build_app", "serve"]
