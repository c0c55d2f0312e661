"""Access groups on documents (ingest --access, sidecar / manifest field) and the CLI's --groups:
a reader outside a document's groups gets nothing of it from search, ask, quiz or FAQ — not its
title, not its text, not its version — and a reader in them gets it answered and cited.

The knowledge base: the demo corpus (open), plus two documents for 内部组 written here (示例):
an internal procedure with a distinctive sentence (青松编号), and a 2025 version of the demo
reception measures whose rule for more than 6 guests (四分之一) exists nowhere else."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.conftest import DEMO_CORPUS

runner = CliRunner()

INTERNAL_TITLE = "清风区纪委监委信访举报机要工作规程（示例）"
INTERNAL_TEXT = f"""# {INTERNAL_TITLE}

本文件为清风系统测试用示例文本，不具有任何效力。

第一条 为规范信访举报件办理工作，制定本规程。

第二条 信访举报件由案件监督管理室统一受理。

第三条 办理信访举报件，应当在收件后七个工作日内完成初核分流，并以青松编号登记备查。

第四条 本规程自印发之日起施行。
"""
SECRET_SENTENCE = "并以青松编号登记备查"
SECRET_RULE = "陪餐人数以接待对象人数的四分之一为上限"
# Words of the hidden documents that no open document holds: none may reach a reader outside 内部组.
HIDDEN = [INTERNAL_TITLE, "信访举报机要工作规程", "青松编号", "四分之一", "清风办发〔2025〕", "2025"]


def _reception_2025() -> str:
    text = (DEMO_CORPUS / "qingfeng_reception_measures_2024.md").read_text(encoding="utf-8")
    text = text.replace("2024年3月1日", "2025年6月1日").replace("2024年3月15日", "2025年6月10日")
    text = text.replace("清风办发〔2024〕7号", "清风办发〔2025〕3号")
    old = "接待对象在8人以内的，陪餐人员不得超过3人；接待对象超过8人的，陪餐人数以接待对象人数的三分之一为上限。"
    assert old in text
    return text.replace(old, f"接待对象在6人以内的，陪餐人员不得超过2人；接待对象超过6人的，{SECRET_RULE}。")


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("access")
    shutil.copytree(DEMO_CORPUS, root / "open")
    internal = root / "internal"
    internal.mkdir()
    (internal / "内部工作规程.md").write_text(INTERNAL_TEXT, encoding="utf-8")
    (internal / "qingfeng_reception_measures_2025.md").write_text(_reception_2025(), encoding="utf-8")
    index = root / "index"
    assert runner.invoke(app, ["ingest", str(root / "open"), "--index", str(index)]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(internal), "--index", str(index), "--access", "内部组"])
    assert result.exit_code == 0, result.output
    return index


def ask(index: Path, question: str, *groups: str) -> tuple[dict, str]:
    args = ["ask", "--index", str(index), "--json", "--no-llm", question]
    if groups:
        args += ["--groups", ",".join(groups)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stdout


def assert_hidden(output: str, question: str = "") -> None:
    """None of the hidden words in `output`, apart from the reader's own: the question, and the
    names and quotes it holds when they are echoed (知识库中没有《…》)."""
    for own in [question, *re.findall(r"《([^》]+)》|“([^”]+)”", question)]:
        for text in ([own] if isinstance(own, str) else own):
            if text:
                output = output.replace(text, "")
    for word in HIDDEN:
        assert word in question or word not in output, word


QUESTIONS = [
    "信访举报件收件后几个工作日内要完成初核分流？",
    "青松编号是什么？",
    "单位来了12个人检查，工作餐最多几个人陪？",
    "2025年版公务接待管理办法对陪餐人数怎么规定？",
    f"《{INTERNAL_TITLE}》第三条是怎么规定的？",
    f"“{SECRET_SENTENCE}”出自哪个文件？",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_reader_outside_the_group_gets_nothing_of_its_documents(kb, question):
    answer, output = ask(kb, question, "其他组")
    assert_hidden(output, question)
    for citation in answer["citations"] + answer["related"]:
        assert citation["title"] != INTERNAL_TITLE and citation["version"] != "2025"
        for earlier in citation.get("earlier_versions", []):
            assert earlier["version"] != "2025"


def test_a_hidden_document_named_reads_as_one_the_knowledge_base_lacks(kb):
    question = f"《{INTERNAL_TITLE}》第三条是怎么规定的？"
    hidden, output = ask(kb, question, "其他组")
    absent, _ = ask(kb, "《清风区纪委监委信访举报外部工作规程（示例）》第三条是怎么规定的？", "其他组")
    assert hidden["refused"] and absent["refused"] and hidden["citations"] == absent["citations"] == []
    # The same refusal, word for word. The open passages listed after it are what each question's own
    # words find (机要 and 外部 differ in meaning, so the vector search ranks them differently).
    first = hidden["answer"].split("\n")[0]
    assert first.replace("机要", "外部") == absent["answer"].split("\n")[0]
    assert first == f"知识库中未找到直接依据。知识库中没有《{INTERNAL_TITLE}》。"
    assert_hidden(output, question)


def test_the_open_version_answers_when_the_newer_one_is_hidden(kb):
    answer, output = ask(kb, "单位来了12个人检查，工作餐最多几个人陪？", "其他组")
    first = answer["citations"][0]
    assert (first["title"], first["version"], first["article"]) == ("清风区党政机关公务接待管理办法（示例）", "2024", 14)
    assert "陪餐人数以接待对象人数的三分之一为上限" in first["quote"]
    # No note points to a newer version the reader cannot see.
    assert not answer["notes"] and "现行" not in (first.get("version_note") or "")


def test_a_reader_in_the_group_gets_them_answered_and_cited(kb):
    answer, _ = ask(kb, "信访举报件收件后几个工作日内要完成初核分流？", "内部组")
    first = answer["citations"][0]
    assert not answer["refused"] and (first["title"], first["article"]) == (INTERNAL_TITLE, 3)
    assert "七个工作日内完成初核分流" in first["quote"]
    answer, _ = ask(kb, "单位来了12个人检查，工作餐最多几个人陪？", "内部组", "另一组")
    first = answer["citations"][0]
    assert (first["version"], first["article"]) == ("2025", 14) and SECRET_RULE in first["quote"]
    # The CLI without --groups runs with the files in reach: it reads everything.
    answer, _ = ask(kb, "信访举报件收件后几个工作日内要完成初核分流？")
    assert answer["citations"][0]["title"] == INTERNAL_TITLE


def test_search_shows_only_what_the_groups_may_read(kb):
    def search(*groups):
        args = ["search", "--index", str(kb), "--json", "--top-k", "20", "青松编号 陪餐人数 四分之一"]
        result = runner.invoke(app, args + (["--groups", ",".join(groups)] if groups else []))
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["results"], result.stdout

    results, output = search("其他组")
    assert results and all(r["title"] != INTERNAL_TITLE and r["version"] != "2025" for r in results)
    assert_hidden(output, "青松编号 陪餐人数 四分之一")
    results, _ = search("内部组")
    assert {INTERNAL_TITLE, "清风区党政机关公务接待管理办法（示例）"} <= {r["title"] for r in results}
    assert any(r["version"] == "2025" for r in results)
    # "" is a reader of the open documents only.
    results, output = search("")
    assert results and all(r["title"] != INTERNAL_TITLE for r in results)


def test_quiz_and_faq_are_made_from_readable_documents_only(kb, tmp_path):
    out = tmp_path / "quiz.json"
    result = runner.invoke(app, ["quiz", "--index", str(kb), "--count", "40", "--groups", "其他组", "--out", str(out)])
    assert result.exit_code == 0, result.output
    items = out.read_text(encoding="utf-8")
    assert json.loads(items) and "清风区党政机关公务接待管理办法" in items
    assert_hidden(items)
    # Naming the hidden document: "not in the knowledge base", and the titles listed are open ones.
    result = runner.invoke(app, ["quiz", "--index", str(kb), "--doc", INTERNAL_TITLE, "--groups", "其他组",
                                 "--out", str(tmp_path / "q2.json")])
    assert result.exit_code == 2 and "知识库中没有文件" in result.output
    assert "信访举报机要工作规程" not in re.sub(re.escape(INTERNAL_TITLE), "", result.output)
    result = runner.invoke(app, ["quiz", "--index", str(kb), "--doc", INTERNAL_TITLE, "--groups", "内部组",
                                 "--count", "4", "--out", str(tmp_path / "q3.json")])
    assert result.exit_code == 0 and "青松编号" in (tmp_path / "q3.json").read_text(encoding="utf-8")

    faq = tmp_path / "faq.jsonl"
    result = runner.invoke(app, ["faq", "--index", str(kb), "--groups", "其他组", "--out", str(faq)])
    assert result.exit_code == 0, result.output
    text = faq.read_text(encoding="utf-8")
    assert "清风区党政机关公务接待管理办法" in text
    assert_hidden(text)
    assert_hidden(result.output)


def test_access_survives_a_sync_without_the_option_and_a_sidecar_sets_its_own(kb, tmp_path):
    from ingest.store import Store

    internal = kb.parent / "internal"
    # Syncing the folder again without --access keeps the groups (never opens the documents).
    assert runner.invoke(app, ["ingest", str(internal), "--index", str(kb)]).exit_code == 0
    answer, output = ask(kb, "信访举报件收件后几个工作日内要完成初核分流？", "其他组")
    assert_hidden(output, "信访举报件收件后几个工作日内要完成初核分流？")
    with Store(kb) as store:
        groups = {r.title: r.meta.access for r in store.documents()}
    assert groups[INTERNAL_TITLE] == ["内部组"] and groups["关于推进清廉机关建设的实施意见（示例）"] == []

    folder = tmp_path / "own"
    folder.mkdir()
    (folder / "规程.md").write_text(INTERNAL_TEXT.replace("机要工作规程", "领导班子工作规程"), encoding="utf-8")
    (folder / "规程.md.meta.json").write_text(json.dumps({"access": ["领导班子", "纪检监察室"]}), encoding="utf-8")
    (folder / "坏组名.md").write_text(INTERNAL_TEXT.replace("机要工作规程", "坏组名规程"), encoding="utf-8")
    (folder / "坏组名.md.meta.json").write_text(json.dumps({"access": "领导<script>"}), encoding="utf-8")
    index = tmp_path / "index"
    result = runner.invoke(app, ["ingest", str(folder), "--index", str(index), "--access", "内部组"])
    # A bad group name: that file is not ingested (never opened to everyone by mistake), with a Chinese reason.
    assert result.exit_code == 1 and "访问组名称" in result.output
    with Store(index) as store:
        rows = store.documents()
    assert [(r.title, r.meta.access) for r in rows] == [("清风区纪委监委信访举报领导班子工作规程（示例）", ["纪检监察室", "领导班子"])]
    result = runner.invoke(app, ["inspect", str(folder / "规程.md")])
    assert "纪检监察室、领导班子" in result.output


def test_the_groups_hold_on_the_milvus_backend(kb, tmp_path):
    """The same index searched in Milvus Lite (a real one, embedded): the kept documents go to
    Milvus as the filter expression, so a hidden document's chunks are never returned by it."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "QINGFENG_MILVUS_URI": str(tmp_path / "milvus.db")}
    question = "单位来了12个人检查，工作餐最多几个人陪？"
    answers = {}
    for groups in ("其他组", "内部组"):
        done = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "ask", "--json", "--no-llm", "--index",
                               str(kb), "--groups", groups, question], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        answers[groups] = (json.loads(done.stdout), done.stdout)
    outside, output = answers["其他组"]
    assert_hidden(output, question)
    assert (outside["citations"][0]["version"], outside["citations"][0]["article"]) == ("2024", 14)
    inside, _ = answers["内部组"]
    assert (inside["citations"][0]["version"], inside["citations"][0]["article"]) == ("2025", 14)
    assert SECRET_RULE in inside["citations"][0]["quote"]


