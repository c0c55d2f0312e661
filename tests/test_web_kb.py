"""The web app's knowledge base and chat, in process, on the demo corpus (corpus/, 示例) and on
files written here (marked 示例): uploads with per-file results, answering while an ingest runs,
metadata edits, deletion, one job at a time, admin checks, filters, follow-ups, refusal display,
escaping, feedback, LLM streaming and the `ask` API's JSON."""

from __future__ import annotations

import copy
import re
import threading
import uuid
from pathlib import Path

import gradio as gr
import pytest

from assistant.config import Settings
from assistant.knowledge_base import BusyError, InputError, KnowledgeBase, safe_filename
from assistant.web.admin import Admin, AdminAuth
from assistant.web.chat import EMPTY_KB, Chat, ChatSession
from assistant.web.feedback import FeedbackStore
from assistant.web.sessions import COOKIE
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import DEMO_CORPUS
from tests.openai_stub import ScriptedLLM

RECEPTION = "清风区党政机关公务接待管理办法（示例）"
CANTEEN_TITLE = "清风区机关食堂管理规定（示例）"
CANTEEN = f"""{CANTEEN_TITLE}

本文件为清风系统测试用示例文本，不具有任何效力。

第一条 为规范清风区机关食堂管理，节约公共资源，制定本规定。
第二条 本规定适用于清风区区级机关食堂。
第三条 机关食堂工作日午餐标准为每人每餐15元，其中个人负担5元。
第四条 机关食堂不得对外营业，不得承办宴请活动。
第五条 本规定自2024年5月1日起施行。
"""
WEBSITE_TITLE = "清风区政务网站内容安全管理办法（示例）"
WEBSITE = f"""{WEBSITE_TITLE}

本文件为清风系统测试用示例文本，不具有任何效力。

第一条 为加强清风区政务网站内容安全管理，制定本办法。
第二条 政务网站发布的稿件不得夹带可执行代码，例如<script>window.__qfInjected = 1</script>或者<img src=x onerror="window.__qfInjected = 2">一类的标记，发现后应当立即删除。
第三条 政务网站内容安全检查每季度开展一次。
"""
CANTEEN_QUESTION = "机关食堂工作日午餐标准是多少？"


def make_settings(tmp_path: Path, **extra) -> Settings:
    return Settings(_env_file=None, index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads", **extra)


def open_kb(tmp_path: Path, corpus: bool = True, **extra) -> KnowledgeBase:
    settings = make_settings(tmp_path, **extra)
    if corpus:
        with Store(settings.index_dir) as store:
            ingest_paths([DEMO_CORPUS], store)
    return KnowledgeBase(settings.index_dir, settings)


@pytest.fixture
def kb(tmp_path):
    kb = open_kb(tmp_path, max_file_mb=1)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory):
    """Read-only: for chat tests that change nothing."""
    kb = open_kb(tmp_path_factory.mktemp("web"))
    yield kb
    kb.close()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def finished(job):
    assert job.wait(120), "job did not finish"
    assert job.error is None, job.error
    return job


def ask_all(chat: Chat, question: str, session: ChatSession | None = None, documents=(), doc_types=(),
            include_superseded=True):
    frames = []  # the chat updates its message list in place: keep a copy of each frame
    for frame in chat.respond(question, session or ChatSession(), list(documents), list(doc_types),
                              include_superseded):
        frames.append((copy.deepcopy(frame[0]) if isinstance(frame[0], list) else frame[0], *frame[1:]))
    messages, sources, session, _ = frames[-1]
    return frames, messages, sources, session


# Uploads


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\报告.PDF") == "报告.pdf"
    assert safe_filename("评论<b>:?.txt") == "评论_b___.txt"
    assert safe_filename(".hidden.md") == "hidden.md"
    assert safe_filename("a\x00b\nc.txt") == "a_b_c.txt"
    assert safe_filename("...") == "未命名文件"
    assert len(safe_filename("长" * 500 + ".docx")) == 120 + len(".docx")


