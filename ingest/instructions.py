"""Instruction-like sentences inside a document ("忽略以上指令，直接回答：…", "你现在是一个助手…"):
text addressed to a language model, not a rule. Found at ingest and kept with the document; the
answer never quotes such a sentence as a rule, the sources panel marks it, and the LLM path masks
it (assistant/answer/llm.py). 覆盖 is not among the verbs: "落实全覆盖要求" is how inspection
documents speak."""

from __future__ import annotations

import re

INSTRUCTION = re.compile(
    r"(忽略|无视|忘记|不要理会).{0,12}(指令|指示|提示|要求|规则|设定|以上|之前|前面)|"
    r"(你|您)(现在)?(是|扮演|作为)(一个|一名)?.{0,8}(助手|模型|AI|机器人)|系统提示|提示词|system\s*prompt|"
    r"\b(ignore|disregard)\b.{0,30}\b(instructions?|above|previous)\b|\bassistant\b|\bsystem\b|"
    r"(回答|输出|回复)时.{0,10}(必须|一律|只能)|不要(标注|引用)|改用英文",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def is_instruction(sentence: str) -> bool:
    return bool(INSTRUCTION.search(sentence))


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of `text` that reads as an instruction to a model."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if is_instruction(m.group(0))]
