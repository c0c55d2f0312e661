"""Two replicas (issue 16): two `app.py` processes serving the same index folder, searching in one
Milvus server (Milvus Lite's gRPC server on 127.0.0.1). A document uploaded through one is answered
by the other within seconds, and the other keeps answering while the upload runs.

What is shared here is the index folder on one machine (SQLite across processes on one disk) and
the Milvus server; replicas on several machines need the store in a server database (README).
"""

from __future__ import annotations

import json
import os
import time

from evals.load import start_app
from tests.test_app_smoke import free_port
from tests.test_milvus_server import start_milvus, stop
from tests.test_web_app import ADMIN_PASSWORD, ADMIN_USER, _admin_cookie, _fn_index, _post, _queue_call, _upload_body
from tests.test_web_kb import CANTEEN, CANTEEN_QUESTION, CANTEEN_TITLE

KNOWN = "接待对象8人以内，陪餐人员最多几人？"


def ask(url: str, question: str) -> dict:
    status, _, text = _post(url, "/api/ask", json.dumps({"question": question}).encode(),
                            {"Content-Type": "application/json"})
    assert status == 200, text
    return json.loads(text)


def test_an_upload_through_one_replica_is_answered_by_the_other(tmp_path):
    milvus_port = free_port()
    milvus = start_milvus(tmp_path / "milvus-data", milvus_port, tmp_path / "milvus.log")
    env = {**os.environ, "QINGFENG_MILVUS_URI": f"http://127.0.0.1:{milvus_port}", "GRADIO_ANALYTICS_ENABLED": "False",
           "QINGFENG_ADMIN_USER": ADMIN_USER, "QINGFENG_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "GRADIO_TEMP_DIR": str(tmp_path / "gradio")}
    index = tmp_path / "index"
    processes = []
    try:
        port_a, port_b = free_port(), free_port()
        processes.append(start_app(index, port_a, env=env, log=tmp_path / "a.log"))  # builds the demo index
        processes.append(start_app(index, port_b, env=env, log=tmp_path / "b.log"))  # opens it
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        before = ask(b, CANTEEN_QUESTION)
        assert not any(c["title"] == CANTEEN_TITLE for c in before["citations"])

        # Upload through A, as the page does: admin cookie, Gradio's upload route, the ingest event.
        cookie = _admin_cookie(a)
        body, headers = _upload_body("canteen.txt", CANTEEN)
        status, _, text = _post(a, "/gradio_api/upload", body, {**headers, "Cookie": cookie})
        assert status == 200
        path = json.loads(text)[0]
        result = _queue_call(a, _fn_index(a, "ingest"), [[{"path": path, "meta": {"_type": "gradio.FileData"}}]],
                             cookie=cookie)
        assert result["success"], result
        uploaded = time.perf_counter()

        # B answers all along, and picks the new document up by itself.
        deadline = uploaded + 60
        while True:
            answer = ask(b, CANTEEN_QUESTION)
            if answer["citations"] and answer["citations"][0]["title"] == CANTEEN_TITLE:
                break
            assert time.perf_counter() < deadline, "the other replica never answered from the upload"
            assert not ask(b, KNOWN)["refused"]  # still answering what it knew
            time.sleep(0.5)
        seen_after = time.perf_counter() - uploaded
        assert seen_after < 30
        assert not ask(b, KNOWN)["refused"] and ask(a, CANTEEN_QUESTION)["citations"][0]["title"] == CANTEEN_TITLE
        print(f"the other replica answered from the upload {seen_after:.1f} s after it finished")
    finally:
        for process in processes:
            stop(process)
        stop(milvus)
