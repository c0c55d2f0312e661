"""Store operations the knowledge-base tab needs: correct a document's metadata, delete a document."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_paths, refresh_version_status
from ingest.store import Store
from tests.conftest import DEMO_CORPUS

TITLE = "清风区党政机关公务接待管理办法（示例）"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index")
    ingest_paths([DEMO_CORPUS], s)
    yield s
    s.close()


def versions(store: Store, title: str) -> dict[str, str]:
    return {d.meta.version: d.meta.status for d in store.documents() if d.title == title}


def test_update_meta_changes_document_meta_and_every_node(store):
    doc = next(d for d in store.documents() if d.meta.version == "2020")
    before = store.data_version()
    meta = store.update_meta(doc.doc_id, title="改过的标题（示例）", version="2019", doc_type="其他")
    assert meta.title == "改过的标题（示例）" and meta.version == "2019" and meta.doc_type == "其他"
    assert {"title", "version", "doc_type"} <= set(meta.explicit)
    row = next(d for d in store.documents() if d.doc_id == doc.doc_id)
    assert row.title == "改过的标题（示例）" and row.meta.version == "2019"
    assert store.document(doc.doc_id).meta.title == "改过的标题（示例）"
    nodes = store.nodes(doc.doc_id)
    assert nodes and all(n.metadata["title"] == "改过的标题（示例）" and n.metadata["version"] == "2019"
                         and n.metadata["doc_type"] == "其他" for n in nodes)
    assert store.data_version() != before  # the search index knows it is stale
    assert store.counts()["documents"] == 5  # content untouched


def test_an_edited_status_survives_the_version_refresh(store):
    old = next(d for d in store.documents() if d.title == TITLE and d.meta.version == "2020")
    store.update_meta(old.doc_id, status="现行有效")
    refresh_version_status(store)
    assert versions(store, TITLE) == {"2020": "现行有效", "2024": "现行有效"}


def test_update_meta_rejects_other_fields_and_unknown_documents(store):
    doc = store.documents()[0]
    with pytest.raises(ValueError):
        store.update_meta(doc.doc_id, source="/etc/passwd")
    assert store.update_meta("no-such-doc", title="x") is None


def test_delete_document_removes_it_with_its_files_and_nodes(store):
    new = next(d for d in store.documents() if d.title == TITLE and d.meta.version == "2024")
    paths = store.delete_document(new.doc_id)
    assert paths == new.paths and len(paths) == 1
    assert store.document(new.doc_id) is None and store.nodes(new.doc_id) == []
    assert all(f.doc_id != new.doc_id for f in store.files())
    assert store.counts()["documents"] == 4
    # The older version becomes the current one once the newer is gone.
    refresh_version_status(store)
    assert versions(store, TITLE) == {"2020": "现行有效"}
    assert store.delete_document(new.doc_id) == []  # deleting twice is harmless
