"""Quiz items: the JSON contract of `qingfeng quiz --out FILE.json`."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, Field

ItemType = Literal["single", "multiple", "judge", "blank"]
TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "blank": "填空题"}
DIFFICULTY_NAMES = {"easy": "易", "medium": "中", "hard": "难"}
BLANK = "＿＿＿＿"


class QuizCitation(BaseModel):
    source: str
    title: str
    version: str | None
    article: int | None
    article_label: str = ""
    heading: str = ""
    doc_number: str | None = None  # 文号 of the document
    text: str  # the whole cited article
    start: int | None = None  # offset of the article in its document

    @property
    def reference(self) -> str:
        from ingest.structure import place

        version = f"（{self.version}）" if self.version and self.version != "n/a" else ""
        return f"《{self.title}》{self.doc_number or ''}{version}{place(self.heading, self.article_label)}"


class QuizItem(BaseModel):
    id: str
    type: ItemType
    stem: str
    options: dict[str, str] = Field(default_factory=dict)  # empty for judge / blank
    answer: Union[bool, list[str], str]  # "B" | ["A", "C"] | true | "文本"
    explanation: str
    difficulty: Literal["easy", "medium", "hard"]
    citation: QuizCitation
    chunk_id: str | None = None  # the indexed passage the item was made from
    fact: str = ""  # what the item tests (for de-duplication), e.g. the blanked value
    sentence: str = ""  # the source sentence (verbatim in citation.text)

    def contract(self) -> dict:
        return {"id": self.id, "type": self.type, "stem": self.stem, "options": self.options,
                "answer": self.answer, "explanation": self.explanation, "difficulty": self.difficulty,
                "citation": {"source": self.citation.source, "title": self.citation.title,
                             "version": self.citation.version, "article": self.citation.article,
                             "article_label": self.citation.article_label, "text": self.citation.text},
                "chunk_id": self.chunk_id}

    @property
    def answer_text(self) -> str:
        """The key as a trainer reads it: B / A、C / 正确 / the filled-in words."""
        if self.type == "judge":
            return "正确" if self.answer else "错误"
        if isinstance(self.answer, list):
            return "、".join(self.answer)
        return str(self.answer)
