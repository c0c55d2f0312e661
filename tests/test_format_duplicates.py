"""The same law as .md and .pdf is one document; editorial notes leave titles (issue 14, item 10).

Real inputs: ../shared/corpus/texts/civil_servant_law_2018.md and pdf/civil_servant_law_2018.pdf
(the same law, rendered to PDF elsewhere), the 宪法 PDF whose manifest title carries a note.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from assistant.web.render import DOCUMENT_COLUMNS, document_rows
from ingest.metadata import split_title_note
from ingest.pipeline import ingest_paths
from ingest.store import Store

MD = "texts/civil_servant_law_2018.md"
PDF = "pdf/civil_servant_law_2018.pdf"


def _law_rows(store: Store, include_duplicates: bool = False):
    return [r for r in store.documents(include_duplicates) if r.title == "中华人民共和国公务员法"]


def test_split_title_note_keeps_parts_of_the_name():
    assert split_title_note("中华人民共和国公务员法（2018年修订）") == ("中华人民共和国公务员法", "2018年修订")
    assert split_title_note("中华人民共和国宪法（含2018年修正案，第三章第七节 监察委员会）") == (
        "中华人民共和国宪法", "含2018年修正案，第三章第七节 监察委员会")
    assert split_title_note("中国共产党组织处理规定（试行）") == ("中国共产党组织处理规定（试行）", None)
    assert split_title_note("公务接待管理办法（示例）") == ("公务接待管理办法（示例）", None)


def test_md_and_pdf_of_one_law_are_searched_and_listed_once(tmp_path, shared_corpus):
    with Store(tmp_path / "idx") as store:
        report = ingest_paths([shared_corpus / PDF, shared_corpus / MD], store)
        rows = _law_rows(store)
        assert len(rows) == 1 and rows[0].source.endswith(".md")
        assert sorted(Path(p).suffix for p in rows[0].paths) == [".md", ".pdf"]
        assert len(_law_rows(store, include_duplicates=True)) == 2
        assert document_rows(rows)[0][DOCUMENT_COLUMNS.index("来源文件")] == "civil_servant_law_2018.md、civil_servant_law_2018.pdf"
        pdf_result = next(r for r in report.results if r.source.endswith(".pdf"))
        assert pdf_result.status == "duplicate" and "civil_servant_law_2018.md" in pdf_result.message
        searched = {n.metadata["doc_id"] for n in store.nodes()}
        assert searched == {rows[0].doc_id}
        assert store.counts()["documents"] == 1 and store.counts()["articles"] == 113
        # Another run changes nothing.
        again = ingest_paths([shared_corpus / PDF, shared_corpus / MD], store)
        assert {r.status for r in again.results} == {"unchanged"}
        assert len(_law_rows(store)) == 1


def test_the_pdf_takes_over_when_the_text_file_goes(tmp_path, shared_corpus):
    folder = tmp_path / "docs"
    folder.mkdir()
    for rel in (MD, PDF):
        shutil.copy(shared_corpus / rel, folder / Path(rel).name.replace(".", f"_{Path(rel).suffix[1:]}.", 1))
    with Store(tmp_path / "idx") as store:
        ingest_paths([folder], store)
        assert [Path(r.source).suffix for r in _law_rows(store)] == [".md"]
        next(folder.glob("*.md")).unlink()
        ingest_paths([folder], store)
        rows = _law_rows(store)
        assert [Path(r.source).suffix for r in rows] == [".pdf"] and rows[0].meta.duplicate_of is None
        assert rows[0].n_articles == 113 and {n.metadata["doc_id"] for n in store.nodes()} == {rows[0].doc_id}


def test_same_title_and_version_with_other_text_stays_two_documents(tmp_path, shared_corpus):
    folder = tmp_path / "docs"
    folder.mkdir()
    for year in (2018, 2023):
        name = f"cpc_discipline_regulations_{year}.md"
        shutil.copy(shared_corpus / "texts" / name, folder / name)
        (folder / f"{name}.meta.json").write_text(
            json.dumps({"title": "中国共产党纪律处分条例", "version": "2023"}, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "idx") as store:
        ingest_paths([folder], store)
        assert len([r for r in store.documents() if r.title == "中国共产党纪律处分条例"]) == 2


def test_deleting_a_document_deletes_its_copy_in_another_format(tmp_path, shared_corpus):
    with Store(tmp_path / "idx") as store:
        ingest_paths([shared_corpus / MD, shared_corpus / PDF], store)
        removed = store.delete_document(_law_rows(store)[0].doc_id)
        assert sorted(Path(p).suffix for p in removed) == [".md", ".pdf"]
        assert store.documents(include_duplicates=True) == []


def test_editorial_note_leaves_the_title_and_citations(tmp_path, shared_corpus):
    with Store(tmp_path / "idx") as store:
        ingest_paths([shared_corpus / "pdf" / "constitution_prc_2018.pdf"], store)
        (row,) = store.documents()
        assert row.title == "中华人民共和国宪法" and row.meta.version == "2018"
        assert row.meta.title_note == "含2018年修正案，第三章第七节 监察委员会"
        assert {n.metadata["title"] for n in store.nodes()} == {"中华人民共和国宪法"}


def test_a_list_without_labels_is_quoted_with_its_lines(answerer):
    """宪法 第一百二十四条 lists 主任，/ 副主任若干人，/ 委员若干人。 on lines of their own, without （一）:
    the quote of its lead '监察委员会由下列人员组成：' carries them."""
    answer = answerer.ask("监察委员会由哪些人组成？", use_llm=False)
    first = answer.citations[0]
    assert (first.title, first.article) == ("中华人民共和国宪法", 124)
    assert "委员若干人" in first.quote and "主任" in first.quote


def test_the_same_text_in_other_encodings_is_one_document(tmp_path, shared_corpus):
    """Duplicates are judged on the text, not the bytes: UTF-8, GBK, and UTF-8 with a BOM and CRLF."""
    text = (shared_corpus / "texts" / "official_reception_rules_2013.md").read_text(encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text, encoding="gbk")
    (folder / "c.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    with Store(tmp_path / "idx") as store:
        report = ingest_paths([folder], store)
        assert [r.status for r in report.results] == ["added", "duplicate", "duplicate"]
        assert all("同一文档" in r.message and "a.txt" in r.message for r in report.results[1:])
        (row,) = store.documents()
        assert sorted(Path(p).name for p in row.paths) == ["a.txt", "b.txt", "c.txt"]
