# ruff: noqa: F811  (fixtures imported from sharing_fixtures are used as arguments)
"""Sharing pages: the form from the resource page, the request page and its actions, queues,
grants, the resource's consumers; scope (others answer 404) and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from yiwang.datahub.actions import sharing
from yiwang.datahub.models import SharingRequest
from yiwang.datahub.sharing.models import GrantStatus, RequestStatus
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER

from .sharing_fixtures import (  # noqa: F401  (fixtures)
    CONDITIONAL,
    UNCONDITIONAL,
    admin_zjj,
    shared,
    zjj,
)

pytestmark = pytest.mark.django_db


def period() -> dict:
    today = timezone.localdate()
    return {"period_start": today, "period_end": today + datetime.timedelta(days=300)}


@pytest.fixture
def request_now(shared, admin_mzj):
    def make(fields=None, actor=None):
        return sharing.submit_request(
            actor=actor or admin_mzj,
            resource=shared,
            fields=fields or UNCONDITIONAL,
            purpose="低保资格核查",
            scenario="低保审核",
            legal_basis="《社会救助暂行办法》",
            **period(),
        )

    return make


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def form_data(**overrides) -> dict:
    p = period()
    data = {
        "fields": UNCONDITIONAL,
        "purpose": "低保资格核查",
        "scenario": "低保审核时查询",
        "legal_basis": "《社会救助暂行办法》",
        "period_start": p["period_start"].isoformat(),
        "period_end": p["period_end"].isoformat(),
    }
    data.update(overrides)
    return data


# --- the resource page and the form --------------------------------------------------------


def test_resource_page_offers_the_request_to_other_departments_admins(
    client, shared, admin_mzj, admin_scj, reviewer_scj, authority
):
    url = reverse("datahub:resource", args=[shared.code])
    assert 'data-testid="request-sharing"' in get(client, admin_mzj, url).content.decode()
    for user in (admin_scj, reviewer_scj, authority):
        assert 'data-testid="request-sharing"' not in get(client, user, url).content.decode()


def test_form_shows_items_with_blocked_ones_disabled(client, shared, admin_mzj):
    with translation.override("en"):
        html = get(client, admin_mzj, reverse("datahub:request_new", args=[shared.code]))
    text = html.content.decode()
    assert html.status_code == 200
    assert 'value="internal_note" disabled' in text and 'value="bank_no" disabled' in text
    assert 'value="licence_no">' in text
    assert "not shared: cannot be requested" in text


def test_form_submits_and_redirects_to_the_request(client, shared, admin_mzj):
    client.force_login(admin_mzj)
    response = client.post(reverse("datahub:request_new", args=[shared.code]), form_data())
    made = SharingRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/data/requests/{made.pk}/"
    assert made.fields == UNCONDITIONAL


def test_form_errors_are_shown_and_nothing_is_written(client, shared, admin_mzj):
    client.force_login(admin_mzj)
    with translation.override("en"):
        response = client.post(
            reverse("datahub:request_new", args=[shared.code]),
            form_data(fields=["bank_no"], purpose="", period_end="not a date"),
        )
    text = response.content.decode()
    assert response.status_code == 422
    assert "银行账号 is hidden" in text
    assert "Say what the data will be used for." in text
    assert "Give the last day the data is needed." in text
    assert not SharingRequest.objects.exists()


def test_form_is_refused_to_the_provider_and_non_admins(
    client, shared, admin_scj, reviewer_scj, citizen
):
    url = reverse("datahub:request_new", args=[shared.code])
    assert get(client, admin_scj, url).status_code == 403
    assert get(client, reviewer_scj, url).status_code == 403
    assert get(client, citizen, url).status_code == 403


def test_form_of_a_draft_answers_404(client, draft, admin_mzj):
    assert (
        get(client, admin_mzj, reverse("datahub:request_new", args=[draft.code])).status_code == 404
    )


# --- the request page and its actions ------------------------------------------------------


def test_full_conditional_flow_through_the_pages(
    client, request_now, authority, admin_scj, admin_mzj
):
    request = request_now(CONDITIONAL)
    url = reverse("datahub:request", args=[request.pk])
    page = get(client, authority, url).content.decode()
    assert 'data-testid="review-approve"' in page
    client.post(reverse("datahub:request_review", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVIDER

    page = get(client, admin_scj, url).content.decode()
    assert 'data-testid="decide-grant"' in page
    client.post(
        reverse("datahub:request_decide", args=[request.pk]),
        {"decision": "refuse", "reasons": "身份证号码不宜共享"},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED

    page = get(client, admin_mzj, url).content.decode()
    assert 'data-testid="dispute"' in page
    client.post(reverse("datahub:request_dispute", args=[request.pk]), {"reasons": "确需核验"})
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPUTED

    client.force_login(authority)
    client.post(
        reverse("datahub:request_coordinate", args=[request.pk]),
        {
            "decision": "grant",
            "reasons": "经协调同意",
            "fields_shown": "1",
            "fields": ["operator_name"],
            "daily_quota": "200",
        },
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED
    assert request.grant.fields == ["operator_name"] and request.grant.daily_quota == 200

    client.force_login(admin_scj)
    client.post(reverse("datahub:grant_revoke", args=[request.grant.pk]), {"reasons": "停止共享"})
    request.grant.refresh_from_db()
    assert request.grant.status == GrantStatus.REVOKED


def test_bad_decision_input_is_reported_not_written(client, request_now, authority):
    request = request_now()
    client.force_login(authority)
    with translation.override("en"):
        response = client.post(
            reverse("datahub:request_review", args=[request.pk]),
            {"decision": "refuse", "reasons": ""},
            follow=True,
        )
    assert "Say why the request does not conform." in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.REVIEW


def test_malformed_quota_is_a_field_error(client, request_now, authority, admin_scj):
    request = request_now(CONDITIONAL)
    sharing.review_request(actor=authority, request=request, approve=True)
    client.force_login(admin_scj)
    client.post(
        reverse("datahub:request_decide", args=[request.pk]),
        {"decision": "grant", "daily_quota": "lots", "expires_on": "2020-01-01"},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVIDER


def test_actions_of_others_are_forbidden(client, request_now, admin_mzj, admin_scj):
    request = request_now()
    client.force_login(admin_mzj)
    response = client.post(
        reverse("datahub:request_review", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    client.force_login(admin_scj)
    response = client.post(reverse("datahub:request_withdraw", args=[request.pk]))
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.REVIEW


# --- scope ---------------------------------------------------------------------------------


def test_scope_of_requests_and_grants(
    client, request_now, authority, admin_scj, admin_mzj, admin_zjj, reviewer_scj, citizen
):
    request = request_now()
    sharing.review_request(actor=authority, request=request, approve=True)
    detail = reverse("datahub:request", args=[request.pk])
    for user in (authority, admin_scj, admin_mzj, reviewer_scj):
        assert get(client, user, detail).status_code == 200
    assert get(client, admin_zjj, detail).status_code == 404
    assert get(client, citizen, detail).status_code == 403
    for url in (reverse("datahub:requests") + "?side=all", reverse("datahub:grants")):
        assert f"#{request.pk}" not in get(client, admin_zjj, url).content.decode()
    grant = request.grant
    assert (
        f'data-grant="{grant.pk}"'
        in get(client, admin_mzj, reverse("datahub:grants")).content.decode()
    )
    provider_side = reverse("datahub:grants") + "?side=provider"
    assert f'data-grant="{grant.pk}"' in get(client, admin_scj, provider_side).content.decode()
    assert f'data-grant="{grant.pk}"' not in get(client, admin_mzj, provider_side).content.decode()
    client.force_login(admin_zjj)
    response = client.post(reverse("datahub:grant_revoke", args=[grant.pk]), {"reasons": "x"})
    assert response.status_code == 404


def test_resource_page_lists_its_consumers(
    client, request_now, shared, authority, admin_scj, admin_zjj
):
    request = request_now()
    sharing.review_request(actor=authority, request=request, approve=True)
    url = reverse("datahub:resource", args=[shared.code])
    page = get(client, admin_scj, url).content.decode()
    assert 'data-testid="consumers"' in page and "大埔县民政局" in page
    assert 'data-testid="consumers"' not in get(client, admin_zjj, url).content.decode()
    sharing.revoke_grant(actor=admin_scj, grant=request.grant, reasons="停止")
    assert 'data-testid="consumers"' not in get(client, admin_scj, url).content.decode()


def test_queues(client, request_now, authority, admin_scj, admin_mzj):
    first = request_now(CONDITIONAL)
    sharing.review_request(actor=authority, request=first, approve=True)
    review = reverse("datahub:sharing_review")
    decide = reverse("datahub:sharing_decide")
    assert f"#{first.pk}" not in get(client, authority, review).content.decode()
    assert f"#{first.pk}" in get(client, admin_scj, decide).content.decode()
    assert f"#{first.pk}" not in get(client, admin_mzj, decide).content.decode()
    assert get(client, admin_scj, review).status_code == 403
    assert get(client, authority, decide).status_code == 403


# --- query counts --------------------------------------------------------------------------


def uscc_for(n: int) -> str:
    """A valid unified social credit code (GB 32100 check digit) for test department ``n``."""
    from stdnum.cn import uscc

    body = f"11441422{n:09d}"
    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    "url",
    [
        "/data/requests/?side=about",
        "/data/requests/?side=all",
        "/data/sharing/decide/",
        "/data/grants/?side=provider",
        "RESOURCE",
    ],
)
def test_lists_do_not_query_per_row(client, shared, admin_scj, authority, places, depts, url):
    from yiwang.orgs import actions as orgs

    if url == "RESOURCE":
        url = reverse("datahub:resource", args=[shared.code])

    def add(n: int, offset: int) -> None:
        for i in range(n):
            key = f"t{offset + i}"
            dept = orgs.create_department(
                actor=BUILDER,
                name=f"大埔县测试局{key}",
                short_name=f"测试局{key}",
                uscc=uscc_for(offset + i),
                region=places["county"],
            )
            admin = build.make_staff(BUILDER, f"admin_{key}", "dept_admin", dept, places["county"])
            made = sharing.submit_request(
                actor=admin,
                resource=shared,
                fields=CONDITIONAL if i % 2 else UNCONDITIONAL,
                purpose="核查",
                scenario="核查",
                legal_basis="依据",
                **period(),
            )
            sharing.review_request(actor=authority, request=made, approve=True)

    add(2, 0)
    client.force_login(admin_scj)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(6, 10)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
