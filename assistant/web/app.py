"""The web app (Gradio): 问答 (cited chat), 知识库 (admin: upload, edit, delete, re-index), 出题
(quizzes with downloads), 常见问题 (batch FAQ) and 条文浏览 (read a document's articles). `serve` builds the index from the corpus on first start.

Also an API: `gradio_client.Client(url).predict(question, api_name="/ask")`, or plain HTTP
`POST /api/ask` with `{"question": "…"}` (http_api.py), returns the JSON of `qingfeng ask --json`.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from assistant.accounts import AuditLog, Users  # noqa: E402
from assistant.accounts.audit import COLUMNS as AUDIT_COLUMNS  # noqa: E402
from assistant.config import Settings, get_settings  # noqa: E402
from assistant.knowledge_base import KnowledgeBase, ingest_files  # noqa: E402
from assistant.knowledge_base.manager import UPLOAD_SUFFIXES  # noqa: E402
from assistant.progress_log import ProgressLog  # noqa: E402
from assistant.retrieval import ensure_search_index  # noqa: E402
from assistant.web.admin import DISABLED, RESULT_COLUMNS, Admin, AdminAuth  # noqa: E402
from assistant.web.assets import CSS, HEAD  # noqa: E402
from assistant.web.browse import units_html  # noqa: E402
from assistant.web.chat import READER, Chat, ChatSession, examples_for, is_demo  # noqa: E402
from assistant.web.faq import EMPTY as FAQ_EMPTY  # noqa: E402
from assistant.web.faq import FaqTab  # noqa: E402
from assistant.web.feedback import FeedbackStore  # noqa: E402
from assistant.web.http_api import api_routes  # noqa: E402
from assistant.web.quiz import DIFFICULTY_CHOICES, MAX_COUNT, TYPE_CHOICES, QuizTab  # noqa: E402
from assistant.web.render import DOCUMENT_COLUMNS, EMPTY_SOURCES  # noqa: E402
from assistant.web.sessions import UploadGuard, address_of, session_routes  # noqa: E402
from assistant.web.visitors import LOGIN_FIRST, Visitors  # noqa: E402
from ingest.models import DOC_TYPES, STATUSES  # noqa: E402
from ingest.red_header import DETAIL_FIELDS, FIELD_LABELS  # noqa: E402

TITLE = "清风 · 党纪法规问答助手"
# Widths of the document table's columns (标题 … 结构提示): all fit a 1366-pixel window, long text wraps.
DOCUMENT_WIDTHS = ["15%", "8%", "5%", "6%", "5%", "4%", "6%", "4%", "4%", "7%", "8%", "8%", "10%", "10%"]
ICONS = Path(__file__).parent / "icons"  # drawn as SVG: they need no emoji font
INTRO = ("# 清风 · 党纪法规问答助手\n"
         "离线运行。回答只来自知识库中的文件，每句注明《文件》、版本、条号、页码和原文；知识库中没有依据时会明确说明。")
DEMO_NOTICE = "当前载入的是示例文件：均为虚构的演示文本（示例），不具有任何效力。"


def intro(documents, login_required: bool = False) -> str:
    """The page header: what the product does, and what is loaded (the demo notice only for the demo)."""
    if login_required:
        return INTRO + "\n\n请先在“知识库”页登录，再提问、出题或浏览条文。"
    if not documents:
        return INTRO + "\n\n知识库为空：请管理员登录“知识库”页上传文件。"
    loaded = f"知识库现有 {len(documents)} 个文件。"
    return INTRO + "\n\n" + (DEMO_NOTICE if is_demo(documents) else loaded)


PRIVATE = {"api_visibility": "private"}  # events the page uses; only `ask` is a public API


def _detail_box(name: str) -> gr.Textbox:
    """An editable document detail (文号, 发文机关, 成文日期, 密级 …): a text box named in Chinese."""
    hint = {"date": "（如 2023-05-10）", "printed_date": "（如 2023-05-12）", "secrecy": "（秘密/机密/绝密，或留空）"}.get(name, "")
    return gr.Textbox(label=FIELD_LABELS[name] + hint, elem_id=f"qf-edit-{name.replace('_', '-')}", max_lines=1, min_width=160)


def _admin_components(settings: Settings) -> SimpleNamespace:
    """The 知识库 tab's login form and admin panel (hidden until login; only built when enabled)."""
    ui = SimpleNamespace()
    with gr.Column(elem_id="qf-login") as ui.login_box:
        gr.Markdown("登录后按账户的访问组查阅文件；管理知识库（上传、修改、删除文件）需要管理员账户。")
        ui.user = gr.Textbox(label="用户名", elem_id="qf-user", max_lines=1)
        ui.password = gr.Textbox(label="密码", type="password", elem_id="qf-password", max_lines=1)
        with gr.Row():
            ui.login = gr.Button("登录", variant="primary", elem_id="qf-login-button")
            ui.reader_logout = gr.Button("退出登录", elem_id="qf-reader-logout")
    ui.login_msg = gr.Markdown(elem_id="qf-login-msg")
    with gr.Column(visible=False, elem_id="qf-admin") as ui.admin_box:
        ui.status = gr.Markdown(elem_id="qf-kb-status")
        ui.upload = gr.File(label="上传文件（PDF / OFD / DOCX / DOC / WPS / TXT / MD / HTML，可一次选多个；"
                                  f"单个文件不超过 {settings.max_file_mb:g} MB）",
                            file_count="multiple", file_types=list(UPLOAD_SUFFIXES), type="filepath",
                            elem_id="qf-upload")
        ui.ingest = gr.Button("导入", variant="primary", elem_id="qf-ingest")
        ui.ingest_msg = gr.Markdown(elem_id="qf-ingest-msg")
        ui.results = gr.Dataframe(headers=RESULT_COLUMNS, datatype="str", interactive=False, wrap=True,
                                  elem_id="qf-ingest-results", label="本次导入结果")
        ui.documents = gr.Dataframe(headers=DOCUMENT_COLUMNS, datatype="str", interactive=False, wrap=True,
                                    elem_id="qf-documents", label="知识库中的文件", column_widths=DOCUMENT_WIDTHS)
        with gr.Accordion("修改或删除文件", open=True):
            ui.picker = gr.Dropdown(choices=[], label="选择文件", elem_id="qf-edit-doc")
            with gr.Row():
                ui.title = gr.Textbox(label="标题", elem_id="qf-edit-title", max_lines=1, scale=3)
                ui.version = gr.Textbox(label="版本（如 2024）", elem_id="qf-edit-version", max_lines=1)
                ui.doc_status = gr.Dropdown(choices=list(STATUSES), label="效力状态", elem_id="qf-edit-status")
                ui.doc_type = gr.Dropdown(choices=list(DOC_TYPES), label="文件类型", elem_id="qf-edit-type")
            with gr.Row():  # what a 红头文件's 版头 and 版记 say (read at import; corrected here)
                ui.details = [_detail_box(name) for name in DETAIL_FIELDS[:4]]
            with gr.Accordion("更多版头、版记信息（签发人、主送、抄送、印发等）", open=False, elem_id="qf-more-details"):
                with gr.Row():
                    ui.details += [_detail_box(name) for name in DETAIL_FIELDS[4:]]
            ui.details_state = gr.State([])
            ui.doc_tables = gr.HTML(elem_id="qf-doc-tables-box", label="文件中的表格")
            with gr.Row():
                ui.save = gr.Button("保存修改", elem_id="qf-save")
                ui.confirm = gr.Checkbox(label="确认删除", value=False, elem_id="qf-delete-confirm")
                ui.delete = gr.Button("删除文件", variant="stop", elem_id="qf-delete")
            with gr.Row():
                ui.access = gr.Textbox(label="访问组（逗号分隔，如 纪检监察室,领导班子；留空=所有人可读）",
                                       elem_id="qf-edit-access", max_lines=1, scale=3)
                ui.save_access = gr.Button("保存访问组", elem_id="qf-save-access")
            ui.edit_msg = gr.Markdown(elem_id="qf-edit-msg")
        with gr.Accordion("账户（用户名、访问组、管理员）", open=False, elem_id="qf-accounts"):
            ui.accounts_show = gr.Button("显示账户", elem_id="qf-accounts-show", size="sm")
            ui.accounts = gr.Dataframe(headers=["用户名", "访问组", "管理员"], datatype="str", interactive=False,
                                       elem_id="qf-accounts-table")
            with gr.Row():
                ui.account_name = gr.Textbox(label="用户名", elem_id="qf-account-name", max_lines=1)
                ui.account_password = gr.Textbox(label="密码（修改时留空则不变）", type="password",
                                                  elem_id="qf-account-password", max_lines=1)
                ui.account_groups = gr.Textbox(label="访问组（逗号分隔）", elem_id="qf-account-groups", max_lines=1)
                ui.account_admin = gr.Checkbox(label="管理员", elem_id="qf-account-admin")
            with gr.Row():
                ui.account_save = gr.Button("新建或保存账户", elem_id="qf-account-save")
                ui.account_confirm = gr.Checkbox(label="确认删除账户", value=False, elem_id="qf-account-confirm")
                ui.account_remove = gr.Button("删除账户", variant="stop", elem_id="qf-account-remove")
            ui.account_msg = gr.Markdown(elem_id="qf-account-msg")
        with gr.Accordion("审计日志（提问、登录、管理操作）", open=False, elem_id="qf-audit"):
            with gr.Row():
                ui.audit_show = gr.Button(f"显示最近 {Admin.AUDIT_SHOWN} 条", elem_id="qf-audit-show", size="sm")
                ui.audit_export = gr.Button("导出全部（Excel）", elem_id="qf-audit-export", size="sm")
            ui.audit_table = gr.Dataframe(headers=AUDIT_COLUMNS, datatype="str", interactive=False, wrap=True,
                                          elem_id="qf-audit-table")
            ui.audit_file = gr.File(label="下载", interactive=False, elem_id="qf-audit-file")
        with gr.Row():
            ui.reindex = gr.Button("重建索引", elem_id="qf-reindex")
            ui.logout = gr.Button("退出登录", elem_id="qf-logout")
        ui.timer = gr.Timer(2.0, active=False)
    return ui


