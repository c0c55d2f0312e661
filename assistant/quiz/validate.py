"""Checks applied to every quiz item against the text of the article it cites:

- key_supported: the key is what the article says (the tested sentence is in the article and the
  key fills it; correct options of a multiple choice are in the article, wrong ones are not; a true
  statement is the article's, a false one changes exactly one fact of it);
- one_defensible_answer: for single choice, exactly one option makes a sentence of the article;
- options_distinct: options differ and are of one kind (the same unit, all sanctions, all organs);
- no_giveaway: the stem does not contain the key.

Across the items of one quiz, `gives_away(a, b)`: what item a states as true (its stem, its correct
options) holds item b's key, so answering a tells b's answer; the generator keeps only one of them.
"""

from __future__ import annotations

import re

from assistant.quiz.facts import facts_in, item_text
from assistant.quiz.models import BLANK, QuizItem

CHECKS = ("key_supported", "one_defensible_answer", "options_distinct", "no_giveaway")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _kind(value: str, context: str) -> str:
    facts = facts_in(value, context)
    return facts[0].kind if len(facts) == 1 and facts[0].text == value else "text"


def _filled(item: QuizItem, value: str) -> str:
    """The tested sentence with `value` in place of the key (as it would read in the article)."""
    return item.sentence.replace(str(item.fact), value, 1)


def failures(item: QuizItem) -> list[str]:
    """The checks an item fails (empty when it passes them all)."""
    return [check for check, ok in validate(item).items() if not ok]


def validate(item: QuizItem) -> dict[str, bool]:
    text = _squash(item.citation.text)
    sentence_in_article = bool(item.sentence) and _squash(item.sentence) in text
    checks = dict.fromkeys(CHECKS, True)
    if item.type == "blank":
        checks["key_supported"] = sentence_in_article and isinstance(item.answer, str) and item.answer in item.sentence
        checks["no_giveaway"] = BLANK in item.stem and item.answer not in item.stem.replace(BLANK, "")
    elif item.type == "single":
        key = item.options.get(str(item.answer), "")
        checks["key_supported"] = sentence_in_article and key == item.fact and key in item.sentence
        makes_article_text = [k for k, v in item.options.items() if _squash(_filled(item, v)) in text]
        checks["one_defensible_answer"] = makes_article_text == [item.answer] and not any(
            v in item.citation.text for k, v in item.options.items() if k != item.answer)
        values = list(item.options.values())
        checks["options_distinct"] = (len(set(values)) == len(values) >= 3
                                      and len({_kind(v, item.citation.text) for v in values}) == 1
                                      and not any(a != b and a in b for a in values for b in values))
        checks["no_giveaway"] = key not in item.stem
    elif item.type == "multiple":
        keys = item.answer if isinstance(item.answer, list) else []
        correct = [item.options[k] for k in keys if k in item.options]
        wrong = [v for k, v in item.options.items() if k not in keys]
        checks["key_supported"] = bool(correct) and bool(wrong) and all(_squash(v) in text for v in correct) \
            and not any(_squash(v) in text for v in wrong)
        values = list(item.options.values())
        checks["options_distinct"] = len(set(values)) == len(values) >= 4
        checks["no_giveaway"] = not any(v in item.stem for v in values)
    elif item.type == "judge":
        statement = re.sub(r"^根据《[^》]+》[^，]*，", "", item.stem)
        if item.answer is True:
            checks["key_supported"] = sentence_in_article and _squash(item_text(item.sentence)) in _squash(statement)
        else:
            original, _, changed = str(item.fact).partition("→")
            # Some one occurrence of the original fact, changed, gives the statement in the stem …
            altered = [item.sentence[:m.start()] + changed + item.sentence[m.end():]
                       for m in re.finditer(re.escape(original), item.sentence)] if original and changed else []
            said = [a for a in altered if _squash(item_text(a)) in _squash(statement)]
            # … and the article does not say it.
            checks["key_supported"] = sentence_in_article and bool(said) and all(
                _squash(item_text(a)) not in text for a in said)
    return checks


LIST_ITEM_CHARS = 4  # a multiple-choice option this long is a phrase of a list, not a word like 警告


def key_values(item: QuizItem) -> list[str]:
    """The texts an item's key consists of (none for a true/false item: its key is 正确/错误)."""
    if item.type == "blank":
        return [str(item.answer)]
    if item.type == "single":
        return [item.options.get(str(item.answer), "")]
    if item.type == "multiple":
        return [item.options[k] for k in (item.answer if isinstance(item.answer, list) else []) if k in item.options]
    return []


def gives_away(shown: QuizItem, other: QuizItem) -> bool:
    """Whether answering `shown` tells `other`'s key: `shown` is on the same article and its stem
    (a true statement, or the sentence around its gap) holds that key; or `shown` is a multiple
    choice whose options list the phrases that are `other`'s key (its lists used as distractors)."""
    same_article = (shown.citation.source, shown.citation.start) == (other.citation.source, other.citation.start)
    stem = shown.stem if shown.type != "judge" or shown.answer is True else ""
    if same_article and any(v and _squash(v) in _squash(stem) for v in key_values(other)):
        return True
    if shown.type == "multiple" and other.type == "multiple":
        listed = {_squash(v) for v in shown.options.values()}
        return any(len(v) >= LIST_ITEM_CHARS and _squash(v) in listed for v in key_values(other))
    return False
