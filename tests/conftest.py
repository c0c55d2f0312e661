"""Shared fixtures. Real inputs come from ../shared (read-only), never copied into the repo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
DEMO_CORPUS = ROOT / "corpus"


def manifest() -> dict[str, dict]:
    return {e["file"]: e for e in json.loads((SHARED_CORPUS / "manifest.json").read_text(encoding="utf-8"))}


def parse_text(folder: Path, name: str, text: str):
    """`text` written to `folder/name` (UTF-8) and parsed as ingestion parses a file."""
    from ingest.parse import parse_document

    path = folder / name
    path.write_text(text, encoding="utf-8")
    return parse_document(path, path.read_bytes())


def shared_texts() -> list[Path]:
    return sorted((SHARED_CORPUS / "texts").glob("*.md"))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.fail(f"../shared is missing: expected {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture
def corpus_copy(tmp_path: Path, shared_corpus: Path) -> Path:
    """A writable copy of ../shared/corpus (texts, pdf, manifest) in a temporary folder."""
    target = tmp_path / "corpus"
    shutil.copytree(shared_corpus, target, ignore=shutil.ignore_patterns("qa", "SOURCES.md"))
    return target


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory, shared_corpus):
    """../shared/corpus ingested and indexed (embeddings come from the user cache after the first run)."""
    from assistant.retrieval import ensure_search_index
    from ingest.pipeline import ingest_paths
    from ingest.store import Store

    store = Store(tmp_path_factory.mktemp("shared") / "index")
    ingest_paths([shared_corpus], store)
    index, _ = ensure_search_index(store)
    return store, index


@pytest.fixture(scope="module")
def answerer(shared_index):
    """The extractive answerer over ../shared/corpus, as `qingfeng ask` builds it (one a test module)."""
    from assistant.answer import CANDIDATE_PASSAGES, Answerer
    from assistant.retrieval import make_retriever

    store, index = shared_index
    return Answerer(store, make_retriever(index, top_k=CANDIDATE_PASSAGES, for_answers=True))
