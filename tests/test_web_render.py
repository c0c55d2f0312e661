"""The chat's HTML: text from documents, questions and answers is escaped (shown as text, never
run), markers link to their sources, quoted sentences are highlighted, copy text is plain."""

from __future__ import annotations

import html
import re

from assistant.answer import Answer, Citation, EarlierVersion
from assistant.answer.answerer import RELATED_INTRO
from assistant.web.render import (
    DOCUMENT_COLUMNS,
    TurnRecord,
    answer_html,
    document_rows,
    highlight,
    linked_answer,
    plain_text,
    sources_html,
    user_html,
)
from ingest.models import DocumentMeta
from ingest.store import DocumentRow

ARTICLE = '第二条 稿件不得夹带<script>alert("x")</script>等代码。发现后应当<b>立即</b>删除。'
EVIL_TITLE = '网站办法<img src=x onerror="alert(1)">（示例）'


def citation(marker=1, **extra) -> Citation:
    quote = '稿件不得夹带<script>alert("x")</script>等代码。'
    start = ARTICLE.index(quote)
    fields = dict(marker=marker, source="/srv/uploads/网站.txt", title=EVIL_TITLE, version="2024", status="现行有效",
                  article=2, article_label="第二条", heading="第一章 <i>总则</i>", page=3, quote=quote,
                  text=ARTICLE, spans=[(start, start + len(quote))], doc_id="d1", start=0)
    return Citation(**{**fields, **extra})


def answer(**extra) -> Answer:
    c = citation()
    fields = dict(question="q", resolved_question="q", kind="lookup", refused=False,
                  answer=f"根据《{c.title}》第二条规定：“{c.quote}”[1]\n另见[7]。", citations=[c],
                  timing_ms={"total": 12.3})
    return Answer(**{**fields, **extra})


def no_markup_from_text(rendered: str) -> None:
    # The only tags are the app's own; none that text could have brought in.
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", rendered))
    assert tags <= {"div", "span", "a", "br", "mark", "details", "summary", "section", "ul", "li"}, tags
    assert "onerror=" not in rendered.replace("onerror=&quot;", "")


def test_answer_message_escapes_text_and_links_real_markers_only():
    rendered = answer_html(answer(), turn=4)
    no_markup_from_text(rendered)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered
    assert '<a class="qf-cite" href="#qf-src-4-1"' in rendered
    assert "[7]" in rendered and "qf-src-4-7" not in rendered  # no source [7]: not a link
    assert "\n" not in rendered  # one HTML block for the Markdown renderer
    assert "摘录原文 · 用时 12 毫秒" in rendered and "复制回答" in rendered


def test_partial_answer_while_streaming():
    a = answer()
    rendered = answer_html(a, turn=1, text=a.answer[:20], final=False)
    assert "正在生成" in rendered and "复制回答" not in rendered
    assert html.escape(a.answer[:20]).replace("\n", "<br>") in rendered


def test_refusal_message_and_related_links():
    related = citation(marker=None)
    other = citation(marker=None, article=3, article_label="第三条", doc_id="d2")
    text = f"知识库中未找到直接依据。\n{RELATED_INTRO}\n- {related.reference}\n- {other.reference}"
    a = answer(refused=True, answer=text, citations=[], related=[related, other])
    rendered = answer_html(a, turn=2)
    no_markup_from_text(rendered)
    assert "qf-refused" in rendered and ">无法回答<" in rendered and "知识库中未找到直接依据" in rendered
    # The related passages are listed once: two links, one per line, and no second run-on list.
    assert rendered.count('<li><a class="qf-cite" href="#qf-rel-2-') == 2 and 'href="#qf-rel-2-2"' in rendered
    visible = re.sub(r'<span class="qf-plain">.*?</span>', "", rendered)  # the copy text is hidden
    assert visible.count(RELATED_INTRO) == 1 and visible.count("第三条") == 1
    panel = sources_html([TurnRecord(2, "<b>问</b>", a, "id")])
    assert 'id="qf-rel-2-1"' in panel and "不作为答案依据" in panel and "&lt;b&gt;问&lt;/b&gt;" in panel
    assert "<mark>" not in panel  # related passages are not quoted


def test_sources_panel_shows_reference_badge_and_highlight():
    earlier = EarlierVersion(source="old.txt", title=EVIL_TITLE, version="2020", article=3, article_label="第三条",
                             text="旧条文<script>x()</script>", start=0)
    c = citation(version_note="[1]引自已被修订的版本<script>", earlier_versions=[earlier], status="已修订")
    panel = sources_html([TurnRecord(1, "问题一", answer(citations=[c]), "id")])
    no_markup_from_text(panel)
    assert 'id="qf-src-1-1"' in panel and "第1问：问题一" in panel
    assert "《网站办法&lt;img src=x onerror=&quot;alert(1)&quot;&gt;（示例）》（2024）" in panel
    assert 'qf-badge qf-revised">已修订' in panel
    assert "第一章 &lt;i&gt;总则&lt;/i&gt; · 第二条 · 第3页 · 来源文件：网站.txt" in panel
    assert "/srv/uploads" not in panel  # the server's folders are not shown
    assert '<mark>稿件不得夹带&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;等代码。</mark>' in panel
    assert "2020年版 第三条" in panel and "旧条文&lt;script&gt;x()&lt;/script&gt;" in panel


def test_highlight_merges_overlaps_and_ignores_bad_spans():
    assert highlight("甲乙丙丁", [(0, 2), (1, 3)]) == "<mark>甲乙</mark><mark>丙</mark>丁"
    assert highlight("<a>", [(0, 99)]) == "<mark>&lt;a&gt;</mark>"
    assert highlight("甲乙", []) == "甲乙"


def test_copy_text_is_plain():
    text = plain_text(answer())
    assert text.startswith("根据《") and "\n\n出处：\n[1] 《" in text and "<script>" in text  # raw text, not HTML
    assert "&lt;" not in text and "qf-cite" not in text


def test_user_question_and_table_rows_are_text():
    assert user_html("<img src=x onerror=alert(1)>\n第二行") == (
        '<div class="qf-question">&lt;img src=x onerror=alert(1)&gt;<br>第二行</div>')
    assert linked_answer("[1]<b>", 1, {1}).endswith("&lt;b&gt;")

    row = DocumentRow("d1", "/a/b/网站.txt", EVIL_TITLE, DocumentMeta(title=EVIL_TITLE, doc_type="法规"), 3, 4, 0.0, [])
    shown = document_rows([row])[0]
    assert [shown[DOCUMENT_COLUMNS.index(c)] for c in ("标题", "版本", "状态", "类型")] == [EVIL_TITLE, "", "现行有效", "法规"]  # as text
    assert document_rows([row])[0][DOCUMENT_COLUMNS.index("来源文件")] == "网站.txt"


def test_articles_found_but_not_cited_are_listed_apart_from_the_sources():
    related = citation(marker=None, article=3, article_label="第三条", doc_id="d2")
    a = answer(related=[related])
    panel = sources_html([TurnRecord(2, "q", a, "id")])
    no_markup_from_text(panel)
    cited_at, listed_at = panel.index('id="qf-src-2-1"'), panel.index("相关条文（不作为答案依据）")
    assert cited_at < listed_at and "第三条" in panel[listed_at:]
    assert panel[listed_at:].count("<mark>") == 0  # listed, not quoted as an answer
    text = plain_text(a)
    listed = text[text.index("相关条文（不作为答案依据）："):]
    assert text.index("出处：") < text.index(listed) and "第三条" in listed and "“" not in listed