def test_the_web_app_reads_open_documents_only_until_users_sign_in(kb, tmp_path):
    """A visitor who has not signed in reads the open documents only (no user accounts sign in to
    the page yet): the page (header, example questions, every document picker, the article browser's
    first document), POST /api/ask, the quiz and FAQ tabs and the article browser show nothing of
    the 内部组 documents. A real app.py subprocess serves the index; the tabs run in process."""
    from assistant.knowledge_base import KnowledgeBase
    from assistant.web.browse import EMPTY, units_html
    from assistant.web.faq import FaqTab
    from assistant.web.quiz import QuizTab
    from tests.test_web_app import _post
    from tests.test_web_own_corpus import start, stop

    index = tmp_path / "index"
    shutil.copytree(kb, index)
    process, config = start(kb.parent / "open", index, tmp_path / "app.log")
    try:
        page = json.dumps(config, ensure_ascii=False)
        assert "清风区党政机关公务接待管理办法" in page  # the pickers hold the open documents
        assert_hidden(page.replace("2025", ""))  # (2025 may be a Gradio version number or a date)
        assert "2025年6月" not in page and "清风办发〔2025〕" not in page
        url = config["root"].rstrip("/") if config.get("root") else _app_url(tmp_path / "app.log")
        for question in QUESTIONS:
            status, _, text = _post(url, "/api/ask", json.dumps({"question": question}).encode(),
                                    {"Content-Type": "application/json"})
            assert status == 200, text
            assert_hidden(text, question)
        status, _, text = _post(url, "/api/ask", json.dumps({"question": QUESTIONS[2]}).encode(),
                                {"Content-Type": "application/json"})
        first = json.loads(text)["citations"][0]
        assert (first["version"], first["article"]) == ("2024", 14)
    finally:
        stop(process)

    web = KnowledgeBase(index)
    try:
        hidden = {d.title: d.doc_id for d in web.documents() if d.meta.access}
        assert set(hidden) == {INTERNAL_TITLE, "清风区党政机关公务接待管理办法（示例）"}
        assert units_html(web, hidden[INTERNAL_TITLE]) == EMPTY
        assert "青松编号" in units_html(web, hidden[INTERNAL_TITLE], groups=frozenset({"内部组"}))
        _, preview, files = QuizTab(web).generate([], "", ["single", "judge", "blank"], 30, "", 1)
        assert_hidden(preview)
        summary, listing, files, entries = FaqTab(web).generate([], 0)
        assert entries and "清风区党政机关公务接待管理办法" in listing
        assert_hidden(listing + json.dumps(entries, ensure_ascii=False) + summary)
    finally:
        web.close()


