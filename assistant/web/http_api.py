"""A plain HTTP API beside Gradio's: `POST /api/ask` with `{"question": "…"}` returns the JSON of
`qingfeng ask --json` (a bad request gets status 400 and `{"error": "<Chinese message>"}`).

No event queue and no stream: one request, one answer, for scripts and other intranet systems
(`curl -d '{"question":"…"}' http://host:7860/api/ask`). It costs a fraction of Gradio's queued
`/ask` per call, which matters when many arrive at once (evals/load.py measures both).
"""

from __future__ import annotations

import anyio
import gradio as gr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ASK_ROUTE = "/api/ask"
BAD_REQUEST = '请求格式不对：请以 JSON 发送 {"question": "问题"}。'


def api_routes(ask, concurrency: int, visitor_of=None) -> list[Route]:
    """`ask(question, visitor, request) -> dict` is the chat's answer (Chat.answer_for);
    `visitor_of(request) -> (visitor, refusal)` says who asks: HTTP Basic credentials, else the
    session cookie, else a visitor who has not signed in; a refusal is (status, Chinese message).
    At most `concurrency` questions are answered at once, the rest wait their turn."""
    limiter = anyio.CapacityLimiter(max(1, concurrency))

    async def ask_route(request: Request) -> Response:
        visitor = None
        if visitor_of is not None:
            visitor, refusal = await anyio.to_thread.run_sync(visitor_of, request)
            if visitor is None:
                return JSONResponse({"error": refusal[1]}, status_code=refusal[0],
                                    headers={"WWW-Authenticate": 'Basic realm="qingfeng"'} if refusal[0] == 401 else None)
        try:
            body = await request.json()
            question = body["question"]
            if not isinstance(question, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": BAD_REQUEST}, status_code=400)
        try:
            answer = await anyio.to_thread.run_sync(ask, question, visitor, request, limiter=limiter)
        except gr.Error as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        return JSONResponse(answer)

    return [Route(ASK_ROUTE, ask_route, methods=["POST"])]
