"""The auditor's log page: access, filters, keyset pagination, verify button."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from yiwang.audit.actions import in_transaction_record
from yiwang.audit.models import AuditEntry
from yiwang.audit.views import PAGE_SIZE
from yiwang.orgs.models import Post

pytestmark = [pytest.mark.django_db]
URL = "/audit/"


def seqs(response) -> list[int]:
    return [e.seq for e in response.context["entries"]]


def test_url_name():
    assert reverse("audit:log") == URL


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_without_auditor_post_is_forbidden(client, clerk, make_entries):
    make_entries(1)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403


def test_inactive_auditor_post_is_forbidden(client, auditor):
    Post.objects.filter(user=auditor).update(active=False)
    client.force_login(auditor)
    assert client.get(URL).status_code == 403


def test_auditor_sees_newest_first(client, auditor, make_entries):
    make_entries(3, actor=auditor, obj=auditor)
    client.force_login(auditor)
    response = client.get(URL)
    assert response.status_code == 200
    assert seqs(response) == [3, 2, 1]
    html = response.content.decode()
    assert "test.touch" in html
    assert "审计员" in html and "(auditor)" in html
    assert 'href="/audit/?' not in html  # one page only: no "older" link


def test_superuser_may_read(client, django_user_model, make_entries):
    admin = django_user_model.objects.create_superuser(username="admin", password="Dabu@2026.gov")
    make_entries(2)
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert seqs(response) == [2, 1]


def test_filters(client, auditor, clerk, make_entries):
    make_entries(2, actor=clerk, action="cases.accept", obj=clerk)
    make_entries(1, actor=auditor, action="cases.refuse")
    make_entries(1, actor=auditor, action="catalog.publish")
    client.force_login(auditor)
    assert seqs(client.get(URL, {"action": "cases.accept"})) == [2, 1]
    assert seqs(client.get(URL, {"action": "cases."})) == [3, 2, 1]
    assert seqs(client.get(URL, {"actor": "auditor"})) == [4, 3]
    assert seqs(client.get(URL, {"actor": "nobody"})) == []
    assert seqs(client.get(URL, {"object_type": "accounts.user", "object_id": str(clerk.pk)})) == [
        2,
        1,
    ]
    assert seqs(client.get(URL, {"actor": "auditor", "action": "catalog.publish"})) == [4]


def test_date_range_uses_local_days(client, auditor, make_entries):
    make_entries(3)
    tz = timezone.get_current_timezone()
    # Entry 1 at 2026-03-01 23:30 local, entry 2 the next local day, entry 3 later.
    stamps = {
        1: dt.datetime(2026, 3, 1, 23, 30, tzinfo=tz),
        2: dt.datetime(2026, 3, 2, 0, 30, tzinfo=tz),
        3: dt.datetime(2026, 3, 5, 12, 0, tzinfo=tz),
    }
    with connection.cursor() as cursor:
        for seq, when in stamps.items():
            cursor.execute(
                "UPDATE audit_auditentry SET created_at = %s WHERE seq = %s",
                [
                    when.astimezone(dt.UTC).replace(tzinfo=None)
                    if connection.vendor == "sqlite"
                    else when,
                    seq,
                ],
            )
    client.force_login(auditor)
    assert seqs(client.get(URL, {"date_from": "2026-03-02"})) == [3, 2]
    assert seqs(client.get(URL, {"date_to": "2026-03-01"})) == [1]
    assert seqs(client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})) == [2]


def test_bad_filters_show_specific_errors(client, auditor, make_entries):
    make_entries(2)
    client.force_login(auditor)
    response = client.get(URL, {"date_from": "2026-13-01"})
    assert response.status_code == 400
    assert "请按“年-月-日”格式填写起始日期" in response.content.decode()
    assert seqs(response) == []
    response = client.get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = gettext(
            "The start date %(start)s is after the end date %(end)s: swap them or correct one."
        ) % {"start": "2026-03-05", "end": "2026-03-01"}
    assert expected in response.content.decode()


def test_keyset_pagination(client, auditor, make_entries):
    make_entries(PAGE_SIZE * 2 + 20)  # 120
    client.force_login(auditor)
    response = client.get(URL, {"action": "test.touch"})
    assert seqs(response) == list(range(120, 70, -1))
    older = response.context["older_query"]
    assert parse_qs(older) == {"action": ["test.touch"], "before": ["71"]}
    assert f'href="/audit/?{older.replace("&", "&amp;")}"' in response.content.decode()

    response = client.get(f"{URL}?{older}")
    assert seqs(response) == list(range(70, 20, -1))
    response = client.get(f"{URL}?{response.context['older_query']}")
    assert seqs(response) == list(range(20, 0, -1))
    assert response.context["older_query"] == ""
    assert response.context["is_older_page"]
    # "Newest" keeps the filter but drops the cursor.
    assert parse_qs(urlsplit("?" + response.context["newest_query"]).query) == {
        "action": ["test.touch"]
    }


def test_query_count_does_not_depend_on_rows(client, auditor, clerk, make_entries):
    client.force_login(auditor)
    make_entries(3, actor=clerk, obj=clerk)
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(seqs(client.get(URL))) == 3
    make_entries(PAGE_SIZE + 10, actor=auditor, obj=auditor)
    with CaptureQueriesContext(connection) as many:
        assert len(seqs(client.get(URL))) == PAGE_SIZE
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    entry_reads = [q for q in many.captured_queries if "audit_auditentry" in q["sql"]]
    assert len(entry_reads) == 1  # one query for the page, actors joined in


def test_verify_button_reports_intact_chain(client, auditor, make_entries):
    make_entries(4)
    client.force_login(auditor)
    response = client.post(URL)
    assert response.status_code == 200
    assert response.context["verification"].ok
    assert "审计链完整：共 4 条" in response.content.decode()
    assert seqs(response) == [4, 3, 2, 1]


def test_verify_button_reports_break(client, auditor, make_entries):
    make_entries(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["forged.action", 2]
        )
    client.force_login(auditor)
    response = client.post(URL, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    result = response.context["verification"]
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "altered")
    html = response.content.decode()
    assert 'data-ok="false"' in html and 'data-problems="1"' in html
    assert '<li data-seq="2" data-reason="altered">' in html


def test_verify_button_lists_every_break(client, auditor, make_entries):
    make_entries(6)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["forged", 2])
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [4])
        cursor.execute("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["{}", 6])
    client.force_login(auditor)
    html = client.post(URL).content.decode()
    assert 'data-problems="3"' in html
    for seq, reason in ((2, "altered"), (4, "missing"), (6, "altered")):
        assert f'<li data-seq="{seq}" data-reason="{reason}">' in html


def test_get_does_not_verify(client, auditor):
    in_transaction_record(actor="system", action="test.one")
    client.force_login(auditor)
    assert client.get(URL).context["verification"] is None
    assert AuditEntry.objects.count() == 1


def test_verify_button_without_the_audit_key(client, auditor, make_entries, settings):
    make_entries(1)
    client.force_login(auditor)
    settings.YIWANG_AUDIT_KEY = ""
    settings.DEBUG = False
    response = client.post(URL)
    assert response.status_code == 200
    assert response.context["verification"] is None
    assert 'data-testid="verification-key-missing"' in response.content.decode()
