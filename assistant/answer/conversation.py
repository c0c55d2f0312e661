"""Follow-up questions in a conversation ("那如果是配偶收的呢？"), resolved without an LLM: a
question that leans on the previous one is searched together with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.retrieval.lexicon import ASK_WORD, segmenter
from assistant.retrieval.routing import mentions_version

if TYPE_CHECKING:  # the answerer imports this module, not the other way round
    from assistant.answer.answerer import Answerer
    from assistant.answer.models import Answer

# Words that open a question which continues the previous one.
_FOLLOW_UP_START = re.compile(
    r"^(那|那么|那如果|如果|要是|假如|假设|若|还有|另外|此外|同样|同理|这种|这个|这样|那个|该|上述|前述|其|他|她|它|"
    r"对方|配偶|子女|家属|亲属|换成|改成|反过来|再问|再请问|追问|接着|然后|以及|和|或者)")
# Words that point back at something said before.
_POINTS_BACK = re.compile(r"这种情况|这种行为|这个规定|这条|该条|那条|上面|上述|前面|刚才|之前说的|同样的|呢[？?]?$")
SHORT = 14  # a question this short, naming no document …
OWN_WORDS = 1  # … and with no more words of its own than this, leans on the one before ("要报告吗？")


@dataclass
class Turn:
    question: str  # as asked
    resolved: str  # as searched
    doc_titles: list[str] = field(default_factory=list)  # documents the answer cited


def is_follow_up(question: str, names_document: bool) -> bool:
    text = re.sub(r"\s+", "", question)
    if _FOLLOW_UP_START.match(text) or _POINTS_BACK.search(text):
        return True
    if len(text) > SHORT or names_document:
        return False
    # "机关食堂午餐标准是多少？" is short but says what it is about: a new question.
    own = [w for w in segmenter().words(text) if not ASK_WORD.match(w)]
    return len(own) <= OWN_WORDS


def resolve(question: str, history: list[Turn], names_document: bool, names_article: bool = False) -> str:
    """The question to search: joined to the previous resolved question when it follows on.
    "那第二十条呢？" asks about the document the previous answer cited first; "那2020年版呢？" asks the
    previous question of that document's 2020 version; "那监察法第二十二条呢？" names its own document
    and article, so it is read on its own."""
    if not history or not is_follow_up(question, names_document) or (names_document and names_article):
        return question
    previous = history[-1]
    if names_article and not names_document and previous.doc_titles:
        return f"《{previous.doc_titles[0]}》{question}"
    if mentions_version(question) and not names_document and previous.doc_titles:
        # The topic is the last question that was not itself only a change of version.
        topic = next((t for t in reversed(history) if not _only_version(t)), history[0])
        return f"{topic.resolved} 《{previous.doc_titles[0]}》{question}"
    return f"{previous.resolved} {question}"


def _only_version(turn: Turn) -> bool:
    """A turn that only asked for another version of what was asked before ("那2020年版呢？")."""
    return mentions_version(turn.question) and turn.resolved != turn.question and "》" in turn.resolved


class Conversation:
    """One user's chat: each question is answered with the earlier turns as context."""

    def __init__(self, answerer: Answerer):
        self.answerer = answerer
        self.turns: list[Turn] = []

    def ask(self, question: str, use_llm: bool = True) -> Answer:
        answer = self.answerer.ask(question, self.turns, use_llm=use_llm)
        self.turns.append(Turn(question, answer.resolved_question, [c.title for c in answer.citations]))
        return answer
