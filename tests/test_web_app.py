"""The web app as users reach it: `python app.py` in a real subprocess on the demo corpus (in a
temporary index), driven through its API (gradio_client), raw HTTP, and Debian's Chromium
through Playwright (never `playwright install`: the browser is /usr/bin/chromium).

Screenshots go to test-artifacts/web/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from evals.load import distinct_questions, run_load, start_app
from tests.conftest import ROOT
from tests.test_app_smoke import free_port
from tests.test_web_kb import CANTEEN, CANTEEN_QUESTION, CANTEEN_TITLE, WEBSITE, WEBSITE_TITLE

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = ROOT / "test-artifacts" / "web"
ADMIN_USER = "qingfeng-admin"
ADMIN_PASSWORD = f"示例口令-{uuid.uuid4().hex[:8]}"
RECEPTION = "清风区党政机关公务接待管理办法（示例）"
TIMEOUT = 60_000  # ms, for anything the page waits for
MAX_UPLOAD_MB = 3  # QINGFENG_MAX_UPLOAD_MB of the app under test: one upload request, all files


@dataclass
class App:
    url: str
    index: Path
    process: subprocess.Popen
    log: Path
    uploads: Path  # Gradio's temporary folder, where its upload route writes


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("webapp")
    port = free_port()
    log = folder / "app.log"
    env = {**os.environ, "QINGFENG_ADMIN_USER": ADMIN_USER, "QINGFENG_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_TEMP_DIR": str(folder / "gradio"),
           "QINGFENG_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB)}
    process = start_app(folder / "index", port, env=env, log=log)
    url = f"http://127.0.0.1:{port}"
    yield App(url, folder / "index", process, log, folder / "gradio")
    process.terminate()
    process.wait(timeout=30)


def documents_in(app: App) -> list[str]:
    with sqlite3.connect(app.index / "qingfeng.sqlite") as db:
        return [r[0] for r in db.execute("SELECT title FROM documents ORDER BY title")]


# API


def test_the_ask_endpoint_returns_the_cli_json(app):
    from gradio_client import Client

    client = Client(app.url, verbose=False, analytics_enabled=False)
    question = "接待对象8人以内，陪餐人员最多几人？"
    got = client.predict(question, api_name="/ask")
    cli = subprocess.run([sys.executable, "-m", "assistant.cli.commands", "ask", "--json", "--index", str(app.index), question],
                         cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    got.pop("timing_ms"), expected.pop("timing_ms")
    assert got == expected
    assert got["question"] == question and not got["refused"] and "[1]" in got["answer"]
    first = got["citations"][0]
    assert first["title"] == RECEPTION and first["version"] == "2024" and first["article"] == 14
    assert {"marker", "source", "status", "page", "quote", "text", "spans", "heading"} <= set(first)

    refused = client.predict("个人所得税起征点是多少？", api_name="/ask")
    assert refused["refused"] and refused["citations"] == [] and refused["related"]

    with pytest.raises(Exception, match="请输入问题"):
        client.predict("  ", api_name="/ask")
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/ask" in endpoints and not any(n in endpoints for n in ("/ingest", "/login", "/delete", "/save"))
    client.close()

    # The same answer over plain HTTP (POST /api/ask), and Chinese errors for bad requests.
    status, _, text = _post(app.url, "/api/ask", json.dumps({"question": question}).encode(),
                            {"Content-Type": "application/json"})
    plain = json.loads(text)
    plain.pop("timing_ms")
    assert status == 200 and plain == expected
    for body, message in ((b'{"question": "  "}', "请输入问题"), (b'{"q": 1}', "请求格式不对"), (b"not json", "请求格式不对"),
                          (json.dumps({"question": "问" * 2000}).encode(), "问题太长")):
        status, _, text = _post(app.url, "/api/ask", body, {"Content-Type": "application/json"})
        assert status == 400 and message in json.loads(text)["error"]


def _queue_call(url: str, fn_index: int, data: list, source: str = "127.0.0.1", cookie: str | None = None) -> dict:
    """Call an event the way the page does (POST /queue/join, then read the event stream), from the
    loopback address `source` (127.0.0.x: the app sees it as the caller's address)."""
    import http.client

    host, port = url.split("//", 1)[1].split(":")
    session = uuid.uuid4().hex[:11]
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None,
                       "trigger_id": None})
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
    connection.request("POST", "/gradio_api/queue/join", body, headers)
    connection.getresponse().read()
    connection.request("GET", f"/gradio_api/queue/data?session_hash={session}")
    stream = connection.getresponse()
    try:
        for line in stream:
            line = line.decode().strip()
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    finally:
        connection.close()
    raise AssertionError("no process_completed message")