def _app_url(log: Path) -> str:
    match = re.search(r"http://127\.0\.0\.1:\d+", log.read_text())
    assert match, log.read_text()
    return match.group(0)


PASSWORDS = {"neibu": "内部组-口令-2026", "qita": "其他组-口令-2026", "boss": "管理员-口令-2026"}


def _basic(user: str, password: str) -> dict:
    import base64

    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Content-Type": "application/json", "Authorization": f"Basic {token}"}


@pytest.fixture(scope="module")
def served_with_accounts(kb, tmp_path_factory):
    """app.py on a copy of the index with two accounts, 内部组 and 其他组: signing in is required."""
    from assistant.accounts import Users
    from tests.test_web_own_corpus import start, stop

    root = tmp_path_factory.mktemp("served")
    index = root / "index"
    shutil.copytree(kb, index)
    users = Users(index)
    users.add("neibu", PASSWORDS["neibu"], ["内部组"])
    users.add("qita", PASSWORDS["qita"], ["其他组"])
    users.add("boss", PASSWORDS["boss"], is_admin=True)
    users.close()
    process, config = start(kb.parent / "open", index, root / "app.log")
    yield index, config, config["root"].rstrip("/") if config.get("root") else _app_url(root / "app.log")
    stop(process)


def test_signed_in_users_read_what_their_groups_may_and_every_question_is_audited(served_with_accounts):
    from assistant.accounts import AuditLog
    from tests.test_web_app import _post

    index, config, url = served_with_accounts
    page = json.dumps(config, ensure_ascii=False)
    # Signing in is required: the page lists no document at all before it.
    assert "请先在“知识库”页登录" in page and "清风区党政机关公务接待管理办法" not in page
    assert_hidden(page.replace("2025", ""))
    ask_body = json.dumps({"question": QUESTIONS[0]}).encode()
    status, headers, text = _post(url, "/api/ask", ask_body, {"Content-Type": "application/json"})
    assert status == 401 and "请先登录" in json.loads(text)["error"] and "basic" in headers["www-authenticate"].lower()
    status, _, text = _post(url, "/api/ask", ask_body, _basic("neibu", "wrong-password"))
    assert status == 401 and "用户名或密码错误" in text

    # HTTP Basic credentials: each user reads what their groups may.
    status, _, text = _post(url, "/api/ask", ask_body, _basic("neibu", PASSWORDS["neibu"]))
    inside = json.loads(text)
    assert status == 200 and (inside["citations"][0]["title"], inside["citations"][0]["article"]) == (INTERNAL_TITLE, 3)
    for question in QUESTIONS:
        status, _, text = _post(url, "/api/ask", json.dumps({"question": question}).encode(), _basic("qita", PASSWORDS["qita"]))
        assert status == 200
        assert_hidden(text, question)

    # The login route's session cookie works for the API as well.
    status, headers, text = _post(url, "/qingfeng/login", json.dumps({"user": "qita", "password": PASSWORDS["qita"]}).encode(),
                                  {"Content-Type": "application/json"})
    assert status == 200, text
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, _, text = _post(url, "/api/ask", json.dumps({"question": QUESTIONS[2]}).encode(),
                            {"Content-Type": "application/json", "Cookie": cookie})
    first = json.loads(text)["citations"][0]
    assert (first["version"], first["article"]) == ("2024", 14)
    # A signed-in reader is not an administrator: no upload.
    status, _, _ = _post(url, "/gradio_api/upload", b"x", {"Content-Type": "multipart/form-data; boundary=x",
                                                            "Content-Length": "1", "Cookie": cookie})
    assert status == 403

    log = AuditLog(index)
    asks = [r for r in log.rows(action="ask")]
    assert {r.user for r in asks} == {"neibu", "qita"} and len(asks) == 2 + len(QUESTIONS)
    neibu = next(r for r in asks if r.user == "neibu")
    assert neibu.detail["question"] == QUESTIONS[0] and neibu.detail["cited"][0]["title"] == INTERNAL_TITLE
    assert neibu.detail["cited"][0]["article"] == 3 and neibu.address == "127.0.0.1"
    assert all(INTERNAL_TITLE not in json.dumps(r.detail["cited"], ensure_ascii=False) for r in asks if r.user == "qita")
    assert [r.user for r in log.rows(action="sign_in")] == ["qita"]
    assert [(r.user, r.detail["reason"]) for r in log.rows(action="sign_in_failed")] == [("neibu", "用户名或密码错误")]


