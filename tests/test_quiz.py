"""Quiz generation over the real corpus: validated keys, no duplicates, coverage, reproducibility,
the JSON contract, and Word / Excel files read back (plus a rendered page as a test artifact)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter

import pytest
from typer.testing import CliRunner

from assistant.cli.commands import app
from assistant.quiz import TYPES, QuizRequest, make_quiz
from assistant.quiz.export import EXCEL_COLUMNS, export
from assistant.quiz.facts import facts_in
from assistant.quiz.models import BLANK, QuizItem
from assistant.retrieval.lexicon import segmenter
from evals.quiz import duplicates, verify
from tests.conftest import ROOT

runner = CliRunner()
ARTIFACTS = ROOT / "test-artifacts" / "quiz"


@pytest.fixture(scope="module")
def store(shared_index):
    return shared_index[0]


@pytest.fixture(scope="module")
def quiz200(store) -> list[QuizItem]:
    return make_quiz(store, QuizRequest(types=TYPES, count=200, seed=0))


def test_200_items_all_types_every_key_verified_no_duplicates(store, quiz200):
    assert len(quiz200) == 200
    assert Counter(i.type for i in quiz200) == {"single": 50, "multiple": 50, "judge": 50, "blank": 50}
    # Each item checked again against the article as the store holds it.
    shares = verify(store, quiz200)
    assert all(share == 1.0 for share in shares.values()), shares
    assert duplicates(quiz200) == 0
    assert len({i.stem for i in quiz200}) == 200


def test_items_are_spread_over_documents_and_chapters(quiz200):
    docs = Counter(i.citation.title for i in quiz200)
    assert len(docs) >= 20
    assert docs.most_common(1)[0][1] <= 30
    assert len({(i.citation.title, i.citation.heading) for i in quiz200}) >= 100


def test_item_shapes(quiz200):
    for item in quiz200:
        text = item.citation.text
        assert item.sentence and re.sub(r"\s+", "", item.sentence) in re.sub(r"\s+", "", text)
        assert item.citation.reference in item.stem or item.stem.startswith("根据《")
        if item.type == "single":
            assert set(item.options) == set("ABCD") and item.answer in item.options
            assert item.options[item.answer] in item.sentence
            wrong = [v for k, v in item.options.items() if k != item.answer]
            assert not any(v in text for v in wrong)  # never a value the article holds
            kinds = {facts_in(v, text)[0].kind for v in item.options.values()}
            assert len(kinds) == 1  # options of one kind
        elif item.type == "multiple":
            assert isinstance(item.answer, list) and 2 <= len(item.answer) < len(item.options)
            assert all(item.options[k] in text for k in item.answer)
        elif item.type == "judge":
            assert isinstance(item.answer, bool) and not item.options
            assert item.explanation.startswith("正确" if item.answer else "错误")
        else:
            assert BLANK in item.stem and item.answer in item.sentence and item.answer not in item.stem
            # a number's blank never splits a word: its unit does not form one with what follows
            after = item.stem.split(BLANK, 1)[1][:1]
            is_number = facts_in(item.answer)[0].kind.startswith("number") if facts_in(item.answer) else False
            assert not (is_number and after and segmenter().frequency(item.answer[-1] + after)[0] > 0
                        and after not in "内外后前以左及的，。；、）"), (item.stem, item.answer)


def test_no_item_tells_another_items_key(quiz200):
    from assistant.quiz.validate import gives_away

    pairs = [(a.id, b.id) for a in quiz200 for b in quiz200 if a is not b and gives_away(a, b)]
    assert pairs == []


def test_a_numeral_inside_a_word_is_not_a_quantity():
    assert [f.text for f in facts_in("不得超过上一年度实际支出数额")] == ["不得"]  # 上一年度: no 一年
    assert [f.text for f in facts_in("接待对象在8人以内的，陪餐人员不得超过3人")] == ["8人", "不得", "3人"]
    assert [f.text for f in facts_in("应当在5个工作日内报告")] == ["应当", "5个工作日"]


def test_false_statements_change_exactly_one_fact(quiz200):
    false = [i for i in quiz200 if i.type == "judge" and i.answer is False]
    assert len(false) >= 10
    for item in false:
        original, changed = item.fact.split("→")
        assert original != changed and f"“{original}”" in item.explanation


def test_same_seed_same_quiz_other_seed_other_quiz(store):
    request = QuizRequest(types=("single", "blank"), count=10, seed=7)
    first = [i.contract() for i in make_quiz(store, request)]
    again = [i.contract() for i in make_quiz(store, request)]
    other = [i.contract() for i in make_quiz(store, QuizRequest(types=("single", "blank"), count=10, seed=8))]
    assert first == again and first != other


def test_document_chapter_and_difficulty_filters(store):
    items = make_quiz(store, QuizRequest(count=12, seed=1), documents=["纪律处分条例"], chapters=["第八章"])
    assert items and all(i.citation.title == "中国共产党纪律处分条例" and i.citation.version == "2023" for i in items)
    assert all("第八章" in i.citation.heading for i in items)
    old = make_quiz(store, QuizRequest(count=4, seed=1), documents=["2018年版纪律处分条例"])
    assert old and all(i.citation.version == "2018" for i in old)
    hard = make_quiz(store, QuizRequest(count=8, seed=1, difficulty="hard"))
    assert hard and all(i.difficulty == "hard" for i in hard)


def test_default_documents_are_current_versions(quiz200):
    assert not any(i.citation.title == "中国共产党纪律处分条例" and i.citation.version != "2023" for i in quiz200)
    assert not any(i.citation.title == "中华人民共和国监察法" and i.citation.version != "2024" for i in quiz200)


def test_json_contract(store, tmp_path):
    out = tmp_path / "quiz.json"
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--count", "8", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    items = json.loads(out.read_text(encoding="utf-8"))
    assert len(items) == 8
    for item in items:
        assert {"id", "type", "stem", "options", "answer", "explanation", "difficulty", "citation"} <= set(item)
        assert item["type"] in TYPES and item["difficulty"] in ("easy", "medium", "hard")
        assert {"source", "title", "version", "article", "text"} <= set(item["citation"])
        assert item["citation"]["text"].startswith(item["citation"]["article_label"])
        if item["type"] in ("judge", "blank"):
            assert item["options"] == {}
        answer = item["answer"]
        expected = {"single": str, "multiple": list, "judge": bool, "blank": str}[item["type"]]
        assert isinstance(answer, expected)


def test_word_and_excel_files_read_back(quiz200, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    items = [i for kind in TYPES for i in [x for x in quiz200 if x.type == kind][:10]]
    docx_path = export(items, tmp_path / "试卷.docx", "廉政知识测试（示例）")
    document = Document(docx_path)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "廉政知识测试（示例）"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、单选题", "二、多选题", "三、判断题", "四、填空题", "参考答案与解析"]
    numbered = [t for t in texts if re.match(r"^\d+\. 根据《", t)]
    assert len(numbered) == len(items)
    answers = [t for t in texts if re.match(r"^\d+\. 答案：", t)]
    assert len(answers) == len(items)
    assert sum(t.startswith("出处：《") for t in texts) == len(items)

    xlsx_path = export(items, tmp_path / "题库.xlsx")
    sheet = load_workbook(xlsx_path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXCEL_COLUMNS and len(rows) == len(items) + 1
    by_stem = {i.stem: i for i in items}
    for row in rows[1:]:
        item = by_stem[row[1]]
        assert row[7] == item.answer_text and row[9] == item.citation.reference
        assert [row[2 + i] or "" for i in range(5)] == [item.options.get(k, "") for k in "ABCDE"]

    md = export(items, tmp_path / "quiz.md").read_text(encoding="utf-8")
    assert md.count("答案：") == len(items)
    assert "答案：正确。正确。" not in md and "答案：错误。错误。" not in md  # the key is said once
    assert any(i.type == "judge" for i in items) and re.search(r"答案：(正确|错误)。出自|答案：错误。题中", md)


def test_word_paper_renders(quiz200, tmp_path):
    """The Word paper opens in LibreOffice; its first page is kept as a test artifact."""
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        pytest.fail("LibreOffice and poppler-utils are missing: apt-get install -y libreoffice-writer-nogui "
                    "poppler-utils fonts-wqy-microhei (.ci/run does this)")
    items = [i for kind in TYPES for i in [x for x in quiz200 if x.type == kind][:6]]
    path = export(items, tmp_path / "quiz.docx", "廉政知识测试（示例）")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "quiz.pdf"
    assert pdf.stat().st_size > 5000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "quiz-word")],
                   check=True, timeout=60)
    page = next(ARTIFACTS.glob("quiz-word*.png"))
    assert page.stat().st_size > 10_000


def test_quiz_cli_errors_in_chinese(store, tmp_path):
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--types", "single,essay", "--out", str(tmp_path / "q.json")])
    assert result.exit_code == 2 and "未知题型" in result.output
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--out", str(tmp_path / "q.pdf")])
    assert result.exit_code == 2 and ".docx" in result.output
    # an unknown document is named as such (issue 14), not reported as having nothing to quiz
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--doc", "不存在的文件名称", "--out", str(tmp_path / "q.json")])
    assert result.exit_code == 2 and "知识库中没有文件 不存在的文件名称" in result.output
    result = runner.invoke(app, ["quiz", "--index", str(store.dir), "--doc", "监察法", "--chapter", "第九十九章",
                                 "--out", str(tmp_path / "q.json")])
    assert result.exit_code == 1 and "没有可出题的条文" in result.output


def test_llm_items_are_validated_and_generation_fills_the_rest(store):
    """LLM mode against a scripted OpenAI-compatible server (no LLM can run here; see
    tests/openai_stub.py). Per article it returns one good blank item quoting the article, one item
    whose sentence is not in the article, one single-choice item with a duplicate option, and junk."""
    from assistant.answer.llm import LLMClient
    from tests.openai_stub import ScriptedLLM

    def reply(messages):
        article = messages[1]["content"].split("<条文>")[1].split("</条文>")[0]
        sentence = next((s + "。" for s in re.split(r"[。\n]", article) if re.search(r"[0-9一二三四五六七八九十]+(日|人|年|个月)", s)), "")
        fact = re.search(r"[0-9一二三四五六七八九十]+(日|人|年|个月)", sentence).group(0) if sentence else ""
        return json.dumps([
            {"type": "blank", "stem": "依规定，" + sentence.replace(fact, "____", 1), "options": {}, "answer": fact,
             "sentence": sentence, "key": fact, "explanation": "见原文。"},
            {"type": "blank", "stem": "本办法自____起施行。", "options": {}, "answer": "2099年",
             "sentence": "本办法自2099年起施行。", "key": "2099年", "explanation": "编造的条文。"},
            {"type": "single", "stem": "（　　）", "options": {"A": "3人", "B": "3人", "C": "5人", "D": "8人"},
             "answer": "A", "sentence": sentence, "key": "3人", "explanation": ""},
            "不是题目",
        ], ensure_ascii=False)

    rejected = Counter()
    with ScriptedLLM(reply) as stub:
        items = make_quiz(store, QuizRequest(types=("blank", "single"), count=6, seed=0),
                          documents=["党政机关办公用房管理办法"], llm=LLMClient(stub.base_url, "scripted"),
                          rejected=rejected)
    assert len(items) == 6 and [i.id for i in items] == [f"q{n:04d}" for n in range(1, 7)]
    from_llm = [i for i in items if i.explanation == "见原文。"]
    assert from_llm and all(i.answer in i.sentence and i.sentence in i.citation.text for i in from_llm)
    assert not any("2099" in i.stem for i in items)
    assert rejected["key_supported"] >= 1 and rejected["malformed"] >= 1
    assert len({(i.citation.title, i.sentence) for i in items}) == len(items)
