"""The web app (Gradio). For now: the knowledge base and an article browser; chat comes next."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from ingest.store import Store  # noqa: E402

DOCUMENT_COLUMNS = ["标题", "版本", "状态", "类型", "条数", "片段", "日期", "文号", "来源文件"]
UNIT_COLUMNS = ["条文/条目", "所在章节", "页码", "内容"]


def _document_rows(store: Store) -> list[list]:
    rows = []
    for d in store.documents():
        m = d.meta
        rows.append([m.title, m.version or "", m.status, m.doc_type, d.n_articles, d.n_nodes,
                     m.date or "", m.doc_number or "", d.source])
    return rows


def _unit_rows(store: Store, doc_id: str | None) -> list[list]:
    doc = store.document(doc_id) if doc_id else None
    if doc is None:
        return []
    rows = []
    for u in doc.units:
        pages = "" if u.page_start is None else (
            f"{u.page_start}" if u.page_end in (None, u.page_start) else f"{u.page_start}–{u.page_end}")
        rows.append([u.label or "段落", " › ".join(u.heading), pages, u.text])
    return rows


def build_app(store: Store) -> gr.Blocks:
    documents = store.documents()
    choices = [(f"《{d.title}》（{d.meta.version or '未注明版本'}，{d.meta.status}）", d.doc_id) for d in documents]
    with gr.Blocks(title="清风 · 党纪法规问答助手") as demo:
        gr.Markdown("# 清风 · 党纪法规问答助手\n离线运行；所有内容均来自知识库中的文件。问答功能即将上线，当前可浏览知识库和条文。")
        with gr.Tab("知识库"):
            gr.Dataframe(value=_document_rows(store), headers=DOCUMENT_COLUMNS, datatype="str",
                         interactive=False, wrap=True, elem_id="documents")
        with gr.Tab("条文浏览"):
            picker = gr.Dropdown(choices=choices, value=choices[0][1] if choices else None, label="选择文件")
            units = gr.Dataframe(value=_unit_rows(store, choices[0][1] if choices else None),
                                 headers=UNIT_COLUMNS, datatype="str", interactive=False, wrap=True, elem_id="units")
            picker.change(lambda doc_id: _unit_rows(store, doc_id), inputs=picker, outputs=units)
    return demo


def serve(index_dir, corpus_dir, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Build the index from `corpus_dir` when it is empty, then serve the app (no share link)."""
    from assistant.cli import run_ingest

    store = Store(index_dir)
    if store.counts()["documents"] == 0:
        print(f"首次启动：正在从 {corpus_dir} 建立知识库……", flush=True)
        run_ingest([corpus_dir], store)
    build_app(store).launch(server_name=host, server_port=port, share=False)