# The login form posts to the login route (only a plain route can set the HttpOnly cookie), then
# the event shows what the cookie allows. Relative URLs keep working behind a path prefix.
LOGIN_JS = """async (user, password) => {
  let message = "";
  try {
    const r = await fetch("qingfeng/login", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({user, password})});
    message = (await r.json()).message || "";
  } catch (e) { message = "登录失败：无法连接服务器，请稍后再试。"; }
  return [user, message];
}"""
LOGOUT_JS = """async () => {
  try { await fetch("qingfeng/logout", {method: "POST", credentials: "same-origin"}); } catch (e) {}
  return ["已退出登录。"];
}"""


def _wire_admin(demo: gr.Blocks, admin: Admin, ui: SimpleNamespace, document_pickers: list, header, header_for) -> None:
    """Admin events. Each checks the admin cookie of its request on the server before doing anything.
    After signing in or out, the page header (`header`) is written for the visitor (`header_for`)."""
    refreshed = [ui.status, ui.documents, ui.picker, *document_pickers]
    jobs = {"concurrency_id": "kb", "concurrency_limit": 1, **PRIVATE}
    shown = [ui.login_box, ui.admin_box, ui.login_msg, ui.timer, *refreshed]
    for trigger in (ui.login.click, ui.password.submit):
        # the password goes to the login route only; the event receives the route's message in its place
        trigger(admin.after_login, [ui.user, ui.password], shown, js=LOGIN_JS, **PRIVATE).then(
            lambda: "", None, ui.password, **PRIVATE).then(header_for, None, header, **PRIVATE)
    ui.logout.click(admin.show, ui.login_msg, shown, js=LOGOUT_JS, **PRIVATE).then(header_for, None, header, **PRIVATE)
    ui.reader_logout.click(admin.show, ui.login_msg, shown, js=LOGOUT_JS, **PRIVATE).then(
        header_for, None, header, **PRIVATE)
    demo.load(admin.show, None, shown, **PRIVATE)  # a reloaded page of a signed-in admin stays signed in
    ui.timer.tick(admin.tick, None, ui.status, show_progress="hidden", **PRIVATE)
    ui.ingest.click(admin.ingest, ui.upload, [ui.results, ui.ingest_msg, ui.upload, *refreshed], **jobs)
    fields = [ui.title, ui.version, ui.doc_status, ui.doc_type, *ui.details]
    ui.picker.change(admin.pick, ui.picker, fields, **PRIVATE)
    ui.picker.change(admin.pick_access, ui.picker, ui.access, **PRIVATE)
    ui.picker.change(admin.pick_tables, ui.picker, ui.doc_tables, **PRIVATE)
    ui.save_access.click(admin.save_access, [ui.picker, ui.access], [ui.edit_msg, *refreshed], **jobs)
    ui.audit_show.click(admin.audit_rows, None, ui.audit_table, **PRIVATE)
    ui.accounts_show.click(admin.user_rows, None, ui.accounts, **PRIVATE)
    ui.account_name.blur(admin.load_user, ui.account_name, [ui.account_groups, ui.account_admin], **PRIVATE)
    ui.account_save.click(admin.save_user, [ui.account_name, ui.account_password, ui.account_groups, ui.account_admin],
                          [ui.account_msg, ui.accounts, ui.account_password], **PRIVATE)
    ui.account_remove.click(admin.remove_user, [ui.account_name, ui.account_confirm], [ui.account_msg, ui.accounts],
                            **PRIVATE)
    ui.audit_export.click(admin.audit_export, None, ui.audit_file, **PRIVATE)
    # The detail boxes are gathered into one list first (a handler with *args gets no request).
    ui.save.click(lambda *values: list(values), ui.details, ui.details_state, **PRIVATE).then(
        admin.save, [ui.picker, *fields[:4], ui.details_state], [ui.edit_msg, *refreshed], **jobs)
    ui.delete.click(admin.delete, [ui.picker, ui.confirm], [ui.edit_msg, ui.confirm, *fields, *refreshed], **jobs)
    ui.reindex.click(admin.reindex, None, [ui.edit_msg, *refreshed], **jobs)


