"""Questions to train and calibrate the relevance model, built by the team — never the dev questions:

- generated from the articles of an index: terse questions as staff type them (evals/training_questions.py),
  case descriptions built from sanction articles ("我们单位一名科长……，应当给予什么处分？"), everyday
  wording through the colloquial lexicon (礼金 → 红包), and the document or an old version named;
- the team's in-scope bank (`evals/data/in_scope.jsonl`, gold articles) and out-of-scope bank
  (`evals/data/out_of_scope.jsonl`: everyday life, other fields of law and administration, and
  near misses).

Every question is put in the training or the held-out split by a seeded hash: generated questions
by their source article (so held-out articles are unseen), bank questions by id.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.retrieval.lexicon import colloquial_map
from evals.training_questions import terse_questions_for
from ingest.store import Store

DATA = Path(__file__).resolve().parent / "data"
HELD_OUT_SHARE = 0.3
SEED = 20261202

PEOPLE = ["我们单位一名科长", "某县财政局一名干部", "某乡镇党委副书记", "一名党员干部", "我们局的一位处长", "某国有企业中层干部",
          "一位村党支部书记", "某街道办事处工作人员", "我的一位同事", "某单位主要负责人"]
CONTEXTS = ["", "去年", "在任职期间", "在一次检查中被发现", "在工作中", "利用周末时间", "经群众举报查实", "在换届前后"]
# Everyday openings and endings of real questions: words a rule text never uses, so that the model
# learns that an unfamiliar word alone does not put a question out of scope.
OPENINGS = ["我是刚参加工作的年轻干部，想请教一下：", "最近单位里大家在议论，", "听老同事讲起一件事，", "我们科室小王问了个问题：",
            "周末和朋友聊天时说到，", "微信群里有人问：", "打扰一下，", "我爱人在乡镇上班，她想知道", "我们这边是山区小县城，",
            "前两天开会时有人提出，", "作为一名基层党员，我有点好奇，", "麻烦帮忙查一下，", "小区邻居在机关上班，他问我",
            "不好意思，再确认一下：", "想咨询一个比较实际的问题：", "老家村里有个情况，", "我刚调到新岗位，",
            "单位组织学习时有个疑问：", "这事有点急，", "年底忙完了想起一件事，"]
ENDINGS = ["", "", "谢谢！", "在线等，谢谢。", "求解答。", "麻烦说得具体点。"]
FRAMED_SHARE = 0.35

CASE_FRAMES = ["{person}{context}{behaviour}，应当给予什么处分？", "{person}{context}{behaviour}，这种情况怎么处理？",
               "{person}{context}{behaviour}，算违纪吗？会受到什么处分？", "如果{person}{behaviour}，要承担什么责任？"]


@dataclass
class Question:
    id: str
    question: str
    source: str  # "generated", "bank", "oos"
    category: str
    held_out: bool
    gold: list[dict] = field(default_factory=list)  # {file, article|section}: the record format of evals/retrieval.py
    evidence: list[str] = field(default_factory=list)  # sentences the question was written from
    strict: bool = False  # only the named version's file counts (version questions)
    file: str = ""  # generated questions: the source file (texts/x.md) …
    span: tuple[int, int] | None = None  # … and the source article's span in it
    article: int | None = None  # … and its number (None for an outline item)

    @property
    def answerable(self) -> bool:
        return self.source != "oos"

    def item(self) -> dict:
        """As a gold record, for evals.retrieval.is_hit."""
        return {"id": self.id, "question": self.question, "gold": self.gold, "evidence": self.evidence,
                "category": "version" if self.strict else self.category}


def held_out(key: str, seed: int = SEED) -> bool:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < HELD_OUT_SHARE


def relative_path(path: str) -> str:
    """texts/x.md for a file under a corpus/ folder (the gold records' file naming), else the file name."""
    posix = Path(path).as_posix()
    m = re.search(r"/corpus/(.+)$", posix)
    return m.group(1) if m else Path(path).name


def _short_title(title: str) -> str:
    return re.sub(r"^(中国共产党|中华人民共和国|党政机关)", "", re.sub(r"[（(][^）)]*[）)]$", "", title))


def _everyday(question: str, rng: random.Random) -> str | None:
    """The question with an official term replaced by an everyday word that stands for it."""
    reverse: dict[str, list[str]] = {}
    for word, terms in colloquial_map().items():
        for term in terms:
            if len(term) >= 2 and term != word:
                reverse.setdefault(term, []).append(word)
    present = sorted((t for t in reverse if t in question), key=len, reverse=True)
    if not present:
        return None
    term = present[0]
    return question.replace(term, rng.choice(sorted(reverse[term])), 1)


def generated_questions(store: Store, seed: int = SEED, per_article: int = 2) -> list[Question]:
    """Questions written by rule from every article of every document in the store."""
    rng = random.Random(seed)
    rows = sorted(store.documents(), key=lambda d: d.doc_id)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(_short_title(row.title), []).append(row)
    out: list[Question] = []
    for row in rows:
        doc = store.document(row.doc_id)
        if doc is None:
            continue
        versions = groups[_short_title(row.title)]
        superseded = len(versions) > 1 and row.meta.status != "现行有效"
        year = re.search(r"\d{4}", row.meta.version or "")
        file = relative_path(row.paths[0]) if row.paths else row.doc_id
        for unit_index, unit in enumerate(doc.units):
            text = doc.text[unit.start:unit.end]
            candidates = terse_questions_for(text)[:per_article]
            if not candidates:
                continue
            key = f"{file}#{unit_index}"
            for n, q in enumerate(candidates):
                base = q.text
                variants = [(q.kind, base)]
                if q.kind == "sanction":
                    behaviour = base.removesuffix("，会受到什么处分？")
                    frame = rng.choice(CASE_FRAMES)
                    variants.append(("case", frame.format(person=rng.choice(PEOPLE), context=rng.choice(CONTEXTS),
                                                          behaviour=behaviour)))
                everyday = _everyday(base, rng)
                if everyday:
                    variants.append(("everyday", everyday))
                if superseded and year:
                    variants = [(k, f"{year.group(0)}年版《{_short_title(row.title)}》中，{v}") for k, v in variants]
                elif rng.random() < 0.2:
                    variants.append(("named", f"《{_short_title(row.title)}》对此怎么规定：{base}"))
                for m, (kind, question) in enumerate(variants):
                    out.append(Question(f"gen:{key}:{n}:{m}", question, "generated", kind, held_out(key, seed),
                                        [], [q.sentence], strict=bool(superseded and year), file=file,
                                        span=(unit.start, unit.end),
                                        article=unit.number if unit.kind == "article" else None))
    return out


def framed(questions: list[Question], seed: int = SEED) -> list[Question]:
    """Everyday openings and endings added to a share of the answerable questions (new variants,
    in the same split as the question they come from)."""
    rng = random.Random(seed + 1)
    out = []
    for q in questions:
        if q.answerable and rng.random() < FRAMED_SHARE:
            text = rng.choice(OPENINGS) + q.question.rstrip("？?") + "？" + rng.choice(ENDINGS)
            out.append(Question(q.id + "~framed", text, q.source, q.category, q.held_out, q.gold, q.evidence,
                                q.strict, q.file, q.span, q.article))
    return out


def training_questions(store: Store, seed: int = SEED) -> list[Question]:
    """All of them: generated, the banks, and framed variants of the answerable ones."""
    base = generated_questions(store, seed) + bank_questions(seed)
    return base + framed(base, seed)


def bank_questions(seed: int = SEED) -> list[Question]:
    """The team's in-scope and out-of-scope banks."""
    out = []
    for name, source in (("in_scope.jsonl", "bank"), ("out_of_scope.jsonl", "oos")):
        path = DATA / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            out.append(Question(r["id"], r["question"], source, r.get("category", source), held_out(r["id"], seed),
                                r.get("gold", []), r.get("evidence", []), strict=r.get("category") == "version"))
    return out
