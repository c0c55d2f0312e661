"""Comparison questions ("A和B有什么区别", "A与B是什么关系", "A与B如何区分"): each side is looked
up on its own, cited, and the two are laid side by side.

"A还是B" is not read as a comparison: such questions mostly ask which rule applies
("适用新条例还是旧规定？"), which the whole question answers better than two lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEAD = r"(?:请问|我想问|想问|问一下)?"
_JOIN = r"(?:和|与|跟|同|及|以及|相比|对比)"
_ASKS = (r"(?:这两(?:种|个|者|类|项)[^，,。？?]{0,6})?(?:之间)?(?:的|有|存在|是)?"
         r"(?:(?:什么|何|哪些|怎样的|啥)(?:区别|不同|差别|差异|异同|关系|联系|不一样)"
         r"|(?:区别|不同|差别|差异|异同)(?:是什么|在哪|何在|[？?]|$)"
         r"|(?:应当|应该)?(?:如何|怎么|怎样)(?:区分|界定|区别))")
_COMPARE = re.compile(_LEAD + r"(?P<context>.*?[，,：:])?(?P<a>[^，,。？?]{2,24}?)" + _JOIN + r"(?P<b>[^，,。？?]{2,24}?)" + _ASKS)
_EDGE = re.compile(r"^(?:的|是|在|对|把|将)|(?:的|之间)$")
_DOCUMENT_CONTEXT = re.compile(r"(.+?(?:法|条例|规定|办法|准则|意见|处分|费|工作)(?:中|里|上))(.+)")
_OWNER = re.compile(r"(.{2,12}?的)(.{2,})")  # "党员的权利与义务": both sides are the 党员's


@dataclass(frozen=True)
class Sides:
    a: str
    b: str
    context: str  # the rest of the question ("党纪处分中") that both sides are looked up with


def comparison_sides(question: str) -> Sides | None:
    """The two things a comparison question compares, or None for any other question."""
    text = re.sub(r"\s+", "", question)
    m = _COMPARE.search(text)
    if m is None:
        return None
    a, b = (_EDGE.sub("", m.group(x)) for x in ("a", "b"))
    context = (m.group("context") or "").rstrip("，,：:")
    named = _DOCUMENT_CONTEXT.match(a)
    if named:
        context, a = context + named.group(1), named.group(2)
    owner = _OWNER.match(a)
    if owner:
        context, a = context + owner.group(1), owner.group(2)
    if len(a) < 2 or len(b) < 2 or a == b:
        return None
    return Sides(a, b, context)


def side_question(side: str, sides: Sides) -> str:
    """The question one side is looked up with."""
    return f"{sides.context}{side}是什么？" if sides.context else f"{side}是什么？"
