"""The 12345 agent's suggestions rank the article that answers the matter first.

Over the demo knowledge base, with descriptions written the way agents write them. The
words that report the call (来电人, 市民来电反映, 来电咨询) once ranked the agents' internal
article 来电人情绪激动时怎么应答 above the answer.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yiwang.demo.knowledge import load_knowledge
from yiwang.knowledge import queries
from yiwang.knowledge.models import Article

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db

# (what the agent types, the title of the article that answers it)
AGENT_TEXTS = [
    ("社保卡丢了怎么补办", "社保卡丢了怎么办？"),
    ("市民来电反映社保卡丢了，询问怎么补办", "社保卡丢了怎么办？"),
    ("来电人咨询低保怎么申请", "家里困难怎么申请低保？"),
    ("来电咨询翻新旧房需要办什么手续", "农村自建房要办哪些手续？"),
    ("来电人咨询高龄津贴如何申领", "高龄老人津贴怎么领？"),
    ("市民来电称家中停水两天了，询问什么时候恢复供水", "停水了找谁？"),
    ("市民来电咨询在湖寮镇开一家小饭店需要办理哪些证照", "开饭店需要办哪些证？"),
    ("来电咨询小孩刚出生怎么办理户口登记，需要带什么材料", "小孩出生后怎么上户口？"),
    ("晚上十点以后东街烧烤店噪音扰民，油烟很大，多次反映未解决。", "噪音扰民怎么投诉？"),
    # the internal article is still found when the matter is the caller's anger
    ("来电人情绪激动，辱骂话务员", "来电人情绪激动时怎么应答？"),
]


@pytest.fixture
def demo_articles(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_knowledge(SYSTEM)
    return {a.title: a for a in Article.objects.valid()}


def test_agent_texts_rank_their_article_first(demo_articles):
    # one test over the table: loading the demo knowledge base per text would take minutes
    wrong = {}
    for text, title in AGENT_TEXTS:
        found = [a.title for a in queries.suggest_articles(text)]
        if not found or found[0] != title:
            wrong[text] = found
    assert not wrong, wrong


def test_call_report_phrases_are_dropped_but_not_the_matter():
    assert queries.without_call_report("来电人咨询低保怎么申请").strip() == "低保怎么申请"
    assert queries.without_call_report("市民来电反映路灯坏了").strip() == "路灯坏了"
    assert queries.without_call_report("李先生致电投诉噪音") == "李先生 噪音"
    # a bare 来电 is the matter here: when the power comes back
    assert queries.without_call_report("停电了什么时候来电") == "停电了什么时候来电"
    assert queries.without_call_report("") == ""


def test_register_a_call_page_suggests_the_answer_first(demo_articles, agent, client):
    client.force_login(agent)
    page = client.get(reverse("hotline:suggest"), {"content": "来电人咨询低保怎么申请"})
    assert page.status_code == 200
    offered = re.findall(r'data-article="(\d+)"', page.content.decode())
    assert offered and int(offered[0]) == demo_articles["家里困难怎么申请低保？"].pk