def test_an_admin_edits_access_in_the_knowledge_base_tab_and_reads_the_audit_log(kb, tmp_path):
    """In process (the tab's events with the request's cookie): the admin opens a document to
    everyone and closes it again; each change is in the audit log, which the admin reads and
    exports; a reader account cannot."""
    import gradio as gr
    from openpyxl import load_workbook

    from assistant.accounts import AuditLog, Users
    from assistant.config import get_settings
    from assistant.knowledge_base import KnowledgeBase
    from assistant.retrieval import SearchFilters
    from assistant.web.admin import Admin, AdminAuth
    from assistant.web.sessions import COOKIE
    from assistant.web.visitors import Visitors

    index = tmp_path / "index"
    shutil.copytree(kb, index)
    settings = get_settings().model_copy(update={"index_dir": index})
    users, audit = Users(index), AuditLog(index)
    users.add("boss", "boss-password-1", is_admin=True)
    users.add("qita", PASSWORDS["qita"], ["其他组"])
    web = KnowledgeBase(index, settings)
    admin = Admin(web, AdminAuth(settings), visitors=Visitors(settings, AdminAuth(settings), users), audit=audit)
    try:
        reader = gr.Request(cookies={COOKIE: admin.sign_in("qita", PASSWORDS["qita"], "10.0.0.7").token})
        with pytest.raises(gr.Error, match="请先以管理员身份登录"):
            admin.audit_rows(reader)
        signed = gr.Request(cookies={COOKIE: admin.sign_in("boss", "boss-password-1", "10.0.0.8").token})
        doc = next(d.doc_id for d in web.documents() if d.title == INTERNAL_TITLE)
        assert admin.pick_access(doc, signed) == "内部组"

        def answer_as_other_group():
            return web.answerer(SearchFilters(groups=frozenset({"其他组"}))).ask(QUESTIONS[0], use_llm=False)

        assert answer_as_other_group().refused
        message, *_ = admin.save_access(doc, "", signed, progress=lambda *a, **k: None)
        assert "公开" in message and web.readable_documents(frozenset({"其他组"}))
        opened = answer_as_other_group()
        assert not opened.refused and opened.citations[0].title == INTERNAL_TITLE
        message, *_ = admin.save_access(doc, "内部组, 领导班子", signed, progress=lambda *a, **k: None)
        assert "内部组、领导班子" in message
        assert answer_as_other_group().refused
        with pytest.warns(UserWarning, match="访问组名称"):
            message, *_ = admin.save_access(doc, "坏<组>", signed, progress=lambda *a, **k: None)

        rows = admin.audit_rows(signed)
        actions = [r[4] for r in rows]
        assert actions[:2] == ["修改访问组", "修改访问组"] and actions.count("登录") == 2
        assert 'before：[]；after：["内部组", "领导班子"]' in rows[0][5]
        assert rows[0][2] == "boss" and rows[0][3] == ""
        path = admin.audit_export(signed)
        sheet = load_workbook(path).active
        assert [c.value for c in sheet[1]] == ["编号", "时间", "用户", "地址", "操作", "内容"]
        assert any(row[4].value == "修改访问组" and row[2].value == "boss" for row in sheet.iter_rows(min_row=2))
    finally:
        web.close()


