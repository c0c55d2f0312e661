"""The knowledge base as a whole: ingesting files with the settings' limits (steps), and the index
directory the web app serves with its admin jobs — upload, edit, delete, re-index — run on a
background thread while the chat keeps answering (manager); `qingfeng check`'s verification and
repair of an index directory (check).

May import: assistant.answer, assistant.retrieval, ingest, shared modules.
"""

from assistant.knowledge_base.manager import BusyError, InputError, Job, KnowledgeBase, safe_filename
from assistant.knowledge_base.steps import ingest_files

__all__ = ["BusyError", "InputError", "Job", "KnowledgeBase", "ingest_files", "safe_filename"]
