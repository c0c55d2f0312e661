"""Reading a question for what it names: a document (by title, short name or alias), an article
(第三十条 / 第30条 / 30条), and a version (2018年版, 修订前, 现行)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ingest.metadata import title_key
from ingest.numerals import to_int
from ingest.red_header import DOC_NUMBER, normalize_doc_number

_TITLE_PREFIXES = re.compile(r"^(中国共产党|中华人民共和国|中共中央|党政机关|中央和国家机关|十八届中央政治局)")
_NOTE = re.compile(r"[（(][^）)]*[）)]$")
_NAME_TO_ARTICLE = 3  # characters allowed between a document's name and its article ("》的", "中")
_ARTICLE = re.compile(r"第\s*([零〇一二三四五六七八九十百千两0-9]+)\s*条(?:之([一二三四五六七八九十]+))?"
                      r"|(?<![0-9第])([0-9]{1,3})\s*条(?!例)")
_YEAR = re.compile(r"(19[5-9][0-9]|20[0-9]{2})\s*年?\s*(?:版|修订|修正|修改|的|颁布|印发|出台|施行|制定)?")
_PREVIOUS = re.compile(r"修订前|修改前|修正前|旧版|老版|原来的|以前的|之前的|过去的|上一版|原版本|原条例|原规定")
_CURRENT = re.compile(r"现行|最新|新版|现在的|目前的|当前")
# Aliases that are too general to trust unless the question also cites an article or uses 《》.
_WEAK_ALIASES = {"条例", "准则", "实施条例", "规定", "办法", "细则"}
# A short alias glued to the words before it names another document: 行政监察法 is not 监察法.
_BEFORE_SHORT_ALIAS_OK = set("的按照据依在与和及、《是对了或中从将把其该本即指称违反适用版行订正改年那")


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    version: str | None
    status: str
    doc_type: str
    doc_number: str | None = None  # 文号, normalised (ingest.red_header.normalize_doc_number)

    @property
    def year(self) -> int | None:
        m = re.search(r"\d{4}", self.version or "")
        return int(m.group(0)) if m else None


@dataclass
class Catalog:
    """The documents of an index, grouped by title across versions, with their aliases."""

    documents: dict[str, DocumentInfo]
    groups: dict[str, list[DocumentInfo]] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias → group keys
    doc_numbers: dict[str, str] = field(default_factory=dict)  # 文号 → doc_id

    @classmethod
    def build(cls, documents: list[DocumentInfo], alias_file: str | None = None) -> "Catalog":
        catalog = cls({d.doc_id: d for d in documents})
        for doc in documents:
            catalog.groups.setdefault(title_key(doc.title), []).append(doc)
            if doc.doc_number:
                catalog.doc_numbers[normalize_doc_number(doc.doc_number)] = doc.doc_id
        for key in catalog.groups:
            for alias in _derived_aliases(key):
                catalog.aliases.setdefault(alias, set()).add(key)
        # Shorter tails of a title ("国内公务接待管理规定" → "公务接待管理规定") when they name one document.
        tails: dict[str, set[str]] = {}
        for key in catalog.groups:
            for tail in _title_tails(key):
                tails.setdefault(tail, set()).add(key)
        for tail, keys in tails.items():
            if len(keys) == 1 and tail not in catalog.aliases:
                catalog.aliases[tail] = set(keys)
        for alias, canonical in alias_table(alias_file).items():
            target = title_key(canonical)
            matches = [k for k in catalog.groups if k == target or target in k or (len(k) >= 4 and k in target)]
            for key in matches:
                catalog.aliases.setdefault(alias, set()).add(key)
        return catalog

    def current(self, key: str) -> DocumentInfo:
        docs = self.groups[key]
        live = [d for d in docs if d.status == "现行有效"]
        return max(live or docs, key=lambda d: (d.year or 0, d.doc_id))

    def has_versions(self, key: str) -> bool:
        return len({d.version for d in self.groups[key]}) > 1

    def pick_version(self, key: str, plan: "QueryPlan") -> DocumentInfo:
        """The version of a document a question asks for (the current one by default)."""
        docs = sorted(self.groups[key], key=lambda d: d.year or 0)
        named = [d for d in docs if d.doc_id == plan.named_document]
        if named:
            return named[0]
        if plan.version_year:
            exact = [d for d in docs if d.year == plan.version_year]
            if exact:
                return exact[0]
            earlier = [d for d in docs if d.year and d.year <= plan.version_year]
            if earlier:
                return earlier[-1]
        if plan.wants_previous and len(docs) > 1:
            current = self.current(key)
            older = [d for d in docs if (d.year or 0) < (current.year or 0)]
            if older:
                return older[-1]
        return self.current(key)


def _short_title(key: str) -> str:
    """A title without its trailing note and issuing-body prefix: 中华人民共和国监察法 → 监察法."""
    return _TITLE_PREFIXES.sub("", _NOTE.sub("", key))


def _derived_aliases(key: str) -> set[str]:
    return {a for a in (key, _NOTE.sub("", key), _short_title(key)) if len(a) >= 3}


_KIND_WORD = re.compile(r"(条例|规定|办法|规则|准则|细则|章程|意见|法)$")


def _title_tails(key: str) -> set[str]:
    """Tails of a title that still end in its kind word and keep at least five characters."""
    short = _short_title(key)
    if not _KIND_WORD.search(short):
        return set()
    return {short[i:] for i in range(1, len(short) - 4)}


@lru_cache(maxsize=4)
def alias_table(extra: str | None = None) -> dict[str, str]:
    text = resources.files("assistant.retrieval").joinpath("data", "aliases.tsv").read_text(encoding="utf-8")
    if extra and Path(extra).is_file():
        text += "\n" + Path(extra).read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            alias, canonical = line.split("\t", 1)
            table[alias.strip()] = canonical.strip()
    return table


@dataclass
class QueryPlan:
    question: str
    groups: list[str] = field(default_factory=list)  # document groups the question names
    article: int | None = None  # the first article number the question names
    article_suffix: int = 0  # its 之Y: "第一百二十条之一" → article 120, suffix 1
    named_document: str | None = None  # doc_id of the document whose 文号 the question gives
    # (document group, article number) for each number written right after a document's name
    # ("监察法第十一条和政务处分法第七条": each number belongs to its own document)
    named_articles: list[tuple[str, int]] = field(default_factory=list)
    version_year: int | None = None
    wants_previous: bool = False
    wants_current: bool = False

    @property
    def asks_version(self) -> bool:
        return bool(self.version_year or self.wants_previous)


def mentions_version(question: str) -> bool:
    """Whether a question names a version by year or as the old or current one ("那2020年版呢？")."""
    text = re.sub(r"\s+", "", question)
    return bool(_YEAR.search(text) or _PREVIOUS.search(text) or _CURRENT.search(text))


def analyze(question: str, catalog: Catalog) -> QueryPlan:
    plan = QueryPlan(question)
    text = re.sub(r"\s+", "", question)
    m = _ARTICLE.search(text)
    if m:
        plan.article = to_int(m.group(1) or m.group(3))
        plan.article_suffix = to_int(m.group(2)) if m.group(2) else 0
    # A 文号 names one document (one version): "清纪发〔2023〕5号文件是关于什么的？"
    for m in DOC_NUMBER.finditer(text):
        written = normalize_doc_number(m.group(0))  # may carry words before the 机关代字 ("请问清纪发…")
        known = [n for n in catalog.doc_numbers if written.endswith(n)]
        if known:
            plan.named_document = catalog.doc_numbers[max(known, key=len)]
            plan.groups.append(title_key(catalog.documents[plan.named_document].title))
            break
    quoted = set(re.findall(r"《([^》]+)》", text))
    years = [int(y) for y in _YEAR.findall(text)]
    plan.wants_previous = bool(_PREVIOUS.search(text))
    plan.wants_current = bool(_CURRENT.search(text))
    specific = plan.article is not None or bool(years) or plan.wants_previous
    # Longest aliases first; a matched span is not matched again by a shorter alias inside it.
    taken = [False] * len(text)
    spans: list[tuple[int, list[str]]] = []  # (end, groups) of each document name found
    for alias in sorted(catalog.aliases, key=len, reverse=True):
        start = text.find(alias)
        while start != -1:
            span = range(start, start + len(alias))
            glued = len(alias) <= 4 and start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff" \
                and text[start - 1] not in _BEFORE_SHORT_ALIAS_OK
            if not any(taken[i] for i in span) and not glued:
                weak = alias in _WEAK_ALIASES
                if not weak or specific or alias in quoted:
                    for key in sorted(catalog.aliases[alias]):
                        if key not in plan.groups:
                            plan.groups.append(key)
                    for i in span:
                        taken[i] = True
                    spans.append((span.stop, sorted(catalog.aliases[alias])))
            start = text.find(alias, start + 1)
    for m in _ARTICLE.finditer(text):
        before = [(end, keys) for end, keys in spans if 0 <= m.start() - end <= _NAME_TO_ARTICLE]
        if before:
            number = to_int(m.group(1) or m.group(3))
            plan.named_articles += [(key, number) for key in max(before)[1]]
    if years and plan.groups:
        known = {d.year for key in plan.groups for d in catalog.groups[key]}
        # A year counts as a version when it is near a named document's versions.
        plan.version_year = next((y for y in years if y in known), None) or next(
            (y for y in years if any(k and abs(k - y) <= 3 for k in known)), None)
    return plan