def test_browser_chat_signed_in_as_each_group(served_with_accounts, tmp_path):
    """Chromium on the served app: before signing in the chat asks for it; signed in as 内部组 the
    internal procedure is cited; signed in as 其他组 nothing of it shows in the chat or the sources
    panel. Each answer leaves an audit row with the user and the cited article."""
    from types import SimpleNamespace

    from playwright.sync_api import sync_playwright

    from assistant.accounts import AuditLog
    from tests.test_web_app import CHROMIUM, CHROMIUM_ARGS, Page, _choose

    index, _, url = served_with_accounts
    question = QUESTIONS[0]

    def sign_in(page: Page, user: str) -> None:
        pg = page.page
        pg.get_by_role("tab", name="知识库").click()
        pg.fill("#qf-user input", user)
        pg.fill("#qf-password input", PASSWORDS[user])
        pg.click("#qf-login-button")
        pg.wait_for_selector(f"#qf-login-msg :text('已登录：{user}')")
        pg.get_by_role("tab", name="问答").click()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            anonymous = Page(browser, SimpleNamespace(url=url), "access-anonymous")
            anonymous.page.fill("#qf-question textarea", question)
            anonymous.page.click("#qf-ask")
            anonymous.page.wait_for_selector(":text('请先登录')")
            assert anonymous.page.locator("#qf-chat .qf-msg").count() == 0
            anonymous.close()

            inside = Page(browser, SimpleNamespace(url=url), "access-neibu")
            assert "请先在“知识库”页登录" in inside.page.inner_text("#qf-intro")
            sign_in(inside, "neibu")
            inside.page.wait_for_selector("#qf-intro :text('已登录：neibu')")
            answer = inside.ask(question, turn=1)
            assert f"《{INTERNAL_TITLE}》" in answer and "第三条" in answer and "七个工作日" in answer
            # The article browser lists, and shows, the documents this user may read.
            inside.page.get_by_role("tab", name="条文浏览").click()
            _choose(inside.page, "#qf-browse-doc", INTERNAL_TITLE)
            inside.page.wait_for_selector("#units :text('青松编号')")
            # Signing out ends the session: the chat asks to sign in again.
            inside.page.get_by_role("tab", name="知识库").click()
            inside.page.click("#qf-reader-logout")
            inside.page.wait_for_selector("#qf-login-msg :text('已退出登录')")
            inside.page.wait_for_selector("#qf-intro :text('请先在“知识库”页登录')")
            inside.page.get_by_role("tab", name="问答").click()
            inside.page.fill("#qf-question textarea", question)
            inside.page.click("#qf-ask")
            inside.page.wait_for_selector(":text('请先登录')")
            inside.close()

            outside = Page(browser, SimpleNamespace(url=url), "access-qita")
            sign_in(outside, "qita")
            for turn, asked in enumerate([question, QUESTIONS[2]], start=1):
                outside.ask(asked, turn=turn)
            shown = outside.page.inner_text("#qf-chat") + outside.page.inner_text("#qf-sources")
            assert "第十四条" in shown  # the 2024 rule for more than 8 guests
            assert_hidden(shown.replace(question, ""), QUESTIONS[2])
            outside.page.get_by_role("tab", name="条文浏览").click()
            outside.page.click("#qf-browse-doc input")
            options = outside.page.locator("[role=option]").all_inner_texts()
            assert any("清风区党政机关公务接待管理办法" in o for o in options)
            assert_hidden(" ".join(options))
            outside.close()
        finally:
            browser.close()

    rows = [r for r in AuditLog(index).rows(action="ask") if r.detail.get("via") == "chat"]
    assert [(r.user, r.detail["question"]) for r in rows] == [("qita", QUESTIONS[2]), ("qita", question), ("neibu", question)]
    assert rows[2].detail["cited"][0]["title"] == INTERNAL_TITLE and rows[2].detail["cited"][0]["article"] == 3
    assert rows[0].detail["cited"][0]["article"] == 14 and rows[0].detail["cited"][0]["version"] == "2024"
    assert [r.user for r in AuditLog(index).rows(action="sign_out")] == ["neibu"]