def build_app(kb: KnowledgeBase, settings: Settings | None = None, feedback: FeedbackStore | None = None,
              admin: Admin | None = None, chat: Chat | None = None) -> gr.Blocks:
    """The page. Launch it with `launch_options(settings, admin, chat)`, which adds the login routes
    and the upload guard (sessions.py) and the plain HTTP API (http_api.py)."""
    settings = settings or kb.settings
    feedback = feedback or FeedbackStore(settings.feedback_db or kb.dir / "feedback.sqlite")
    chat = chat or Chat(kb, feedback)
    admin = admin or Admin(kb, AdminAuth(settings), document_pickers=4)
    quiz, faq = QuizTab(kb), FaqTab(kb)
    login_required = admin.visitors.login_required()  # when the page is built
    choices = [] if login_required else admin.document_choices()
    limit = max(1, settings.web_concurrency)

    with gr.Blocks(title=TITLE, delete_cache=(3600, 3600)) as demo:
        # What the page shows before anyone signs in: the open documents, or nothing when signing in is
        # required (a count or title of another document never shows).
        documents = [] if login_required else kb.readable_documents(READER)
        header = gr.Markdown(intro(documents, login_required), elem_id="qf-intro")

        def header_for(request: gr.Request):
            """The header as this visitor sees it: what they may read, and who is signed in."""
            visitor = chat.visitor_of(request)
            if visitor is None:
                return intro([], login_required=True)
            text = intro(kb.readable_documents(visitor.groups))
            return text + (f"\n\n已登录：{visitor.name}。" if visitor.name else "")
        session = gr.State(lambda: ChatSession())

        with gr.Tab("问答", id="chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        elem_id="qf-chat", label="问答", height=520, buttons=[], feedback_options=None,
                        latex_delimiters=[], sanitize_html=True, layout="bubble",
                        placeholder="请在下方输入问题，例如“操办婚丧喜庆事宜需要报告吗？”。回答中的 [1] 等标记可点击查看出处。")
                    with gr.Row():
                        question = gr.Textbox(elem_id="qf-question", show_label=False, scale=5, max_lines=4,
                                              placeholder="请输入问题，按回车提问（Shift+回车换行）")
                        ask = gr.Button("提问", variant="primary", elem_id="qf-ask", scale=1, min_width=80)
                    examples = examples_for(kb, documents)
                    if examples:
                        gr.Examples(examples=[[q] for q in examples], inputs=[question], label="示例问题（点击填入）",
                                    elem_id="qf-examples")
                    with gr.Row():
                        new_chat = gr.Button("新对话", elem_id="qf-new", size="sm")
                    with gr.Accordion("筛选条件", open=False, elem_id="qf-filters"):
                        doc_filter = gr.Dropdown(choices=choices, multiselect=True, label="只在这些文件中查找（不选则查全部）",
                                                 elem_id="qf-filter-docs", allow_custom_value=True)
                        type_filter = gr.CheckboxGroup(choices=list(DOC_TYPES), label="文件类型（不选则不限）",
                                                       elem_id="qf-filter-types")
                        superseded = gr.Checkbox(value=True, label="包含已修订的旧版本（不勾选则只查现行有效的文件）",
                                                 elem_id="qf-filter-superseded")
                    with gr.Group():
                        gr.Markdown("**这个回答有帮助吗？**（评价最新一条回答，意见可不填）")
                        with gr.Row():
                            like = gr.Button("有帮助", icon=str(ICONS / "thumb-up.svg"), elem_id="qf-like", size="sm",
                                             variant="secondary", min_width=100)
                            dislike = gr.Button("没帮助", icon=str(ICONS / "thumb-down.svg"), elem_id="qf-dislike",
                                                size="sm", variant="secondary", min_width=100)
                            comment = gr.Textbox(show_label=False, placeholder="意见或建议（可选）", elem_id="qf-comment",
                                                 scale=3, max_lines=3)
                        feedback_status = gr.Markdown(elem_id="qf-feedback-status")
                with gr.Column(scale=2):
                    gr.Markdown("### 出处")
                    sources = gr.HTML(EMPTY_SOURCES, elem_id="qf-sources", js_on_load=None)

        with gr.Tab("知识库", id="admin"):
            if admin.enabled:
                ui = _admin_components(settings)
            else:
                gr.Markdown(DISABLED, elem_id="qf-admin-disabled")
                ui = None

        with gr.Tab("出题", id="quiz"):
            gr.Markdown("从条文生成单选、多选、判断、填空题，答案和解析均注明出处；可下载 Word 试卷、Excel 题库、JSON 和 Markdown。")
            with gr.Row():
                quiz_docs = gr.Dropdown(choices=choices, multiselect=True, label="出题文件（不选则为全部现行文件）",
                                        elem_id="qf-quiz-docs", scale=3)
                quiz_chapter = gr.Textbox(label="章节（可选，如“第八章”，多个用逗号分隔）", elem_id="qf-quiz-chapter",
                                          max_lines=1, scale=2)
            with gr.Row():
                quiz_types = gr.CheckboxGroup(choices=TYPE_CHOICES, value=[c for _, c in TYPE_CHOICES], label="题型",
                                              elem_id="qf-quiz-types")
                quiz_count = gr.Number(value=20, minimum=1, maximum=MAX_COUNT, precision=0, label="题目数量",
                                       elem_id="qf-quiz-count")
                quiz_difficulty = gr.Radio(choices=DIFFICULTY_CHOICES, value="", label="难度", elem_id="qf-quiz-difficulty")
                quiz_seed = gr.Number(value=0, precision=0, label="随机种子（相同种子得到相同试题）", elem_id="qf-quiz-seed")
            quiz_run = gr.Button("生成试题", variant="primary", elem_id="qf-quiz-run")
            quiz_msg = gr.Markdown(elem_id="qf-quiz-msg")
            quiz_files = gr.File(label="下载", file_count="multiple", interactive=False, elem_id="qf-quiz-files")
            quiz_preview = gr.HTML(elem_id="qf-quiz-preview")

        with gr.Tab("常见问题", id="faq"):
            gr.Markdown("为所选文件批量生成常见问题解答：问题取自条文，回答由问答引擎给出并注明出处，"
                        "按文件和章节分组。文件多时需要一些时间。")
            with gr.Row():
                faq_docs = gr.Dropdown(choices=choices, multiselect=True, label="文件（不选则为全部现行文件）",
                                       elem_id="qf-faq-docs", scale=3)
                faq_limit = gr.Number(value=0, minimum=0, precision=0, label="每个文件最多条数（0 为不限）",
                                      elem_id="qf-faq-limit")
            faq_run = gr.Button("生成常见问题", variant="primary", elem_id="qf-faq-run")
            faq_msg = gr.Markdown(elem_id="qf-faq-msg")
            faq_files = gr.File(label="下载", file_count="multiple", interactive=False, elem_id="qf-faq-files")
            faq_search = gr.Textbox(label="搜索问答（空格分隔多个词）", elem_id="qf-faq-search", max_lines=1)
            faq_table = gr.HTML(FAQ_EMPTY, elem_id="qf-faq-table")
            faq_entries = gr.State([])

        with gr.Tab("条文浏览", id="browse"):
            first = choices[0][1] if choices else None
            browse_pick = gr.Dropdown(choices=choices, value=first, label="选择文件", elem_id="qf-browse-doc")
            units = gr.HTML(units_html(kb, first), elem_id="units")

        # Chat
        chat_inputs = [question, session, doc_filter, type_filter, superseded]
        chat_outputs = [chatbot, sources, session, question]
        chat_events = {"concurrency_limit": limit, "concurrency_id": "answer", "show_progress": "hidden", **PRIVATE}
        question.submit(chat.respond, chat_inputs, chat_outputs, **chat_events)
        ask.click(chat.respond, chat_inputs, chat_outputs, **chat_events)
        new_chat.click(chat.new_conversation, None, chat_outputs, **PRIVATE)
        chatbot.clear(chat.new_conversation, None, chat_outputs, **PRIVATE)
        def rate_up(c, s, request: gr.Request):
            return chat.rate("up", c, s, request)

        def rate_down(c, s, request: gr.Request):
            return chat.rate("down", c, s, request)

        like.click(rate_up, [comment, session], [feedback_status, comment], **PRIVATE)
        dislike.click(rate_down, [comment, session], [feedback_status, comment], **PRIVATE)
        gr.api(chat.ask_api, api_name="ask", concurrency_limit=limit, concurrency_id="answer",
               api_description="回答一个问题，返回与 `qingfeng ask --json` 相同的 JSON（回答、引用条文等）。")

        # Quiz and FAQ (one batch at a time each; the chat keeps its own queue)
        # Each tab reads as the request's visitor (signing in first when it is required).
        def groups_of(request: gr.Request) -> frozenset[str] | None:
            visitor = chat.visitor_of(request)
            if visitor is None:
                raise gr.Error(LOGIN_FIRST)
            return visitor.groups

        def make_quiz_tab(docs, chapter, types, count, difficulty, seed, request: gr.Request):
            return quiz.generate(docs, chapter, types, count, difficulty, seed, groups=groups_of(request))

        def make_faq_tab(docs, limit, request: gr.Request, progress=gr.Progress()):
            return faq.generate(docs, limit, progress, groups=groups_of(request))

        def browse_tab(doc_id, request: gr.Request):
            return units_html(kb, doc_id, groups_of(request))

        quiz_run.click(make_quiz_tab, [quiz_docs, quiz_chapter, quiz_types, quiz_count, quiz_difficulty, quiz_seed],
                       [quiz_msg, quiz_preview, quiz_files], concurrency_id="quiz", concurrency_limit=1, **PRIVATE)
        faq_run.click(make_faq_tab, [faq_docs, faq_limit], [faq_msg, faq_table, faq_files, faq_entries],
                      concurrency_id="faq", concurrency_limit=1, **PRIVATE)
        faq_search.change(FaqTab.search, [faq_search, faq_entries], faq_table, show_progress="hidden", **PRIVATE)

        pickers = [doc_filter, browse_pick, quiz_docs, faq_docs]
        if ui is not None:
            _wire_admin(demo, admin, ui, pickers, header, header_for)

        # Article browser; document choices are fresh on every page load.
        browse_pick.change(browse_tab, browse_pick, units, **PRIVATE)
        def fresh_pickers(request: gr.Request):
            visitor = chat.visitor_of(request)
            if visitor is None:
                return [gr.update(choices=[])] * len(pickers)
            return admin.picker_updates(visitor.groups)

        demo.load(fresh_pickers, None, pickers, **PRIVATE)
        demo.load(header_for, None, header, **PRIVATE)
    return demo


