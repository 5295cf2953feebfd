"""The inbox page and the unread_count template tag."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from yiwang.notify import actions
from yiwang.notify.models import Message
from yiwang.notify.templatetags.notify_tags import unread_count
from yiwang.notify.views import PAGE_SIZE

pytestmark = [pytest.mark.django_db]
INBOX = "/notices/"


def titles(response) -> list[str]:
    return [m.title for m in response.context["page"].object_list]


def test_url_names():
    assert reverse("notify:inbox") == INBOX
    assert reverse("notify:read", args=[5]) == "/notices/5/read/"
    assert reverse("notify:read_all") == "/notices/read-all/"


def test_anonymous_is_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(reverse("notify:read_all")).status_code == 302


def test_inbox_lists_own_messages_newest_first_with_unread_highlighted(client, citizen, citizen2):
    old = actions.notify(user=citizen, title="旧通知", body="")
    actions.notify(user=citizen, title="新通知", body="第一行\n第二行", link="/cases/1/")
    actions.notify(user=citizen2, title="别人的通知", body="")
    actions.mark_read(actor=citizen, message=old)
    client.force_login(citizen)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert titles(response) == ["新通知", "旧通知"]
    assert response.context["unread"] == 1
    html = response.content.decode()
    assert "别人的通知" not in html
    assert html.count("notice-unread") == 1
    assert "第一行<br>第二行" in html


def test_inbox_is_paginated(client, citizen):
    for i in range(PAGE_SIZE + 5):
        actions.notify(user=citizen, title=f"通知{i:02d}", body="")
    client.force_login(citizen)
    first = client.get(INBOX)
    assert len(titles(first)) == PAGE_SIZE
    assert titles(first)[0] == f"通知{PAGE_SIZE + 4:02d}"
    second = client.get(INBOX, {"page": 2})
    assert titles(second) == [f"通知{i:02d}" for i in range(4, -1, -1)]
    assert client.get(INBOX, {"page": "zzz"}).status_code == 200


def test_inbox_query_count_does_not_depend_on_rows(client, citizen):
    client.force_login(citizen)
    actions.notify(user=citizen, title="一", body="")
    client.get(INBOX)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    for i in range(PAGE_SIZE + 3):
        actions.notify(user=citizen, title=f"通知{i}", body="正文", link="/cases/")
    with CaptureQueriesContext(connection) as many:
        assert len(titles(client.get(INBOX))) == PAGE_SIZE
    assert len(many) == len(few)


def test_mark_one_read(client, citizen):
    message = actions.notify(user=citizen, title="通知", body="")
    client.force_login(citizen)
    assert client.get(reverse("notify:read", args=[message.pk])).status_code == 405
    response = client.post(reverse("notify:read", args=[message.pk]), {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == "/notices/?page=2"
    message.refresh_from_db()
    assert message.read_at is not None


def test_open_marks_read_and_follows_a_local_link(client, citizen):
    local = actions.notify(user=citizen, title="本地", body="", link="/cases/7/")
    external = actions.notify(user=citizen, title="外部", body="", link="https://evil.example/")
    client.force_login(citizen)
    response = client.post(reverse("notify:read", args=[local.pk]), {"open": "1"})
    assert response["Location"] == "/cases/7/"
    response = client.post(reverse("notify:read", args=[external.pk]), {"open": "1"})
    assert response["Location"] == INBOX
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_cannot_mark_someone_elses_message(client, citizen, citizen2):
    message = actions.notify(user=citizen, title="通知", body="")
    client.force_login(citizen2)
    assert client.post(reverse("notify:read", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read(client, citizen, citizen2):
    for i in range(3):
        actions.notify(user=citizen, title=f"通知{i}", body="")
    actions.notify(user=citizen2, title="别人的", body="")
    client.force_login(citizen)
    response = client.post(reverse("notify:read_all"), follow=True)
    assert "已将 3 条消息标为已读。" in response.content.decode()
    assert response.context["unread"] == 0
    response = client.post(reverse("notify:read_all"), follow=True)
    with translation.override("zh-hans"):
        expected = gettext("There were no unread notices.")
    assert expected in response.content.decode()
    assert Message.objects.filter(read_at__isnull=True).count() == 1


def test_unread_count_tag(citizen, citizen2, django_assert_num_queries):
    for i in range(2):
        actions.notify(user=citizen, title=f"通知{i}", body="")
    assert unread_count(AnonymousUser()) == 0
    assert unread_count(None) == 0
    with django_assert_num_queries(1):
        assert unread_count(citizen) == 2
    assert unread_count(citizen2) == 0
    html = Template(
        "{% load notify_tags %}{% unread_count user as n %}{% if n %}<span>{{ n }}</span>{% endif %}"
    ).render(Context({"user": citizen}))
    assert html == "<span>2</span>"