def test_feedback_points_to_the_audit_row_of_its_answer(kb, tmp_path):
    from assistant.accounts import AuditLog
    from assistant.knowledge_base import KnowledgeBase
    from assistant.web.chat import Chat, ChatSession
    from assistant.web.feedback import RATINGS, FeedbackStore

    index = tmp_path / "index"
    shutil.copytree(kb, index)
    web, audit = KnowledgeBase(index), AuditLog(index)
    try:
        chat = Chat(web, FeedbackStore(tmp_path / "feedback.sqlite"), audit=audit)
        session = ChatSession()
        for _ in chat.respond(QUESTIONS[2], session, [], [], True):
            pass
        status, _ = chat.rate("down", "没有算出12人时的人数", session)
        assert "已记录" in status
        asked, = audit.rows(action="ask")
        feedback, = audit.rows(action="feedback")
        assert asked.user == "" and asked.detail["via"] == "chat" and asked.detail["cited"][0]["version"] == "2024"
        assert feedback.detail == {"answer_row": asked.id, "rating": RATINGS["down"], "comment": "没有算出12人时的人数"}
    finally:
        web.close()


def test_an_admin_manages_accounts_in_the_knowledge_base_tab(tmp_path):
    import gradio as gr

    from assistant.accounts import AuditLog, Users
    from assistant.config import get_settings
    from assistant.knowledge_base import KnowledgeBase
    from assistant.web.admin import Admin, AdminAuth
    from assistant.web.sessions import COOKIE
    from assistant.web.visitors import Visitors

    index = tmp_path / "index"
    from pydantic import SecretStr

    settings = get_settings().model_copy(update={"index_dir": index, "admin_user": "管理员",
                                                 "admin_password": SecretStr("示例-口令-1")})
    users, audit = Users(index), AuditLog(index)
    web = KnowledgeBase(index, settings)
    auth = AdminAuth(settings)
    admin = Admin(web, auth, visitors=Visitors(settings, auth, users), audit=audit)
    try:
        signed = gr.Request(cookies={COOKIE: admin.sign_in("管理员", "示例-口令-1", "10.0.0.1").token})
        message, table, password_box = admin.save_user("王五", "wangwu-pass-1", "纪检监察室", False, signed)
        assert message == "已新建账户 王五。" and table == [["王五", "纪检监察室", ""]] and password_box == ""
        assert admin.load_user("王五", signed) == ("纪检监察室", False)
        # Saving with an empty password keeps it; the groups are what the form says.
        admin.save_user("王五", "", "纪检监察室,领导班子", False, signed)
        assert users.verify("王五", "wangwu-pass-1").groups == ["纪检监察室", "领导班子"]
        with pytest.warns(UserWarning, match="密码至少"):
            admin.save_user("赵六", "short", "", False, signed)
        reader = gr.Request(cookies={COOKIE: admin.sign_in("王五", "wangwu-pass-1", "10.0.0.2").token})
        with pytest.raises(gr.Error, match="请先以管理员身份登录"):
            admin.save_user("王五", "", "", True, reader)  # a reader cannot make themself an admin
        message, table = admin.remove_user("王五", True, signed)
        assert message == "已删除账户 王五。" and table == []
        # The removed account's session ends with it.
        assert admin.visitor(reader) is None
        changes = [(r.user, r.detail["change"], r.detail["name"]) for r in audit.rows(action="user")]
        assert changes == [("管理员", "删除", "王五"), ("管理员", "修改", "王五"), ("管理员", "新建", "王五")]
    finally:
        web.close()


