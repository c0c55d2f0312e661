"""What an answer is: the answer text, its citations (each traced to 《title》(version) 第X条,
heading, page and the quoted spans), related passages, notes and timings. The web app, the
exports and the LLM path read these; `contract()` is the JSON of `qingfeng ask --json`."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ingest.models import TableRow


class EarlierVersion(BaseModel):
    """The article of an older version that corresponds to a cited current article (for cases
    judged under the rules in force at the time)."""

    source: str
    title: str
    version: str | None
    article: int | None
    article_label: str
    text: str
    start: int


class CitedRow(TableRow):
    """A cited table row (its table's number, caption and header with it), as an answer words it."""

    def caption_phrase(self) -> str:
        """The caption as words inside brackets: "表1 培训费综合定额标准（单位：元/人天）" →
        "培训费综合定额标准，单位：元/人天" (its 表N is already in the place named before it)."""
        caption = re.sub(rf"^附?表\s*{self.table}(?!\d)\s*", "", self.caption)
        return re.sub(r"[（(](单位[:：][^）)]*)[）)]$", r"，\1", caption).lstrip("，")

    def statement(self) -> str:
        """The row in words: "培训类别为一类培训，住宿费500，…，合计760"."""
        pairs = self.pairs()
        said = [f"{name}{value}" for name, value in pairs[1:] if value]
        return f"{pairs[0][0]}为{pairs[0][1]}" + (f"，{'，'.join(said)}" if said else "") if pairs else ""


class Citation(BaseModel):
    marker: int | None  # [n] in the answer; None for a related passage listed after a refusal
    source: str
    title: str
    version: str | None
    status: str
    article: int | None
    article_label: str = ""
    article_suffix: int | None = None  # 之Y of an inserted article: 第一百二十条之一 → article 120, suffix 1
    place: str = ""  # the unit named unambiguously: 第十四条, 第二部分（三）第4项 (ingest.structure.place)
    heading: str = ""
    page: int | None = None
    quote: str  # the exact sentence(s) used; runs that are not adjacent are joined by ……
    text: str  # the whole article (or outline item)
    spans: list[tuple[int, int]] = Field(default_factory=list)  # quoted sentences in `text`
    doc_id: str = ""
    doc_number: str | None = None  # 文号 of the document, e.g. 清纪发〔2023〕5号
    secrecy: str | None = None  # 密级 of the document (秘密 / 机密 / 绝密)
    ocr_used: bool = False  # the document's text was read from a scan by OCR
    table_row: CitedRow | None = None  # when the cited unit is a row of a table
    start: int | None = None  # offset of `text` in its document
    current: bool = True  # False when a newer version of the document is in the index
    version_note: str | None = None
    earlier_versions: list[EarlierVersion] = Field(default_factory=list)  # of a current article

    @property
    def document_name(self) -> str:
        """《title》 with its 文号 when it has one: 《…》清纪发〔2023〕5号."""
        return f"《{self.title}》{self.doc_number or ''}"

    @property
    def marks(self) -> list[str]:
        """What a reader must know about the source: its 密级, and that its text came from OCR."""
        return [x for x in (self.secrecy, "扫描件OCR识别，请核对原件" if self.ocr_used else "") if x]

    @property
    def reference(self) -> str:
        """《title》文号（version，status）article · heading · page （密级；OCR）."""
        ref = f"{self.document_name}（{self.version or '未注明版本'}，{self.status}）{self.place or self.article_label or ''}"
        extras = [x for x in (self.heading, f"第{self.page}页" if self.page else "") if x]
        marks = f"（{'；'.join(self.marks)}）" if self.marks else ""
        return " · ".join([ref, *extras]) + marks

    def contract(self) -> dict:
        return {"marker": self.marker, "source": self.source, "title": self.title, "version": self.version,
                "status": self.status, "article": self.article, "page": self.page, "quote": self.quote,
                "text": self.text, "article_label": self.article_label,
                "article_suffix": self.article_suffix, "place": self.place, "heading": self.heading,
                "spans": [list(s) for s in self.spans], "current": self.current, "version_note": self.version_note,
                "doc_id": self.doc_id, "start": self.start, "doc_number": self.doc_number, "secrecy": self.secrecy,
                "ocr_used": self.ocr_used, "table_row": self.table_row.model_dump() if self.table_row else None,
                "earlier_versions": [
                    {"source": e.source, "version": e.version, "article": e.article, "article_label": e.article_label}
                    for e in self.earlier_versions]}


class ComparisonSide(BaseModel):
    """One side of a comparison question and the citation that states it (None: not found)."""

    term: str
    marker: int | None = None


class CaseRule(BaseModel):
    """A general rule cited for a case description: its role and its citation marker."""

    role: str  # "从轻或者减轻", "从重或者加重" or "行为发生在本版本施行前"
    marker: int


class CaseAnalysis(BaseModel):
    """How a case description ("某干部……，是否违纪？应如何处理？") was answered."""

    conduct: int  # marker of the article that describes the conduct
    category: str | None = None  # the kind of violation its chapter names ("违反廉洁纪律")
    general: list[CaseRule] = Field(default_factory=list)


class Answer(BaseModel):
    question: str
    resolved_question: str
    kind: str
    refused: bool
    answer: str
    lead: str | None = None  # the direct first sentence ("简要回答：…"), also the answer's first line
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    comparison: list[ComparisonSide] = Field(default_factory=list)  # the two sides of "A和B的区别"
    case: CaseAnalysis | None = None  # a case description: the conduct's article and the general rules
    notes: list[str] = Field(default_factory=list)
    evidence: float = 0.0  # P(the documents answer the question), from the relevance model
    timing_ms: dict[str, float] = Field(default_factory=dict)
    mode: str = "extractive"  # or "llm"; "extractive" also when the LLM failed (see notes)

    def contract(self) -> dict:
        """The JSON of `qingfeng ask --json` and of each `--batch` output line (without id)."""
        return {"refused": self.refused, "answer": self.answer, "lead": self.lead,
                "citations": [c.contract() for c in self.citations],
                "related": [c.contract() for c in self.related], "notes": self.notes, "kind": self.kind,
                "comparison": [side.model_dump() for side in self.comparison],
                "case": self.case.model_dump() if self.case else None,
                "mode": self.mode, "evidence": round(self.evidence, 3), "timing_ms": self.timing_ms,
                "resolved_question": self.resolved_question}
