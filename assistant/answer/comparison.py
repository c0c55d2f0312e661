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
# "A与B，两者应当如何区分？": the ask may follow a comma.
_THE_TWO = r"(?:[，,](?:两者|二者|这两者)?)?"
_COMPARE = re.compile(_LEAD + r"(?P<context>.*?[，,：:])?(?P<a>[^，,。？?]{2,40}?)(?P<join>" + _JOIN + r")(?P<b>[^，,。？?]{2,40}?)"
                      + _THE_TWO + _ASKS)
# Where two sides are joined, 与 is the comparing word; 和/及 mostly join items inside one side
# ("亲属和其他特定关系人收受财物行为与利用影响力受贿罪"): the split is at the last 与, else the last 和 ….
_SPLIT_ORDER = ("与", "和", "跟", "同", "以及", "及")
_ENUMERATOR = re.compile(r"^(?:[0-9]+[.．、]|[（(][0-9一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
_EDGE = re.compile(r"^(?:的|是|在|对|把|将)|(?:的|之间)$")
_DOCUMENT_CONTEXT = re.compile(r"(.+?(?:法|条例|规定|办法|准则|意见|处分|费|工作)(?:中|里|上))(.+)")
_OWNER = re.compile(r"(.{2,12}?的)(.{2,})")  # "党员的权利与义务": both sides are the 党员's …
_OWNED_TERM = 6  # … when what follows 的 is a term ("职务上的影响向…借钱行为" is one described conduct)


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
    a, b = _split(m.group("a"), m.group("join"), m.group("b"))
    a, b = (_EDGE.sub("", _ENUMERATOR.sub("", x)) for x in (a, b))
    # Only the sentence just before the sides is context (not an article quoted earlier in the question).
    context = re.split(r"[。！!？?：:]", _QUOTED.sub("", m.group("context") or "").rstrip("，,：:"))[-1]
    context = re.sub(r"^" + _LEAD, "", context)
    named = _DOCUMENT_CONTEXT.match(a)
    if named:
        context, a = context + named.group(1), named.group(2)
    owner = _OWNER.match(a)
    if owner and len(owner.group(2)) <= _OWNED_TERM:
        context, a = context + owner.group(1), owner.group(2)
    a = _EDGE.sub("", a)
    if len(a) < 2 or len(b) < 2 or a == b:
        return None
    return Sides(a, b, context)


def _split(a: str, join: str, b: str) -> tuple[str, str]:
    """The two sides of "a join b", split at the comparing word (see _SPLIT_ORDER)."""
    if join in ("相比", "对比"):
        return a, b
    span = a + join + b
    for word in _SPLIT_ORDER:
        at = span.rfind(word)
        if at >= 2 and len(span) - at - len(word) >= 2:
            return span[:at], span[at + len(word):]
    return a, b


def side_question(side: str, sides: Sides) -> str:
    """The question one side is looked up with: what a term is; how a kind of conduct is dealt with."""
    ask = "应当如何处理？" if side.endswith("行为") else "是什么？"
    return f"{sides.context}{side}{ask}"