def http_visitor(admin: Admin, chat: Chat, request) -> tuple:
    """Who sends a plain HTTP request: HTTP Basic credentials (throttled like the login form), else
    the session cookie, else a visitor who has not signed in -> (visitor, None) or (None, (status, message))."""
    import base64
    import binascii

    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, (400, "Authorization 格式不对：应为 Basic base64(用户名:密码)。")
        visitor, refusal = admin.authenticate(user, password, address_of(request))
        return (visitor, None) if visitor else (None, (refusal.status, refusal.message))
    visitor = chat.visitor_of(request)
    return (visitor, None) if visitor else (None, (401, LOGIN_FIRST))


def launch_options(settings: Settings, admin: Admin, chat: Chat) -> dict:
    """Options of `Blocks.launch`: local only, nothing fetched from elsewhere, no share link; beside
    Gradio's routes the login and logout routes and `POST /api/ask`, and the upload guard in front."""
    guard = Middleware(UploadGuard, sessions=admin.sessions, max_upload_bytes=int(settings.max_upload_mb * 2**20),
                       is_admin=admin.signed_in)
    routes = [*session_routes(admin.sign_in, admin.sessions, admin.signed_out),
              *api_routes(chat.answer_for, settings.web_concurrency, lambda request: http_visitor(admin, chat, request))]
    return {
        "share": False, "css": CSS, "head": HEAD, "show_error": True, "ssr_mode": False, "pwa": False,
        "mcp_server": False, "run_history": False, "enable_monitoring": False, "footer_links": ["api"],
        "max_file_size": f"{settings.max_file_mb:g}mb", "app_kwargs": {"middleware": [guard], "routes": routes},
    }