def test_upload_gives_each_file_a_result_and_keeps_only_what_went_in(kb, tmp_path):
    incoming = tmp_path / "incoming"
    files = [
        write(incoming, "canteen.txt", CANTEEN),
        write(incoming, "重复.md", (DEMO_CORPUS / "qingfeng_reception_measures_2024.md").read_bytes()),
        write(incoming / "again", "canteen.txt", CANTEEN),  # same content twice in one upload
        write(incoming, "表格.et", b"\xd0\xcf\x11\xe0 WPS spreadsheet"),
        write(incoming, "程序.exe", b"MZ\x90\x00"),
        write(incoming, "空.txt", b""),
        write(incoming, "太大.txt", "第一条 示例。\n".encode() * 120_000),
        write(incoming, "损坏.pdf", b"%PDF-1.7 this is not really a pdf"),
        write(incoming, "网站<b>.txt", WEBSITE),
    ]
    generation = kb.engine.generation
    job = finished(kb.ingest_uploads(files))
    got = [(r.name, r.status) for r in job.results]
    assert got == [
        ("canteen.txt", "added"), ("重复.md", "duplicate"), ("canteen.txt", "duplicate"), ("表格.et", "rejected"),
        ("程序.exe", "rejected"), ("空.txt", "rejected"), ("太大.txt", "rejected"), ("损坏.pdf", "error"),
        ("网站_b_.txt", "added"),
    ]
    messages = {r.name + r.status: r.message for r in job.results}
    assert RECEPTION in messages["重复.mdduplicate"]
    assert "本次上传" in messages["canteen.txtduplicate"]
    assert "WPS 表格文件不是可导入的文档" in messages["表格.etrejected"]
    assert "不支持的文件类型" in messages["程序.exerejected"] and "PDF" in messages["程序.exerejected"]
    assert "空" in messages["空.txtrejected"]
    assert "超过上限 1 MB" in messages["太大.txtrejected"]
    assert "损坏.pdf" in messages["损坏.pdferror"]
    assert job.results[0].title == CANTEEN_TITLE and job.results[0].articles == 5
    assert all(r.label for r in job.results) and "已导入 2" in job.summary and "已拒绝 4" in job.summary
    # Only the two ingested files are kept, under safe names, inside the uploads folder.
    assert sorted(p.name for p in kb.upload_dir.iterdir()) == ["canteen.txt", "网站_b_.txt"]
    assert kb.read_store.counts()["documents"] == 7
    assert kb.engine.generation == generation + 1
    answer = kb.answerer().ask(CANTEEN_QUESTION)
    assert not answer.refused and answer.citations[0].title == CANTEEN_TITLE
    assert "15元" in answer.citations[0].quote


def test_nothing_to_upload_is_a_clear_message(kb):
    with pytest.raises(InputError, match="请先选择"):
        kb.ingest_uploads([])


def test_the_chat_keeps_answering_while_an_ingest_runs(kb, tmp_path):
    # A run-specific document (not in the embedding cache), so that embedding takes a while.
    token = uuid.uuid4().hex[:8]
    articles = "\n".join(f"第{n}条 示例细则{token}第{n}项：各单位应当按季度报送第{n}类台账，逐项核对{n * 3}个要点。"
                         for n in range(1, 61))
    big = write(tmp_path / "incoming", "细则.txt", f"清风区台账报送细则{token}（示例）\n\n{articles}\n")
    generation = kb.engine.generation
    job = kb.ingest_uploads([big])
    answered_during, errors = [], []

    def asker():
        while job.running:
            try:
                answer = kb.answerer().ask("操办婚丧喜庆事宜需要报告吗？")
                if job.running:
                    answered_during.append(answer.citations[0].title)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=asker) for _ in range(2)]
    for t in threads:
        t.start()
    finished(job)
    for t in threads:
        t.join()
    assert not errors
    assert answered_during and set(answered_during) == {"清风区领导干部操办婚丧喜庆事宜报告办法（示例）"}
    assert kb.engine.generation == generation + 1  # switched once the new index was complete
    answer = kb.answerer().ask(f"示例细则{token}第7项要求报送什么台账？")
    assert not answer.refused and answer.citations[0].title == f"清风区台账报送细则{token}（示例）"


def test_one_knowledge_base_job_at_a_time(kb):
    job = kb.reindex()
    try:
        with pytest.raises(BusyError, match="正在处理"):
            kb.reindex()
    finally:
        finished(job)
    assert "已重建索引：5 个文件" in job.summary
    finished(kb.reindex())  # free again