def _post(url: str, path: str, body: bytes, headers: dict, source: str = "127.0.0.1") -> tuple[int, dict, str]:
    """-> status, headers (lower-case names), body text of one POST from the loopback address `source`."""
    import http.client

    host, port = url.split("//", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


def _login(url: str, password: str, source: str = "127.0.0.1") -> tuple[int, dict, dict]:
    """POST the login form the way the page does -> status, headers, JSON answer."""
    body = json.dumps({"user": ADMIN_USER, "password": password}).encode()
    status, headers, text = _post(url, "/qingfeng/login", body, {"Content-Type": "application/json"}, source)
    return status, headers, json.loads(text)


def _admin_cookie(url: str) -> str:
    status, headers, _ = _login(url, ADMIN_PASSWORD)
    assert status == 200
    return headers["set-cookie"].split(";", 1)[0]


def _fn_index(url: str, api_name: str) -> int:
    config = json.loads(urllib.request.urlopen(f"{url}/config", timeout=10).read())
    return next(i for i, d in enumerate(config["dependencies"]) if d.get("api_name") == api_name)


def _upload_body(name: str, text: str) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
               f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
    return payload, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_flood_of_wrong_logins_locks_its_address_out_not_the_admin(app):
    """100 wrong passwords from 127.0.0.2 (issue 15): that address is locked out, and the right
    password from 127.0.0.1 still signs in at once, with a session token in an HttpOnly cookie;
    a refused login shows no document table."""
    answers = [_login(app.url, f"guess-{i}", source="127.0.0.2") for i in range(100)]
    assert all(status == 401 and body["message"] == "用户名或密码错误。" for status, _, body in answers[:5])
    assert all(status == 429 and "登录失败次数过多" in body["message"] for status, _, body in answers[5:])
    assert not any("set-cookie" in headers for _, headers, _ in answers)
    status, headers, body = _login(app.url, ADMIN_PASSWORD, source="127.0.0.2")
    assert status == 429 and "登录失败次数过多" in body["message"] and "set-cookie" not in headers
    started = time.perf_counter()
    status, headers, body = _login(app.url, ADMIN_PASSWORD, source="127.0.0.1")
    assert time.perf_counter() - started < 1.0
    assert status == 200 and body == {"ok": True, "message": ""}
    cookie = headers["set-cookie"]
    assert cookie.startswith("qf_admin=") and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    assert len(token) >= 40 and token not in app.log.read_text()

    for body in (b"not json", b'{"user": "x", "password": "' + b"p" * 5000 + b'"}'):  # bad or oversized
        status, headers, text = _post(app.url, "/qingfeng/login", body, {"Content-Type": "application/json"})
        assert status == 400 and "登录请求格式不对" in json.loads(text)["message"] and "set-cookie" not in headers

    # What the page shows after the form was posted: the cookie decides, not what the event is sent.
    shown = _fn_index(app.url, "after_login")
    refused = _queue_call(app.url, shown, [ADMIN_USER, "已登录"], source="127.0.0.2")
    text = json.dumps(refused, ensure_ascii=False)
    assert refused["output"]["data"][1].get("visible") is False and "清风区党政机关公务接待管理办法" not in text
    signed_in = _queue_call(app.url, shown, [ADMIN_USER, ""], cookie=f"qf_admin={token}")
    assert signed_in["success"] and signed_in["output"]["data"][1].get("visible") is True  # [login box, admin panel, …]
    assert "清风区党政机关公务接待管理办法" in json.dumps(signed_in, ensure_ascii=False)  # the document table

    # Logging out ends the session on the server: the same cookie shows nothing afterwards.
    status, headers, _ = _post(app.url, "/qingfeng/logout", b"", {"Cookie": f"qf_admin={token}"})
    assert status == 200 and "qf_admin=" in headers["set-cookie"] and "Max-Age=0" in headers["set-cookie"]
    after = _queue_call(app.url, shown, [ADMIN_USER, ""], cookie=f"qf_admin={token}")
    assert after["output"]["data"][1].get("visible") is False


def test_upload_without_login_is_refused_before_a_byte_is_written(app):
    """Gradio's upload route (and any multipart POST) needs the admin cookie; with it, a request
    over the size limit is refused from its declared length. Nothing lands in Gradio's temp folder."""
    before = _files_under(app.uploads)
    body, headers = _upload_body("canteen.txt", CANTEEN)
    for path in ("/gradio_api/upload", "/gradio_api/upload/", "/gradio_api/process_recording"):
        status, _, text = _post(app.url, path, body, headers)
        assert status == 403 and text == "请先以管理员身份登录。"
    status, _, _ = _post(app.url, "/gradio_api/upload", body, {**headers, "Cookie": "qf_admin=made-up"})
    assert status == 403
    assert _files_under(app.uploads) == before

    cookie = _admin_cookie(app.url)
    too_big = b"x" * (MAX_UPLOAD_MB * 2**20 + 1)
    status, _, text = _post(app.url, "/gradio_api/upload", too_big, {**headers, "Cookie": cookie})
    assert status == 413 and f"超过上限 {MAX_UPLOAD_MB} MB" in text
    assert _files_under(app.uploads) == before
    status, _, text = _post(app.url, "/gradio_api/upload", body, {**headers, "Cookie": cookie})
    assert status == 200 and json.loads(text)[0].endswith("canteen.txt")
    assert len(_files_under(app.uploads)) == len(before) + 1


def test_admin_actions_refuse_a_caller_that_did_not_log_in(app, tmp_path):
    """Over raw HTTP, as a script would: the admin uploads a file, then a caller without the admin
    cookie (or with a made-up one) calls the ingest event with its path. Both are refused."""
    body, headers = _upload_body("canteen.txt", CANTEEN)
    _, _, text = _post(app.url, "/gradio_api/upload", body, {**headers, "Cookie": _admin_cookie(app.url)})
    uploaded = json.loads(text)
    before = documents_in(app)
    fn_index = _fn_index(app.url, "ingest")
    for cookie in (None, "qf_admin=made-up"):
        result = _queue_call(app.url, fn_index, [[{"path": uploaded[0], "meta": {"_type": "gradio.FileData"}}]],
                             cookie=cookie)
        assert result["success"] is False and "请先以管理员身份登录" in json.dumps(result, ensure_ascii=False)
    assert documents_in(app) == before and CANTEEN_TITLE not in before
    assert not (app.index / "uploads").exists()


@pytest.mark.parametrize("via", ["gradio", "http"])
def test_fifty_concurrent_questions_through_the_api(app, via):
    """50 questions at once through Gradio's /ask and through POST /api/ask, all different (no
    search cache): every one answered for its own question (run_load checks), none failed."""
    import itertools

    questions = list(itertools.islice(distinct_questions(), 50 if via == "gradio" else 100))[-50:]
    report = run_load(app.url, requests=50, questions=questions, via=via)
    assert report["errors"] == 0, report["error_messages"]
    assert report["ok"] == 50 and report["p95_ms"] < 60_000


# Browser


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver (.ci/run does this)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Page:
    """A fresh browser session on the app that fails on outside requests, dialogs and script errors."""

    def __init__(self, browser, app: App, name: str, viewport: tuple[int, int] = (1400, 1000)):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]},
                                           permissions=["clipboard-read", "clipboard-write"])
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.name = name
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        host = app.url.split("//", 1)[1]
        self.page.on("request", lambda r: self.outside.append(r.url)
                     if not r.url.startswith((app.url, "data:", "blob:")) and host not in r.url else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.goto(app.url, wait_until="load")
        self.page.wait_for_selector("#qf-question textarea")

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"), full_page=True)

    def ask(self, question: str, turn: int) -> str:
        self.page.fill("#qf-question textarea", question)
        self.page.click("#qf-ask")
        self.page.wait_for_selector(f"#qf-turn-{turn}")  # the sources panel is written with the final answer
        return self.page.locator("#qf-chat .qf-msg").last.inner_text()

    def login(self, password: str = ADMIN_PASSWORD) -> None:
        self.page.get_by_role("tab", name="知识库").click()
        self.page.fill("#qf-user input", ADMIN_USER)
        self.page.fill("#qf-password input", password)
        self.page.click("#qf-login-button")

    def close(self) -> None:
        self.shot("end")
        self.context.close()
        assert self.outside == [], f"requests outside the app: {self.outside}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.page_errors == [], f"script errors: {self.page_errors}"


@pytest.fixture
def page(browser, app, request):
    p = Page(browser, app, request.node.name)
    yield p
    p.close()


def test_browser_chat_answers_with_a_citation_that_opens_its_source(page, app):
    pg = page.page
    example = "接待对象8人以内，陪餐人员最多几人？"
    pg.locator("#qf-examples").get_by_text(example, exact=True).first.click()
    # the example fills the box (through the app's event queue: wait for it, busy machines are slow)
    expect(pg.locator("#qf-question textarea")).to_have_value(example, timeout=30_000)
    pg.click("#qf-ask")
    pg.wait_for_selector("#qf-turn-1")
    message = pg.locator("#qf-chat .qf-msg").last
    text = message.inner_text()
    assert f"《{RECEPTION}》（2024）第十四条" in text and "[1]" in text
    source = pg.locator("#qf-src-1-1")
    assert source.get_attribute("open") is None  # closed until its marker is clicked
    message.locator("a.qf-cite").first.click()
    pg.wait_for_selector("#qf-src-1-1[open]")
    shown = source.inner_text()
    assert "现行有效" in shown and "第十四条" in shown and "第三章" in shown
    assert "陪餐人员不得超过3人" in source.locator("mark").first.inner_text()
    page.shot("source-open")

    message.locator("a.qf-copy").click()
    pg.wait_for_function("() => navigator.clipboard.readText().then(t => t.includes('出处'))")
    copied = pg.evaluate("navigator.clipboard.readText()")
    # The direct first sentence (the number with its condition), then the quote, then the sources.
    first, second = copied.split("\n")[:2]
    assert first.startswith("简要回答：") and "陪餐人员不得超过3人[1]" in first and second.startswith("根据《")
    assert f"[1] 《{RECEPTION}》清风办发〔2024〕7号（2024，现行有效）第十四条" in copied and "<" not in copied

    # A follow-up keeps the conversation: both turns stay, the newest sources come first.
    page.ask("那2020年版呢？", turn=2)
    assert pg.locator("#qf-chat .qf-msg").count() == 2
    # … and is answered from the version it asks for: the 2020 text's article on 陪餐.
    follow_up = pg.locator("#qf-chat .qf-msg").last.inner_text()
    assert f"《{RECEPTION}》（2020）第十一条" in follow_up and "陪餐人员不得超过4人" in follow_up

    pg.fill("#qf-comment textarea", "示例意见：出处很清楚")
    pg.click("#qf-like")
    pg.wait_for_selector("#qf-feedback-status :text('已记录')")
    with sqlite3.connect(app.index / "feedback.sqlite") as db:
        rows = db.execute("SELECT rating, comment, question, answer, sources FROM feedback").fetchall()
    assert ("up", "示例意见：出处很清楚", "那2020年版呢？") in [r[:3] for r in rows]
    assert all(json.loads(r[4]) and r[3] for r in rows)

    # A refusal says so, and lists the closest passages only as related.
    pg.click("#qf-new")
    pg.wait_for_function("() => document.querySelectorAll('#qf-chat .qf-msg').length === 0")
    page.ask("个人所得税起征点是多少？", turn=1)
    refusal = pg.locator("#qf-chat .qf-refused")
    assert "知识库中未找到直接依据" in refusal.inner_text()
    # the closest passages listed once, one link each (not also as a run-on line of text)
    links = refusal.locator(".qf-related-links li a")
    assert links.count() >= 1 and refusal.inner_text().count("可能相关") == 1
    assert links.count() == refusal.locator("a.qf-cite").count()
    assert "不作为答案依据" in pg.inner_text("#qf-sources")
    page.shot("refusal")


def test_browser_without_login_there_is_no_upload(page):
    pg = page.page
    pg.get_by_role("tab", name="知识库").click()
    pg.wait_for_selector("#qf-login-button")
    assert pg.locator("#qf-upload").count() == 0 and pg.locator("input[type=file]").count() == 0
    page.login(password="wrong-password")
    pg.wait_for_selector("#qf-login-msg :text('用户名或密码错误')")
    assert pg.locator("#qf-upload").count() == 0 and pg.locator("input[type=file]").count() == 0
    page.shot("login-refused")


@pytest.fixture(scope="module")
def uploaded(browser, app, tmp_path_factory):
    """Log in as admin in the browser and upload two documents and a broken file."""
    folder = tmp_path_factory.mktemp("uploads")
    files = []
    for name, content in [("食堂规定.txt", CANTEEN), ("网站办法.txt", WEBSITE), ("损坏.pdf", "%PDF-1.7 broken")]:
        (folder / name).write_text(content, encoding="utf-8")
        files.append(str(folder / name))
    p = Page(browser, app, "admin-upload")
    try:
        p.login()
        p.page.wait_for_selector("#qf-upload input[type=file]", state="attached")
        assert "知识库现有 5 个文件" in p.page.inner_text("#qf-kb-status")
        p.page.set_input_files("#qf-upload input[type=file]", files)
        p.page.wait_for_function("() => document.querySelectorAll('#qf-upload td.filename').length === 3")
        p.page.click("#qf-ingest")
        p.page.wait_for_selector("#qf-ingest-msg :text('导入完成')", timeout=180_000)
        p.page.wait_for_selector(f"#qf-documents :text('{CANTEEN_TITLE}')")
        results = p.page.inner_text("#qf-ingest-results")
        table = p.page.inner_text("#qf-documents")
        p.shot("done")
    finally:
        p.close()
    return results, table


def test_browser_admin_uploads_files_that_are_listed_and_answerable(uploaded, page):
    results, table = uploaded
    assert results.count("已导入") == 2 and "失败" in results and "损坏.pdf" in results
    assert CANTEEN_TITLE in table and WEBSITE_TITLE in table and RECEPTION in table
    answer = page.ask(CANTEEN_QUESTION, turn=1)
    assert f"《{CANTEEN_TITLE}》（2024）第三条" in answer and "15元" in answer


def test_browser_script_in_a_document_is_shown_as_text(uploaded, page):
    pg = page.page
    answer = page.ask("政务网站发布的稿件不得夹带什么？", turn=1)
    assert "<script>window.__qfInjected = 1</script>" in answer
    pg.locator("#qf-chat a.qf-cite").first.click()
    pg.wait_for_selector("#qf-src-1-1[open]")
    assert '<img src=x onerror="window.__qfInjected = 2">' in pg.inner_text("#qf-src-1-1")
    pg.wait_for_timeout(500)
    assert pg.evaluate("window.__qfInjected") is None
    assert pg.locator("#qf-chat script, #qf-sources script, #qf-chat img, #qf-sources img").count() == 0
    page.shot("script-as-text")


def _choose(pg, dropdown: str, option: str) -> None:
    """Pick an option of a Gradio dropdown."""
    pg.click(f"{dropdown} input")
    pg.locator("[role=option]", has_text=option).first.click()


def test_browser_admin_edits_and_deletes_a_document(uploaded, page, app):
    """Runs last: it changes the uploaded canteen document, then deletes it."""
    pg = page.page
    page.login()
    pg.wait_for_selector("#qf-documents")
    _choose(pg, "#qf-edit-doc", CANTEEN_TITLE)
    pg.wait_for_function(f"() => document.querySelector('#qf-edit-title input').value === '{CANTEEN_TITLE}'")
    assert pg.input_value("#qf-edit-version input") == "2024"
    pg.fill("#qf-edit-version input", "2025")
    _choose(pg, "#qf-edit-status", "已废止")
    pg.click("#qf-save")
    pg.wait_for_selector("#qf-edit-msg :text('已修改')", timeout=120_000)
    pg.wait_for_function("() => document.querySelector('#qf-documents').innerText.includes('已废止')")
    with sqlite3.connect(app.index / "qingfeng.sqlite") as db:
        meta = json.loads(db.execute("SELECT meta FROM documents WHERE title = ?", (CANTEEN_TITLE,)).fetchone()[0])
    assert (meta["version"], meta["status"]) == ("2025", "已废止")
    page.shot("edited")

    pg.click("#qf-delete")  # not confirmed: refused, nothing deleted
    pg.wait_for_selector("#qf-edit-msg :text('删除前请先勾选')")
    assert CANTEEN_TITLE in documents_in(app)
    pg.check("#qf-delete-confirm input")
    pg.click("#qf-delete")
    pg.wait_for_selector("#qf-edit-msg :text('已删除')", timeout=120_000)
    pg.wait_for_function(f"() => !document.querySelector('#qf-documents').innerText.includes('{CANTEEN_TITLE}')")
    assert CANTEEN_TITLE not in documents_in(app) and WEBSITE_TITLE in documents_in(app)
    page.shot("deleted")


def test_browser_admin_session_lives_in_an_httponly_cookie(page, app):
    """The admin session: a cookie page scripts cannot read, never in the address bar; a reload keeps
    the admin signed in; logging out ends it on the server and in the browser."""
    pg = page.page
    page.login()
    pg.wait_for_selector("#qf-documents")
    cookies = {c["name"]: c for c in page.context.cookies()}
    admin = cookies["qf_admin"]
    assert admin["httpOnly"] and admin["sameSite"] == "Strict" and len(admin["value"]) >= 40
    assert "qf_admin" not in pg.evaluate("document.cookie") and admin["value"] not in pg.url
    pg.reload(wait_until="load")
    pg.get_by_role("tab", name="知识库").click()
    pg.wait_for_selector("#qf-documents :text('清风区党政机关公务接待管理办法')")  # still signed in
    assert not pg.locator("#qf-login-button").is_visible()
    pg.click("#qf-logout")
    pg.wait_for_selector("#qf-login-msg :text('已退出登录')")
    assert "qf_admin" not in {c["name"] for c in page.context.cookies()}
    assert not pg.locator("#qf-documents").is_visible()
    # the old token no longer works either (logout closed it on the server)
    body, headers = _upload_body("a.txt", "x")
    status, _, _ = _post(app.url, "/gradio_api/upload", body, {**headers, "Cookie": f"qf_admin={admin['value']}"})
    assert status == 403


def test_browser_quiz_tab_previews_items_and_offers_downloads(page):
    pg = page.page
    pg.get_by_role("tab", name="出题").click()
    pg.fill("#qf-quiz-count input", "8")
    pg.click("#qf-quiz-run")
    pg.wait_for_selector("#qf-quiz-items .qf-quiz-item")
    assert pg.locator("#qf-quiz-items .qf-quiz-item").count() == 8
    assert "已生成 8 道题" in pg.inner_text("#qf-quiz-msg")
    first = pg.locator("#qf-quiz-items .qf-quiz-item").first.inner_text()
    assert "答案：" not in first  # the key is a section of its own, after the paper
    keys = pg.locator("#qf-quiz-keys .qf-quiz-key")
    assert keys.count() == 8 and not keys.first.is_visible()
    pg.click("#qf-quiz-keys > summary")  # the key opens on a click
    assert "答案：" in keys.first.inner_text() and "出处：《" in keys.first.inner_text()
    downloads = "".join(pg.inner_text("#qf-quiz-files").split())
    for name in ("试卷.docx", "题库.xlsx", "quiz.json", "quiz.md"):
        assert name in downloads
    page.shot("quiz")


def test_browser_faq_tab_generates_and_searches(page):
    pg = page.page
    pg.get_by_role("tab", name="常见问题").click()
    pg.click("#qf-faq-run")
    pg.wait_for_selector("#qf-faq-msg :text('已生成')", timeout=180_000)
    table = pg.locator("#qf-faq-table")
    total = table.inner_text().count("？")
    assert total > 3 and "常见问题.docx" in "".join(pg.inner_text("#qf-faq-files").split())
    pg.fill("#qf-faq-search input, #qf-faq-search textarea", "陪餐")
    pg.wait_for_function(f"() => document.querySelector('#qf-faq-table').innerText.split('？').length - 1 < {total}")
    shown = table.inner_text()
    assert 0 < shown.count("？") < total and "陪餐" in shown
    page.shot("faq")
