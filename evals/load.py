"""Load test of the web app: N questions sent at once through its two APIs — Gradio's queued
`/ask` (gradio_client) and the plain `POST /api/ask` (http_api.py) — reporting throughput and
p50 / p95 latency; exits 1 if any request failed.

    python -m evals.load --url http://127.0.0.1:7860                  # a running app
    python -m evals.load --serve                                      # start app.py on the demo corpus first
    python -m evals.load --serve --requests 50 --concurrency 50 --via http --json

Latency is measured per request in the client, from sending the question to receiving the
answer JSON (queueing in the app included). The client runs on the same machine and its CPU
counts against the app's. Each API is measured twice: on the idle machine, then with a CPU-bound
process beside the app (evals/contention.py); `--idle-only` skips the second.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
# Questions on the demo corpus (corpus/, 示例), answered and refused ones.
QUESTIONS = [
    "操办婚丧喜庆事宜需要报告吗？",
    "接待对象8人以内，陪餐人员最多几人？",
    "接待管理办法第六条讲的什么？",
    "领导干部操办婚礼要提前多少天报告？",
    "清廉机关建设有哪些工作要求？",
    "公务接待要不要公函？",
    "工作餐标准是多少？",
    "婚丧喜庆宴请规模有什么限制？",
    "个人所得税起征点是多少？",
    "接待清单要在多长时间内填报？",
]


WARM_UP = "计时开始前的预热问题：公务接待"  # in no measured set
LEAD_INS = ["", "请问", "请问一下，", "想问一下：", "咨询一下，", "我想了解：", "麻烦问下，", "问一下，",
            "请教一下：", "想确认一下："]  # how people start a question; each makes the text new


def distinct_questions():
    """Questions on the demo corpus that never repeat, so that none is served from the app's search
    cache: QUESTIONS and what the FAQ generator asks of the demo documents' lines (corpus/, written
    by the team), then the same again after each lead-in ("请问…")."""
    from assistant.faq.questions import questions_for

    base = list(QUESTIONS)
    for path in sorted((ROOT / "corpus").glob("qingfeng_*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) > 20 and not line.startswith("#"):
                base += [q.text for q in questions_for(line.strip()) if q.text not in base]
    for lead_in in LEAD_INS:
        for question in base:
            yield lead_in + question


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(-(-p * len(ordered) // 100)))
    return ordered[rank - 1]


def _http_ask(url: str):
    """ask(question) -> answer JSON through `POST /api/ask`, one connection per call."""
    import http.client

    host, port = url.split("//", 1)[1].rstrip("/").split(":")

    def ask(question: str) -> dict:
        connection = http.client.HTTPConnection(host, int(port), timeout=300)
        try:
            connection.request("POST", "/api/ask", json.dumps({"question": question}).encode(),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            body = json.loads(response.read())
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body}")
        return body

    return ask, None


def _gradio_ask(url: str, workers: int):
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, max_workers=max(workers, 1))
    return (lambda question: client.predict(question, api_name="/ask")), client


def run_load(url: str, requests: int = 50, concurrency: int | None = None,
             questions: list[str] | None = None, via: str = "gradio") -> dict:
    """`via`: "gradio" (gradio_client, Gradio's queued /ask) or "http" (plain POST /api/ask)."""
    questions = questions or QUESTIONS
    ask, client = _gradio_ask(url, requests) if via == "gradio" else _http_ask(url)
    concurrency = concurrency or requests

    def one(i: int) -> tuple[float, str | None, bool]:
        question = questions[i % len(questions)]
        started = time.perf_counter()
        try:
            result = ask(question)
            if not isinstance(result, dict) or "answer" not in result or "citations" not in result:
                return time.perf_counter() - started, f"unexpected result: {str(result)[:200]}", False
            if result.get("question") != question:
                return time.perf_counter() - started, "answer for another question", False
            return time.perf_counter() - started, None, bool(result["refused"])
        except Exception as exc:  # noqa: BLE001 - counted and reported
            return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", False

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    if client is not None:
        client.close()
    ok = [r for r in results if r[1] is None]
    latencies = [r[0] for r in ok]
    return {
        "url": url, "via": via, "requests": requests, "concurrency": concurrency, "ok": len(ok),
        "errors": len(results) - len(ok), "error_messages": sorted({r[1] for r in results if r[1]})[:5],
        "refused": sum(r[2] for r in ok), "seconds": round(wall, 2),
        "throughput_per_s": round(len(ok) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000), "p95_ms": round(percentile(latencies, 95) * 1000),
        "max_ms": round(max(latencies) * 1000) if latencies else None,
        "cpus": os.cpu_count(),
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for the app and test servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index_dir: Path, port: int, timeout: float = 180, env: dict | None = None,
              log: Path | None = None) -> subprocess.Popen:
    """`python app.py` on the demo corpus in `index_dir`, once it answers HTTP; its output goes to
    `log` when given."""
    output = open(log, "w") if log else subprocess.PIPE
    try:
        process = subprocess.Popen([sys.executable, "app.py", "--index", str(index_dir), "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    finally:
        if log:
            output.close()

    def said() -> str:
        return log.read_text() if log else (process.stdout.read() if process.poll() is not None else "")

    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("app.py exited:\n" + said())
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("app.py did not start in time:\n" + said())


def main() -> None:
    parser = argparse.ArgumentParser(description="清风网页版负载测试：通过 API 并发提问，统计吞吐量和延迟")
    parser.add_argument("--url", default="http://127.0.0.1:7860", help="运行中的网页版地址")
    parser.add_argument("--serve", action="store_true", help="先在临时索引上启动 app.py（示例文件），测完关闭")
    parser.add_argument("--requests", type=int, default=50, help="问题总数（默认 50）")
    parser.add_argument("--concurrency", type=int, default=None, help="同时发出的问题数（默认与总数相同）")
    parser.add_argument("--warmup", type=int, default=1, help="正式计时前先问几个问题（默认 1）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--idle-only", action="store_true", help="只在空闲时测，不测旁边有满负荷进程时")
    parser.add_argument("--distinct", action="store_true",
                        help="每个请求一个不同的问题（不命中检索缓存）；默认 10 个示例问题轮流问")
    parser.add_argument("--via", choices=["gradio", "http", "both"], default="both",
                        help="经 Gradio 的 /ask（gradio_client）、经 POST /api/ask，或两者（默认）")
    args = parser.parse_args()
    from evals.contention import busy_cpu

    process = None
    tmp = tempfile.TemporaryDirectory(prefix="qingfeng-load-") if args.serve else None
    url = args.url
    try:
        if tmp is not None:
            port = free_port()
            process = start_app(Path(tmp.name) / "index", port)
            url = f"http://127.0.0.1:{port}"
        reports = {}
        fresh = distinct_questions()
        for via in (["gradio", "http"] if args.via == "both" else [args.via]):
            if args.warmup:
                run_load(url, requests=args.warmup, concurrency=1, via=via, questions=[WARM_UP])
            def questions():
                return [next(fresh) for _ in range(args.requests)] if args.distinct else None

            options = {"requests": args.requests, "concurrency": args.concurrency, "via": via}
            reports[f"{via}-idle"] = run_load(url, questions=questions(), **options)
            if not args.idle_only:
                with busy_cpu():
                    reports[f"{via}-contended"] = run_load(url, questions=questions(), **options)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=1))
    else:
        for condition, report in reports.items():
            api = "Gradio /ask" if report["via"] == "gradio" else "POST /api/ask"
            name = api + ("，空闲" if condition.endswith("idle") else "，旁边有一个满负荷进程")
            print(f"{name}：{report['requests']} 个问题（并发 {report['concurrency']}）：成功 {report['ok']}，"
                  f"失败 {report['errors']}，其中未找到依据 {report['refused']}；用时 {report['seconds']} 秒，"
                  f"吞吐量 {report['throughput_per_s']} 个/秒，延迟 p50 {report['p50_ms']} 毫秒、p95 {report['p95_ms']} 毫秒、"
                  f"最长 {report['max_ms']} 毫秒（{report['cpus']} 核）")
            for message in report["error_messages"]:
                print(f"错误：{message}")
    sys.exit(1 if any(r["errors"] for r in reports.values()) else 0)


if __name__ == "__main__":
    main()
