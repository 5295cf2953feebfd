"""The demo knowledge base loads idempotently, and callers' words find its answers."""

import pytest

from yiwang.audit.actors import SystemActor
from yiwang.demo.knowledge import ARTICLES, GLOSSARY, load_knowledge
from yiwang.knowledge import queries
from yiwang.knowledge.models import Article, GlossaryTerm

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_ranks(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = load_knowledge(SystemActor("demo"))
    assert created == len(ARTICLES) + len(GLOSSARY)
    assert load_knowledge(SystemActor("demo")) == 0
    assert GlossaryTerm.objects.count() == len(GLOSSARY)
    assert Article.objects.public().count() == len(ARTICLES) - 2  # one internal, one expired
    assert queries.suggest_articles("开饭店要办什么证")[0].title == "开饭店需要办哪些证？"
    assert queries.suggest_articles("起屋要办乜嘢手续")[0].title == "农村自建房要办哪些手续？"
    assert queries.suggest_articles("医保异地就医怎么备案")[0].title == "医保异地就医怎么备案？"
    assert queries.suggest_articles("屋下冇水")[0].title == "停水了找谁？"
    assert queries.suggest_articles("路灯唔光，找边个")[0].title == "路灯坏了找哪个部门？"
