"""Optional cross-encoder reranker from a local model directory (sentence-transformers)."""

from __future__ import annotations

import os
from pathlib import Path


class CrossEncoderReranker:
    def __init__(self, model_dir: str | Path, candidates: int = 30):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if not Path(model_dir).is_dir():
            raise FileNotFoundError(f"找不到本地重排序模型目录：{model_dir}")
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(str(model_dir), device="cpu", local_files_only=True)
        self.candidates = candidates

    def rerank(self, question: str, index, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Re-order the first `candidates` results by the cross-encoder; the rest keep their order.

        Results routed directly (a named article) stay on top.
        """
        head, tail = ranked[: self.candidates], ranked[self.candidates:]
        if not head:
            return ranked
        top_score = head[0][1]
        pinned = [(r, s) for r, s in head if s > top_score - 1e-9 and s >= 1.0]
        rest = [(r, s) for r, s in head if (r, s) not in pinned]
        if rest:
            scores = self.model.predict([(question, index.nodes[r].text) for r, _ in rest], show_progress_bar=False)
            rest = [(r, float(s)) for (r, _), s in sorted(zip(rest, scores), key=lambda x: -x[1])]
        return pinned + rest + tail