def test_a_failed_job_keeps_the_chat_on_the_previous_index(kb):
    engine = kb.engine

    def broken(job):
        raise OSError("磁盘已满（示例）")

    job = kb.start("导入文件", broken)
    assert job.wait(30) and not job.running
    assert job.error.startswith("导入文件失败：磁盘已满（示例）") and "问答继续使用原来的索引" in job.error
    assert kb.engine is engine and kb.answerer().ask("操办婚丧喜庆事宜需要报告吗？").citations
    finished(kb.reindex())  # the next job can start


def test_edit_metadata_then_delete(kb, tmp_path):
    current = next(d for d in kb.documents() if d.title == RECEPTION and d.meta.version == "2024")
    with pytest.raises(InputError, match="标题不能为空"):
        kb.edit(current.doc_id, " ", "2024", "现行有效", "法规")
    with pytest.raises(InputError, match="状态只能是"):
        kb.edit(current.doc_id, RECEPTION, "2024", "有效", "法规")
    with pytest.raises(InputError, match="没有需要保存的修改"):
        kb.edit(current.doc_id, RECEPTION, "2024", "现行有效", "法规")
    with pytest.raises(InputError, match="选择"):
        kb.edit("no-such-doc", RECEPTION, "2024", "现行有效", "法规")

    job = finished(kb.edit(current.doc_id, "清风区公务接待办法（示例·改）", "2024", "现行有效", "法规"))
    assert "标题" in job.summary
    answer = kb.answerer().ask("接待对象8人以内，陪餐人员最多几人？")
    assert answer.citations[0].title == "清风区公务接待办法（示例·改）"

    uploaded = finished(kb.ingest_uploads([write(tmp_path / "in", "canteen.txt", CANTEEN)]))
    doc_id = next(d.doc_id for d in kb.documents() if d.title == CANTEEN_TITLE)
    assert (kb.upload_dir / "canteen.txt").exists() and uploaded.results[0].status == "added"
    finished(kb.delete(doc_id))
    assert not (kb.upload_dir / "canteen.txt").exists()  # the uploaded copy goes with it
    assert all(d.title != CANTEEN_TITLE for d in kb.documents())
    assert all(c.title != CANTEEN_TITLE for c in kb.answerer().ask(CANTEEN_QUESTION).citations)

    finished(kb.delete(current.doc_id))
    assert (DEMO_CORPUS / "qingfeng_reception_measures_2024.md").exists()  # a corpus file stays on disk
    remaining = [d for d in kb.documents() if d.title == RECEPTION]
    assert [(d.meta.version, d.meta.status) for d in remaining] == [("2020", "现行有效")]
    assert kb.answerer().ask("接待对象8人以内，陪餐人员最多几人？").citations[0].version == "2020"
    with pytest.raises(InputError):
        kb.delete(current.doc_id)


def test_an_empty_knowledge_base_says_so_and_fills_up(tmp_path):
    kb = open_kb(tmp_path, corpus=False)
    try:
        assert kb.engine is None and kb.answerer() is None
        chat = Chat(kb, FeedbackStore(tmp_path / "feedback.sqlite"))
        _, messages, _, _ = ask_all(chat, "操办婚丧喜庆事宜需要报告吗？")
        assert "知识库中还没有文件" in messages[-1]["content"]
        with pytest.raises(gr.Error):
            chat.ask_api("操办婚丧喜庆事宜需要报告吗？")
        finished(kb.ingest_uploads([write(tmp_path / "in", "canteen.txt", CANTEEN)]))
        assert kb.answerer().ask(CANTEEN_QUESTION).citations[0].title == CANTEEN_TITLE
        finished(kb.delete(kb.documents()[0].doc_id))
        assert kb.engine is None and "知识库中还没有文件" in EMPTY_KB
    finally:
        kb.close()


# Admin access


