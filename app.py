"""Qingfeng web app: `python app.py` builds the index from the demo corpus/ when there is none, then
serves on http://127.0.0.1:7860; `python app.py --corpus DIR --index IDX` serves one's own folder,
kept in step with it at every start (see --help; settings also from QINGFENG_* variables)."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.config import get_settings


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="清风 · 党纪法规问答助手（网页版）")
    parser.add_argument("--index", type=Path, default=settings.index_dir, help="索引目录")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="文档文件夹：每次启动时与之同步（新增、修改的导入，删除的移除）；不指定时仅在知识库为空时导入示例文件")
    parser.add_argument("--host", default=settings.host, help="监听地址（默认 127.0.0.1，仅本机可访问）")
    parser.add_argument("--port", type=int, default=settings.port, help="端口（默认 7860）")
    args = parser.parse_args()

    from assistant.web.app import serve
    from ingest.store import DamagedStore

    try:
        serve(args.index, args.corpus or settings.corpus_dir, args.host, args.port, settings, sync=args.corpus is not None)
    except DamagedStore as exc:
        raise SystemExit(f"错误：{exc.message}") from None


if __name__ == "__main__":
    main()
