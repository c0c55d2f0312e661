"""Structure faults are reported, never merged away (issue 15): a repeated 第二条 and an article out
of order each stay an article of their own, with a warning in `ingest`, `inspect --json` and the
knowledge-base table. Real input: ../shared/corpus's 党政机关国内公务接待管理规定 with its 第三条 moved
after 第五条 and its 第二条 repeated; the untouched corpus gives no warning at all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from assistant.web.render import DOCUMENT_COLUMNS, document_rows
from ingest.parse import parse_document
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import ROOT, SHARED_CORPUS, shared_texts

RECEPTION = SHARED_CORPUS / "texts" / "official_reception_rules_2013.md"


def _article(text: str, label: str) -> str:
    """The block of `text` from the line starting `label` to the next article line."""
    m = re.search(rf"^{label}\s.*?(?=^第[一二三四五六七八九十]+条\s)", text, re.M | re.S)
    return m.group(0)


def damaged_reception(folder: Path) -> Path:
    text = RECEPTION.read_text(encoding="utf-8")
    third, fifth, second = _article(text, "第三条"), _article(text, "第五条"), _article(text, "第二条")
    text = text.replace(third, "", 1).replace(fifth, fifth + third, 1)  # 第三条 now after 第五条
    text = text.replace(third, third + second, 1)  # and 第二条 again after it
    path = folder / "reception.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_corpus_has_no_structure_warning():
    for path in shared_texts():
        assert parse_document(path, path.read_bytes()).warnings == [], path.name


def test_repeated_and_out_of_order_articles_stay_apart_with_warnings(tmp_path):
    path = damaged_reception(tmp_path)
    doc = parse_document(path, path.read_bytes())
    numbers = [u.number for u in doc.articles]
    assert numbers[:7] == [1, 2, 4, 5, 3, 2, 6]
    assert len(doc.articles) == 27  # its 26 articles and the repeated 第二条: none merged
    third = next(u for u in doc.articles if u.number == 3)
    assert third.label == "第三条" and "有利公务、务实节俭" in third.text and "第五条" not in third.text
    fifth = next(u for u in doc.articles if u.number == 5)
    assert "有利公务" not in fifth.text  # not folded into the article before it
    assert any("第三条出现在第五条之后" in w for w in doc.warnings)
    assert any("第二条重复出现" in w for w in doc.warnings)
    assert len(doc.warnings) == 2  # 第三条 is there, late: no article is missing


def test_a_missing_article_is_said(tmp_path):
    text = RECEPTION.read_text(encoding="utf-8")
    path = tmp_path / "reception.md"
    path.write_text(text.replace(_article(text, "第七条"), "", 1), encoding="utf-8")
    assert parse_document(path, path.read_bytes()).warnings == ["缺少第七条（共 1 条），请核对原文是否完整。"]


def test_warnings_reach_ingest_inspect_and_the_table(tmp_path):
    path = damaged_reception(tmp_path)
    with Store(tmp_path / "index") as store:
        report = ingest_paths([path], store)
        assert "结构提示 2 处" in report.results[0].message
        (row,) = store.documents()
        assert len(row.warnings) == 2
        assert "第三条出现在第五条之后" in document_rows([row])[0][DOCUMENT_COLUMNS.index("结构提示")]
    done = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "inspect", "--json", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(json.loads(done.stdout)["warnings"]) == 2