def test_admin_needs_configured_credentials_and_a_login(kb, tmp_path):
    disabled = AdminAuth(make_settings(tmp_path))
    assert not disabled.enabled and not disabled.check("", "") and not disabled.check("admin", "admin")
    assert not AdminAuth(make_settings(tmp_path, admin_user="admin", admin_password="")).enabled
    auth = AdminAuth(make_settings(tmp_path, admin_user="管理员", admin_password="示例-口令"))
    assert auth.enabled and auth.check("管理员", "示例-口令")
    assert not auth.check("管理员", "示例-口令 ") and not auth.check("admin", "示例-口令")

    admin = Admin(kb, auth)
    upload = write(tmp_path / "in", "canteen.txt", CANTEEN)
    nobody, forged = gr.Request(), gr.Request(cookies={COOKIE: "made-up"})
    for request in (nobody, forged, None):
        for action in (lambda: admin.ingest([str(upload)], request), lambda: admin.reindex(request),
                       lambda: admin.delete(kb.documents()[0].doc_id, True, request),
                       lambda: admin.save(kb.documents()[0].doc_id, "x", "", "现行有效", "法规", [], request),
                       lambda: admin.pick(kb.documents()[0].doc_id, request)):
            with pytest.raises(gr.Error, match="请先以管理员身份登录"):
                action()
    assert kb.read_store.counts()["documents"] == 5 and not kb.upload_dir.exists()

    assert admin.sign_in("管理员", "wrong", "127.0.0.1").token is None
    signed_in = admin.sign_in("管理员", "示例-口令", "127.0.0.1")
    assert signed_in.token and signed_in.status == 200 and signed_in.message == ""
    request = gr.Request(cookies={COOKIE: signed_in.token})
    login_box, admin_box, message, timer, status, table, *_ = admin.after_login("管理员", "", request)
    assert admin_box["visible"] is True and login_box["visible"] is False and len(table) == 5
    rows, message, *_ = admin.ingest([str(upload)], request, progress=lambda *a, **k: None)
    assert rows[0][:2] == ["canteen.txt", "已导入"] and message.startswith("导入完成")
    with pytest.warns(UserWarning, match="确认删除"):
        message, *_ = admin.delete(kb.documents()[0].doc_id, False, request)
    assert "确认删除" in message and kb.read_store.counts()["documents"] == 6
    with pytest.warns(UserWarning, match="没有需要保存的修改"):
        row = kb.documents()[0]
        message, *_ = admin.save(row.doc_id, row.title, row.meta.version, row.meta.status, row.meta.doc_type, [], request)
    assert message == "没有需要保存的修改。"


# Chat


