"""`qingfeng inspect --json` on every real document: exact article counts, 1..N, no false headings."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from assistant.cli.commands import app
from tests.conftest import SHARED_CORPUS, manifest, shared_texts

runner = CliRunner()
MANIFEST = manifest()


def inspect_json(path) -> dict:
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", shared_texts(), ids=lambda p: p.stem)
def test_article_counts_match_manifest(path):
    entry = MANIFEST[f"texts/{path.name}"]
    parsed = inspect_json(path)
    numbers = [a["number"] for a in parsed["articles"]]
    assert len(numbers) == entry["articles"]
    assert numbers == list(range(1, len(numbers) + 1))
    # Metadata comes from the corpus manifest next to the files.
    assert parsed["title"] == entry["title"]
    for field in ("title", "version", "status", "doc_type", "articles"):
        assert field in parsed
    for article in parsed["articles"]:
        assert article["text"].startswith(f"第{article['label'][1:-1]}条")
        # An article's own text never holds the start of the next article on a line of its own.
        assert not re.search(r"\n第[一二三四五六七八九十百零]+条 ", article["text"])
    # A heading is a heading: never a sentence and never an article reference.
    text = path.read_text(encoding="utf-8")
    for heading in parsed["headings"]:
        assert not re.match(r"^第.{1,6}条", heading["text"]), heading
        assert len(heading["text"]) <= 40 and not heading["text"].endswith("。")
        assert heading["text"].replace(" ", "") in re.sub(r"[ 　]", "", text)


def test_cross_references_stay_inside_their_article():
    parsed = inspect_json(SHARED_CORPUS / "texts/cpc_discipline_regulations_2023.md")
    by_number = {a["number"]: a for a in parsed["articles"]}
    references = [(n, m) for n, a in by_number.items() for m in re.findall(r"本条例第([一二三四五六七八九十百零]+)条", a["text"])]
    assert [n for n, _ in references] == [19, 43, 81]  # each citation stays inside the citing article
    # Article 158 (the last) is about entry into force and is short, not swallowed by anything.
    assert "施行" in by_number[158]["text"]
    assert parsed["version"] == "2023" and parsed["status"] == "现行有效"


def test_a_remark_about_another_law_does_not_make_a_document_repealed():
    # The manifest's note "以官方公布为准（引用的行政监察法已废止）" is about the law it cites.
    parsed = inspect_json(SHARED_CORPUS / "texts/public_funds_overseas_travel_sanctions_rules.md")
    assert parsed["status"] == "现行有效"
    assert inspect_json(SHARED_CORPUS / "texts/cpc_discipline_regulations_2018.md")["status"] == "已修订"
    assert inspect_json(SHARED_CORPUS / "texts/public_institution_staff_sanctions_interim_rules_2012.md")["status"] == "已修订"


def test_table_of_contents_is_not_content():
    parsed = inspect_json(SHARED_CORPUS / "texts/supervision_law_implementing_regulations_2021.md")
    assert parsed["toc"] is not None
    toc_start, toc_end = parsed["toc"]
    assert all(not (toc_start <= h["start"] < toc_end) for h in parsed["headings"])
    chapters = [h["text"] for h in parsed["headings"] if h["kind"] in ("章", "附则")]
    assert chapters[0] == "第一章 总则" and len(chapters) == len(set(chapters)) == 9
    assert parsed["articles"][0]["heading"] == ["第一章 总则"]


def test_documents_without_articles_give_outline_items():
    parsed = inspect_json(SHARED_CORPUS / "texts/eight_point_regulation_2012.md")
    assert parsed["articles"] == []
    items = [u for u in parsed["units"] if u["kind"] == "item"]
    assert [u["label"] for u in items] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    parsed = inspect_json(SHARED_CORPUS / "texts/official_vehicle_reform_guiding_opinions_2014.md")
    items = [u for u in parsed["units"] if u["kind"] == "item"]
    assert any(u["label"] == "（一）" and u["heading"][-1].startswith("三、") for u in items)
    assert parsed["doc_type"] == "实施意见"


def test_numbered_speech_excerpts():
    parsed = inspect_json(SHARED_CORPUS / "texts/xi_remarks_on_inspection_tours_excerpts.md")
    items = [u for u in parsed["units"] if u["kind"] == "item"]
    assert [u["number"] for u in items] == list(range(1, 22))
    assert parsed["doc_type"] == "讲话"