def test_a_readers_word_statistics_are_those_of_what_they_may_read(kb, tmp_path):
    """A document hidden from a reader changes none of the word statistics their search and
    answers use (idf, known words, verbatim counts, the question's word weights): the same as on an
    index that never held it. (BM25's length normalisation stays the whole index's.)"""
    from assistant.answer import Answerer
    from assistant.retrieval.lexicon import segmenter
    from assistant.retrieval.relevance import question_words
    from assistant.retrieval.terms import QuestionTerms
    from ingest.store import Store

    open_only = tmp_path / "open-index"
    assert runner.invoke(app, ["ingest", str(kb.parent / "open"), "--index", str(open_only)]).exit_code == 0
    reader = Answerer.open(kb).for_groups(frozenset({"其他组"}))
    plain = Answerer.open(open_only)
    view, whole = reader.index, plain.index
    assert type(view).__name__ == "ReaderView" and len(view) == len(whole)
    with Store(kb) as store:
        assert len(view) < sum(n for _, n, _ in store.node_counts())  # the hidden chunks are not counted
    for question in QUESTIONS + ["青松编号 初核分流 四分之一 陪餐人数 信访举报件"]:
        for token in segmenter().tokens(question):
            assert view.knows(token) == whole.knows(token), token
            assert abs(view.idf(token) - whole.idf(token)) < 1e-9, token
        for word in question_words(question):
            assert view.occurrences(word) == whole.occurrences(word), word
        assert QuestionTerms(question, view).weights == pytest.approx(QuestionTerms(question, whole).weights)
    # Words only the hidden documents hold: known to the index, unknown to the reader.
    only_hidden = [t for t in segmenter().tokens("青松编号 初核分流") if not whole.knows(t)]
    assert only_hidden and all(reader.retriever.index.knows(t) and not view.knows(t) for t in only_hidden)


