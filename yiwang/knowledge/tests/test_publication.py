"""The open FAQ is published redacted; editors and agents keep the original text."""

import pytest
from django.urls import reverse

from yiwang.knowledge import actions
from yiwang.orgs import actions as orgs

from .conftest import publish

pytestmark = pytest.mark.django_db

PHONE = "13800135678"
ID_NUMBER = "441422199001011232"
ANSWER = f"请联系经办人（电话{PHONE}，身份证{ID_NUMBER}）。办理时间2026-12-04，收费¥1,200。"


@pytest.fixture
def leaky(authority, category, django_capture_on_commit_callbacks):
    article = actions.create_article(
        actor=authority,
        category=category,
        title=f"补办证件找谁？{PHONE}",
        question=f"补办证件打{PHONE}可以吗？",
        answer=ANSWER,
        aliases="补办证件",
    )
    return publish(article, authority, django_capture_on_commit_callbacks)


def _assert_masked(text: str) -> None:
    assert PHONE not in text and ID_NUMBER not in text
    assert "138****5678" in text


def test_public_faq_pages_mask_numbers_but_keep_dates_and_amounts(client, leaky, category):
    detail = client.get(reverse("knowledge:detail", args=[leaky.pk])).content.decode()
    _assert_masked(detail)
    assert "441422********1232" in detail and "2026-12-04" in detail and "¥1,200" in detail
    listing = client.get(reverse("knowledge:index"), {"category": category.pk})
    _assert_masked(listing.content.decode())


def test_public_api_masks_numbers(client, leaky):
    one = client.get(f"/api/v1/knowledge/articles/{leaky.pk}")
    assert one.status_code == 200
    _assert_masked(one.json()["answer"])
    _assert_masked(one.json()["title"])
    many = client.get("/api/v1/knowledge/articles")
    _assert_masked(many.content.decode())


def test_staff_views_keep_the_original(client, leaky, authority, agent):
    client.force_login(authority)
    edit = client.get(reverse("knowledge:manage_edit", args=[leaky.pk])).content.decode()
    assert PHONE in edit and ID_NUMBER in edit
    client.force_login(agent)
    suggestions = client.get(reverse("knowledge:suggest"), {"q": "补办证件"}).content.decode()
    assert PHONE in suggestions


def test_office_numbers_listed_for_publication_stay(client, leaky, settings):
    settings.YIWANG_REDACTION_KEEP = [PHONE]
    detail = client.get(reverse("knowledge:detail", args=[leaky.pk])).content.decode()
    assert PHONE in detail and ID_NUMBER not in detail


def test_departments_consultation_lines_stay_public(client, leaky, depts, authority):
    page = client.get(reverse("knowledge:detail", args=[leaky.pk])).content.decode()
    assert PHONE not in page  # cached before the department's line is recorded
    orgs.update_department(actor=authority, department=depts["scj"], phone=PHONE)
    page = client.get(reverse("knowledge:detail", args=[leaky.pk])).content.decode()
    assert PHONE in page and ID_NUMBER not in page