def serve(index_dir, corpus_dir, host: str | None = None, port: int | None = None,
          settings: Settings | None = None, sync: bool = False) -> None:
    """Bring the index in step with `corpus_dir` (with `sync`: new files ingested, changed ones
    replaced, removed ones dropped; without: only when the index is empty), then serve the app
    (no share link)."""
    from ingest.store import Store

    settings = settings or get_settings()
    host = host or settings.host
    port = port or settings.port
    with Store(index_dir) as store:
        if sync and Path(corpus_dir).is_dir():
            print(f"正在与文件夹 {corpus_dir} 同步知识库（只导入新增和修改的文件）……", flush=True)
            report = ingest_files([corpus_dir], store, settings, progress=ProgressLog("导入文档"))
            print(f"{report.summary()}。", flush=True)
        elif sync:
            print(f"找不到文件夹 {corpus_dir}，知识库保持不变。", flush=True)
        elif store.counts()["documents"] == 0:
            if Path(corpus_dir).is_dir():
                print(f"首次启动：正在从 {corpus_dir} 建立知识库……", flush=True)
                report = ingest_files([corpus_dir], store, settings, progress=ProgressLog("导入文档"))
                print(f"{report.summary()}。", flush=True)
            else:
                print(f"知识库为空，且找不到文件夹 {corpus_dir}；请登录“知识库”页上传文件。", flush=True)
        if store.counts()["nodes"]:
            _, stats = ensure_search_index(store, settings, progress=ProgressLog("向量化"))
            if stats.get("rebuilt"):
                print(f"检索索引已更新：{stats['chunks']} 个片段，新向量化 {stats['embedded']} 个"
                      f"（共 {stats['seconds']:.1f} 秒）", flush=True)
    kb = KnowledgeBase(index_dir, settings)
    kb.follow()  # other replicas serving the same folder: their uploads show here within seconds
    auth = AdminAuth(settings)
    users, audit = Users(index_dir), AuditLog(index_dir)
    purged = audit.purge(settings.audit_retention_days)
    visitors = Visitors(settings, auth, users)
    accounts = users.list()
    admins = [auth.user] * auth.enabled + [u.name for u in accounts if u.is_admin]
    managed = (f"已启用（管理员 {'、'.join(admins)}）" if admins else
               "未启用（设置 QINGFENG_ADMIN_USER 和 QINGFENG_ADMIN_PASSWORD，或用 qingfeng users add 用户名 --admin 新建管理员账户）")
    print(f"知识库管理：{managed}；账户 {len(accounts)} 个；"
          f"{'问答需要登录' if visitors.login_required() else '未登录的访客可查阅公开文件'}；"
          f"审计日志保留 {settings.audit_retention_days:g} 天" + (f"（已清除过期记录 {purged} 条）" if purged else ""),
          flush=True)
    admin = Admin(kb, auth, document_pickers=4, visitors=visitors, audit=audit)
    chat = Chat(kb, FeedbackStore(settings.feedback_db or kb.dir / "feedback.sqlite"), visitors=visitors, audit=audit)
    demo = build_app(kb, settings, admin=admin, chat=chat)
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_options(settings, admin, chat))
    print(f"清风已启动：http://{host}:{port} （按 Ctrl+C 停止）", flush=True)
    demo.block_thread()