def test_browser_admin_manages_an_account_and_a_documents_groups(served_with_accounts):
    """Chromium, signed in as an admin account: the 账户 section creates a reader account, and
    保存访问组 opens the internal procedure to everyone; both are in the audit table. Runs after the
    other tests on this app (it changes the knowledge base)."""
    from types import SimpleNamespace

    from playwright.sync_api import sync_playwright

    from assistant.accounts import Users
    from tests.test_web_app import CHROMIUM, CHROMIUM_ARGS, Page, _choose

    index, _, url = served_with_accounts
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = Page(browser, SimpleNamespace(url=url), "access-admin")
            pg = page.page
            pg.get_by_role("tab", name="知识库").click()
            pg.fill("#qf-user input", "boss")
            pg.fill("#qf-password input", PASSWORDS["boss"])
            pg.click("#qf-login-button")
            pg.wait_for_selector("#qf-documents")
            assert "访问组" in pg.inner_text("#qf-documents") and "内部组" in pg.inner_text("#qf-documents")

            pg.locator("#qf-accounts").get_by_text("账户（用户名、访问组、管理员）").click()
            pg.fill("#qf-account-name input", "xinren")
            pg.fill("#qf-account-password input", "xinren-password-1")
            pg.fill("#qf-account-groups input", "内部组")
            pg.click("#qf-account-save")
            pg.wait_for_selector("#qf-account-msg :text('已新建账户 xinren')")
            assert "xinren" in pg.inner_text("#qf-accounts-table")

            _choose(pg, "#qf-edit-doc", INTERNAL_TITLE)
            pg.wait_for_function("() => document.querySelector('#qf-edit-access input').value === '内部组'")
            pg.fill("#qf-edit-access input", "")
            pg.click("#qf-save-access")
            pg.wait_for_selector("#qf-edit-msg :text('访问组：公开')", timeout=120_000)

            pg.locator("#qf-audit").get_by_text("审计日志（提问、登录、管理操作）").click()
            pg.click("#qf-audit-show")
            pg.wait_for_function("() => document.querySelector('#qf-audit-table').innerText.includes('修改访问组')")
            audit = pg.inner_text("#qf-audit-table")
            assert "账户变更" in audit and "boss" in audit
            page.close()
        finally:
            browser.close()
    users = Users(index)
    assert users.verify("xinren", "xinren-password-1").groups == ["内部组"]
