"""Chunks: one per article, long articles split at 款/项 with the header kept, never across units."""

from __future__ import annotations

from ingest.chunking import build_nodes
from ingest.parse import parse_document
from tests.conftest import DEMO_CORPUS, SHARED_CORPUS


def parse(path):
    return parse_document(path, path.read_bytes(), source=str(path))


def test_every_node_lies_inside_one_unit_and_quotes_the_text_exactly():
    for path in [*sorted((SHARED_CORPUS / "texts").glob("*.md")), *sorted((SHARED_CORPUS / "pdf").glob("*.pdf"))]:
        doc = parse(path)
        nodes = build_nodes(doc, max_chars=600)
        spans = [(u.start, u.end) for u in doc.units]
        for node in nodes:
            m = node.metadata
            assert any(s <= m["start_char"] and m["end_char"] <= e for s, e in spans), (path.name, m)
            assert node.text[m["prefix_chars"]:] == doc.text[m["start_char"]:m["end_char"]]
            assert len(node.text) - m["prefix_chars"] <= 600
        articles_with_nodes = {n.metadata["article"] for n in nodes if n.metadata["article"] is not None}
        assert articles_with_nodes == {a.number for a in doc.articles}


def test_long_article_is_split_at_items_keeping_its_header():
    doc = parse(SHARED_CORPUS / "texts/supervision_law_implementing_regulations_2021.md")
    nodes = build_nodes(doc, max_chars=300)
    pieces = [n for n in nodes if n.metadata["pieces"] > 1]
    assert pieces
    for node in pieces:
        label = node.metadata["article_label"]
        assert node.text.startswith(label)
        if node.metadata["piece"] > 1 and node.text[node.metadata["prefix_chars"]:].startswith("（"):
            # A continuation that starts at an item repeats the sentence that introduces the items.
            assert node.text[:node.metadata["prefix_chars"]].rstrip().endswith("：")


def test_node_metadata():
    doc = parse(SHARED_CORPUS / "pdf/civil_servant_law_2018.pdf")
    node = next(n for n in build_nodes(doc) if n.metadata["article"] == 102)
    m = node.metadata
    assert m["title"] == "中华人民共和国公务员法" and m["doc_type"] == "法规" and m["status"] == "现行有效"
    assert m["heading"] == "第十六章 职位聘任" and m["page_start"] == 13 and m["article_label"] == "第一百零二条"
    assert m["clause_start"] == 1 and m["source"].endswith("civil_servant_law_2018.pdf")
    embedded = node.get_content(metadata_mode="embed")
    assert "中华人民共和国公务员法" in embedded and "第十六章 职位聘任" in embedded and "page_start" not in embedded


def test_demo_corpus_parses_as_written():
    measures = parse(DEMO_CORPUS / "qingfeng_reception_measures_2024.md")
    assert measures.meta.title.endswith("（示例）") and measures.meta.version == "2024"
    assert measures.meta.doc_number == "清风办发〔2024〕7号" and measures.meta.doc_type == "法规"
    assert [a.number for a in measures.articles] == list(range(1, 27))
    # A second 款 that opens with a cross-reference stays in its article.
    art23 = next(a for a in measures.articles if a.number == 23)
    assert len(art23.clauses) >= 2 and "违反本办法第五条规定的" in art23.text
    opinions = parse(DEMO_CORPUS / "qingfeng_clean_organ_opinions_2022.md")
    assert opinions.meta.doc_type == "实施意见" and not opinions.articles
    sub_items = [u for u in opinions.units if u.kind == "item" and u.label == "1."]
    assert sub_items and all(len(u.heading) == 2 for u in sub_items)  # 二、 › （一） › 1.
    speech = parse(DEMO_CORPUS / "qingfeng_clean_organ_speech_2023.md")
    assert speech.meta.doc_type == "讲话"
    assert [u.label for u in speech.units if u.kind == "item"] == ["一、", "二、", "三、"]


def test_text_without_structure_gives_paragraph_chunks(tmp_path):
    path = tmp_path / "随笔.txt"
    paragraphs = [f"这是第{i}段没有任何编号的文字，用来检查没有结构的文件也能被切成合理的片段。" * 3 for i in range(20)]
    path.write_text("无结构的示例\n" + "\n".join(paragraphs), encoding="utf-8")
    doc = parse(path)
    nodes = build_nodes(doc)
    assert {n.metadata["unit_kind"] for n in nodes} == {"paragraph"}
    assert 3 <= len(nodes) <= 10
    assert all(len(n.text) <= 600 for n in nodes)
