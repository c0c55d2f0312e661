"""Routing: document names and aliases, article numbers (Chinese and Arabic), versions."""

from __future__ import annotations

import pytest

from assistant.retrieval import catalog_from_store
from assistant.retrieval.routing import analyze
from ingest.pipeline import ingest_paths
from ingest.store import Store
from tests.conftest import SHARED_CORPUS

DISCIPLINE = "中国共产党纪律处分条例"
SUPERVISION = "中华人民共和国监察法"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("routing") / "index") as store:
        ingest_paths([SHARED_CORPUS], store)
        return catalog_from_store(store)


@pytest.mark.parametrize("question, group, article", [
    ("纪律处分条例第三十条", DISCIPLINE, 30),
    ("《条例》第30条", DISCIPLINE, 30),
    ("党纪处分条例第一百零二条说了啥", DISCIPLINE, 102),
    ("中国共产党纪律处分条例 第 102 条", DISCIPLINE, 102),
    ("监察法第二十七条讲的什么", SUPERVISION, 27),
    ("公务员法59条", "中华人民共和国公务员法", 59),
    ("按政务处分法第34条该怎么处理", "中华人民共和国公职人员政务处分法", 34),
    ("公务接待管理规定第十条", "党政机关国内公务接待管理规定", 10),  # a tail of 党政机关国内公务接待管理规定
    ("党章第七条", "中国共产党章程", 7),
])
def test_names_and_articles(catalog, question, group, article):
    plan = analyze(question, catalog)
    assert plan.groups == [group] and plan.article == article


@pytest.mark.parametrize("question, version", [
    ("2018年版纪律处分条例第三十条", "2018"),
    ("按2015年的处分条例，第八条怎么规定", "2015"),
    ("2016年的纪律处分条例第八条", "2015"),  # the version in force in 2016
    ("修订前的纪律处分条例第八条", "2018"),
    ("旧版监察法第二十二条", "2018"),
    ("纪律处分条例第八条", "2023"),
    ("现行监察法第二十二条", "2024"),
])
def test_versions(catalog, question, version):
    plan = analyze(question, catalog)
    doc = catalog.pick_version(plan.groups[0], plan)
    assert doc.version == version


def test_general_words_are_not_document_names(catalog):
    assert analyze("这个条例里规定的处分有哪几种？", catalog).groups == []  # bare 条例 without an article
    assert analyze("按照党纪党规、行政监察法等进行处分吗？", catalog).groups == []  # 行政监察法 ≠ 监察法
    assert analyze("根据监察法，留置最长多久？", catalog).groups == [SUPERVISION]
    assert analyze("单位请客吃饭最多几个人陪？", catalog).article is None
