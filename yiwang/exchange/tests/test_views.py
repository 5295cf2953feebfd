"""Pages: a grant's credentials and calls (consumer), who read our data (provider), and the
citizen's one list of who saw their data; scope denials and bounded query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.exchange import actions
from yiwang.exchange.models import Credential
from yiwang.privacy import actions as privacy
from yiwang.testing import county as build

from .conftest import rows_url

pytestmark = pytest.mark.django_db


def grant_url(grant) -> str:
    return reverse("exchange:grant", args=[grant.pk])


def test_consumer_admin_issues_and_sees_the_secret_once(client, grant, admin_mzj):
    client.force_login(admin_mzj)
    page = client.get(grant_url(grant))
    assert page.status_code == 200
    assert b'data-testid="issue-credentials"' in page.content
    issued = client.post(reverse("exchange:issue", args=[grant.pk]))
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    credential = Credential.objects.get()
    assert credential.secret in issued.content.decode()
    assert credential.client_id in issued.content.decode()
    again = client.get(grant_url(grant)).content.decode()
    assert credential.client_id in again and credential.secret not in again


def test_rotate_and_revoke_from_the_page(client, grant, admin_mzj):
    client.force_login(admin_mzj)
    client.post(reverse("exchange:issue", args=[grant.pk]))
    client.post(reverse("exchange:issue", args=[grant.pk]))
    assert Credential.objects.filter(revoked_at__isnull=True).count() == 1
    response = client.post(reverse("exchange:revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not Credential.objects.filter(revoked_at__isnull=True).exists()
    # nothing left to revoke: the message says so, nothing changes
    response = client.post(reverse("exchange:revoke", args=[grant.pk]), follow=True)
    assert response.status_code == 200 and Credential.objects.count() == 2


def test_grant_page_scope(client, grant, admin_scj, admin_zjj, authority, citizen):
    client.force_login(admin_scj)  # the provider: sees the grant, not its credentials
    assert client.get(grant_url(grant)).status_code == 403
    assert client.post(reverse("exchange:issue", args=[grant.pk])).status_code == 403
    client.force_login(admin_zjj)  # another department: no such grant
    assert client.get(grant_url(grant)).status_code == 404
    assert client.post(reverse("exchange:revoke", args=[grant.pk])).status_code == 404
    client.force_login(citizen)
    assert client.get(grant_url(grant)).status_code == 403
    client.force_login(authority)  # sees, but may not issue
    page = client.get(grant_url(grant))
    assert page.status_code == 200 and b'data-testid="issue-credentials"' not in page.content
    assert client.post(reverse("exchange:issue", args=[grant.pk])).status_code == 403
    assert not Credential.objects.exists()
    client.logout()
    assert client.get(grant_url(grant)).status_code == 302


def test_grant_page_lists_calls_in_a_fixed_number_of_queries(
    client, api, grant, admin_mzj, licences
):
    api.get(rows_url(licences.code, "JY144142200000"))
    client.force_login(admin_mzj)
    url = grant_url(grant)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    few_count = len(few)  # read now: the API calls below reset Django's query log
    for i in range(6):
        api.get(rows_url(licences.code), {"limit": 1 + i})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.count(b'data-testid="call-row"') == 7
    assert len(many) == few_count


def test_the_request_page_links_the_consumer_to_the_api_page(client, grant, admin_mzj, admin_scj):
    url = reverse("datahub:request", args=[grant.request_id])
    client.force_login(admin_mzj)
    assert grant_url(grant).encode() in client.get(url).content
    client.force_login(admin_scj)
    assert grant_url(grant).encode() not in client.get(url).content
    page = client.get(reverse("datahub:grants"), {"side": "provider"})
    assert reverse("exchange:reads").encode() in page.content


# --- the provider ------------------------------------------------------------------------------


@pytest.fixture
def two_consumers(api, licences, make_grant, admin_zjj, make_api):
    """县民政局: a lookup and a page of 3; 县住建局: a page of 2 and a refused call."""
    other = make_api(actions.issue_credentials(actor=admin_zjj, grant=make_grant(admin_zjj)))
    api.get(rows_url(licences.code, "JY144142200000"))
    api.get(rows_url(licences.code), {"limit": 3, "fields": "licence_no,phone"})
    other.get(rows_url(licences.code), {"limit": 2})
    with pytest.raises(Exception):  # noqa: B017 (any refusal; its code is tested elsewhere)
        other.get(rows_url(licences.code), {"limit": 999})
    return other


def _rows(response) -> list[dict]:
    return [
        {
            "consumer": r["consumer__name"],
            "calls": r["calls"],
            "rows": r["rows"],
            "refused": r["refused"],
        }
        for r in response.context["page_obj"]
    ]


def test_provider_sees_who_read_its_resources(client, two_consumers, admin_scj, depts, zjj):
    client.force_login(admin_scj)
    response = client.get(reverse("exchange:reads"))
    assert response.status_code == 200
    rows = _rows(response)
    assert sorted((r["consumer"], r["calls"], r["rows"], r["refused"]) for r in rows) == sorted(
        [
            ("大埔县民政局", 1, 1, 0),  # the lookup, all fields
            ("大埔县民政局", 1, 3, 0),  # the page of two fields
            ("大埔县住房和城乡建设局", 2, 2, 1),
        ]
    )
    filtered = client.get(reverse("exchange:reads"), {"consumer": zjj.pk, "refused": "1"})
    assert [(r["consumer"], r["calls"]) for r in _rows(filtered)] == [("大埔县住房和城乡建设局", 1)]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert _rows(client.get(reverse("exchange:reads"), {"from": tomorrow})) == []
    assert _rows(client.get(reverse("exchange:reads"), {"resource": "999999"})) == []


def test_others_do_not_see_the_providers_reads(
    client, two_consumers, admin_mzj, clerk_mzj, authority, citizen
):
    client.force_login(admin_mzj)  # a consumer's admin: no resources of its own were read
    assert _rows(client.get(reverse("exchange:reads"))) == []
    client.force_login(authority)
    assert len(_rows(client.get(reverse("exchange:reads")))) == 3
    for user in (clerk_mzj, citizen):
        client.force_login(user)
        assert client.get(reverse("exchange:reads")).status_code == 403


def test_provider_page_runs_a_fixed_number_of_queries(
    client, api, licences, admin_scj, django_assert_max_num_queries
):
    api.get(rows_url(licences.code, "JY144142200000"))
    client.force_login(admin_scj)
    client.get(reverse("exchange:reads"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("exchange:reads"))
    # Read now: every request (the API calls below too) resets Django's query log.
    few_count = len(few)
    for i in range(8):
        api.get(
            rows_url(licences.code),
            {"limit": 1, "fields": ["licence_no", "phone", "operator_name"][i % 3]},
        )
    with django_assert_max_num_queries(few_count):
        response = client.get(reverse("exchange:reads"))
    assert len(response.context["page_obj"]) == 4


# --- the citizen -------------------------------------------------------------------------------


def test_citizen_sees_exchange_reads_and_staff_reveals_in_one_list(
    client, api, licences, citizen, admin_scj, grant
):
    privacy.record_disclosure(
        actor=admin_scj,
        obj=licences,
        field="phone",
        purpose="contact",
        reason="电话核实经营地址",
        subject=citizen,
        object_label="JY144142200000",
    )
    api.get(rows_url(licences.code, "JY144142200000"), {"fields": "licence_no,holder_name"})
    api.get(rows_url(licences.code, "JY144142200003"))  # someone else's licence
    client.force_login(citizen)
    response = client.get(reverse("privacy:mine"))
    rows = list(response.context["page_obj"])
    assert [(r.channel, r.department) for r in rows] == [
        ("exchange", "大埔县民政局"),
        ("reveal", "大埔县市场监督管理局"),
    ]
    read = rows[0]
    assert read.reason == grant.purpose and read.object_label == "食品经营许可信息"
    assert read.field_name == "许可证编号、负责人姓名"
    html = response.content.decode()
    assert 'data-channel="exchange"' in html and "电话核实经营地址" in html


def test_another_citizen_does_not_see_it(client, api, licences):
    api.get(rows_url(licences.code, "JY144142200000"))
    other = build.make_citizen(
        "wangfang", real_name="王芳", id_number="440524198001010013", phone="13700001111"
    )
    client.force_login(other)
    assert list(client.get(reverse("privacy:mine")).context["page_obj"]) == []


def test_citizen_list_pages_in_a_fixed_number_of_queries(client, api, licences, citizen):
    api.get(rows_url(licences.code, "JY144142200000"))
    client.force_login(citizen)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("privacy:mine"))
    few_count = len(few)  # read now: the API calls below reset Django's query log
    for _ in range(4):
        api.get(rows_url(licences.code), {"limit": 1})
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("privacy:mine"))
    assert len(list(response.context["page_obj"])) == 5
    assert len(many) == few_count