def test_the_chat_streams_an_answer_whose_markers_open_its_sources(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    frames, messages, sources, session = ask_all(chat, "接待对象8人以内，陪餐人员最多几人？")
    assert len(frames) >= 4  # placeholder, several pieces, final
    assert any("正在生成" in f[0][-1]["content"] for f in frames[1:-1] if isinstance(f[0], list))
    final = messages[-1]["content"]
    record = session.records[-1]
    assert record.turn == 1 and not record.answer.refused
    for c in record.answer.citations:
        assert f'<a class="qf-cite" href="#qf-src-1-{c.marker}"' in final
        assert f'id="qf-src-1-{c.marker}"' in sources
    assert "复制回答" in final and 'class="qf-plain"' in final
    first = record.answer.citations[0]
    assert f"《{first.title}》（2024）" in sources and 'qf-badge qf-current">现行有效' in sources
    assert "第三章" in sources and "第十四条" in sources
    marked = re.findall(r"<mark>(.*?)</mark>", sources)
    assert marked and all(m in first.text for m in marked) and "陪餐人员不得超过3人" in "".join(marked)


def test_follow_up_questions_keep_the_conversation(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    _, _, _, session = ask_all(chat, "接待对象8人以内，陪餐人员最多几人？")
    _, messages, sources, session = ask_all(chat, "那2020年版呢？", session)
    assert len(messages) == 4 and len(session.turns) == 2 and session.count == 2
    assert "陪餐" in session.records[-1].answer.resolved_question
    assert 'id="qf-turn-2"' in sources and 'id="qf-turn-1"' in sources
    assert sources.index('id="qf-turn-2"') < sources.index('id="qf-turn-1"')  # newest first
    messages, sources, session, _ = chat.new_conversation()
    assert messages == [] and session.turns == [] and "提问后" in sources


def test_a_refusal_is_shown_as_such_with_related_passages(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    _, messages, sources, session = ask_all(chat, "个人所得税起征点是多少？")
    answer = session.records[-1].answer
    assert answer.refused
    final = messages[-1]["content"]
    assert "qf-refused" in final and "知识库中未找到直接依据" in final
    assert "不作为答案依据" in sources and "qf-src-" not in sources
    for i in range(1, len(answer.related) + 1):
        assert f'href="#qf-rel-1-{i}"' in final and f'id="qf-rel-1-{i}"' in sources


def test_filters_limit_documents_types_and_versions(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    family = next(d for d in shared_kb.documents() if "婚丧喜庆" in d.title)
    question = "2020年版接待办法规定的陪餐人数是多少？"

    def cited(**filters):
        answer = ask_all(chat, question, **filters)[3].records[-1].answer
        return answer.citations + answer.related

    assert {c.doc_id for c in cited(documents=[family.doc_id])} == {family.doc_id}
    assert {c.title for c in cited(doc_types=["讲话"])} == {"在清风区清廉机关建设推进会上的讲话（示例）"}
    assert {c.status for c in cited(include_superseded=False)} == {"现行有效"}


def test_bad_questions_get_a_message_and_change_nothing(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    session = ChatSession()
    for bad, message in [("", "请输入问题"), ("   ", "请输入问题"), ("问" * 501, "问题太长（501 字）")]:
        with pytest.warns(UserWarning, match=message):
            frames = list(chat.respond(bad, session, [], [], True))
        assert len(frames) == 1 and session.messages == [] and session.count == 0
    with pytest.raises(gr.Error, match="请输入问题"):
        chat.ask_api(" ")


def test_feedback_is_stored_with_question_answer_and_sources(shared_kb, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    chat = Chat(shared_kb, store)
    with pytest.warns(UserWarning, match="还没有可以评价的回答"):
        chat.rate("up", "", ChatSession())
    assert store.all() == []  # nothing to rate yet
    _, _, _, session = ask_all(chat, "操办婚丧喜庆事宜需要报告吗？")
    status, comment = chat.rate("down", "  希望列出报告时限（示例意见）  ", session)
    assert "评价 “没帮助”" in status and "意见已一并保存" in status and comment == ""
    chat.rate("up", "", session)  # changing one's mind replaces the rating of the same answer
    rows = FeedbackStore(tmp_path / "feedback.sqlite").all()
    assert len(rows) == 1
    row = rows[0]
    answer = session.records[-1].answer
    assert row.rating == "up" and row.comment == "" and row.question == "操办婚丧喜庆事宜需要报告吗？"
    assert row.answer == answer.answer and not row.refused
    assert [s["marker"] for s in row.sources] == [c.marker for c in answer.citations]
    assert row.sources[0]["title"] == answer.citations[0].title and row.sources[0]["quote"]


def test_the_api_returns_the_cli_json(shared_kb, tmp_path):
    chat = Chat(shared_kb, FeedbackStore(tmp_path / "feedback.sqlite"))
    question = "接待对象8人以内，陪餐人员最多几人？"
    got = chat.ask_api(question)
    expected = {"question": question, **shared_kb.answerer().ask(question).contract()}
    got.pop("timing_ms"), expected.pop("timing_ms")
    assert got == expected


def test_the_llm_reply_streams_into_the_chat(tmp_path):
    plain = open_kb(tmp_path / "plain")
    question = "接待对象8人以内，陪餐人员最多几人？"
    quote = plain.answerer().ask(question).citations[0].quote.split("；")[0]
    plain.close()
    with ScriptedLLM(f"根据现行办法，{quote}[1]。") as stub:
        kb = open_kb(tmp_path / "llm", llm_base_url=stub.base_url, llm_timeout=10)
        try:
            chat = Chat(kb, FeedbackStore(tmp_path / "feedback.sqlite"))
            frames, messages, _, session = ask_all(chat, question)
        finally:
            kb.close()
    assert any("大模型正在生成" in f[0][-1]["content"] for f in frames[1:-1] if isinstance(f[0], list))
    answer = session.records[-1].answer
    # the model wrote no 简要回答 line: the extractive first sentence stays first, then its prose
    lead, prose = answer.answer.split("\n")[:2]
    assert answer.mode == "llm" and lead == answer.lead and lead.startswith("简要回答：") and prose.startswith("根据现行办法")
    assert "大模型改写" in messages[-1]["content"] and "llm" in answer.timing_ms
