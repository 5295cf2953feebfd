"""Pages: who gets in (provider admin and authority; other departments, clerks, citizens and
anonymous visitors do not), the rule forms, runs, issue pages and exports, the score on the
catalogue page, the scores list, and query counts that do not grow with the rows."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from yiwang.quality import actions
from yiwang.quality.choices import RuleKind
from yiwang.quality.models import QualityRule, QualityRun

from .conftest import licence_row, write

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def ran(resource, actor, run_tasks, rows, *rules) -> QualityRun:
    write(resource, rows)
    for kind, column, params in rules:
        actions.create_rule(actor=actor, resource=resource, kind=kind, column=column, params=params)
    with run_tasks():
        run = actions.request_run(actor=actor, resource=resource)
    run.refresh_from_db()
    return run


@pytest.fixture
def scored(licences, admin_scj, run_tasks):
    rows = [licence_row(i, status="吊销" if i % 2 else "有效") for i in range(6)]
    return ran(
        licences,
        admin_scj,
        run_tasks,
        rows,
        (RuleKind.ENUM, "status", {"values": ["有效"]}),
        (RuleKind.NOT_NULL, "licence_no", {}),
    )


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen"])
def test_outsiders_are_refused_every_page(client, licences, scored, who, request):
    user = request.getfixturevalue(who)
    code = licences.code
    rule = QualityRule.objects.first()
    for url in (
        reverse("quality:resource", args=[code]),
        reverse("quality:detect", args=[code]),
        reverse("quality:edit_rule", args=[rule.pk]),
        reverse("quality:run", args=[scored.pk]),
        reverse("quality:export_run", args=[scored.pk]),
    ):
        assert get(client, user, url).status_code == 403, url
    for url in (
        reverse("quality:detect", args=[code]),
        reverse("quality:add_rule", args=[code]),
        reverse("quality:run_now", args=[code]),
        reverse("quality:accept_suggestions", args=[code]),
        reverse("quality:delete_rule", args=[rule.pk]),
    ):
        assert client.post(url, {"kind": "not_null", "column": "phone"}).status_code == 403, url
    assert QualityRule.objects.count() == 2
    assert QualityRun.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, licences):
    response = client.get(reverse("quality:resource", args=[licences.code]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("quality:index")).status_code == 302


def test_the_scores_list_is_for_admins_and_the_authority(
    client, scored, licences, authority, admin_scj, admin_mzj, clerk, citizen
):
    url = reverse("quality:index")
    assert licences.code in get(client, authority, url).content.decode()
    assert licences.code in get(client, admin_scj, url).content.decode()
    assert licences.code not in get(client, admin_mzj, url).content.decode()
    assert get(client, clerk, url).status_code == 403
    assert get(client, citizen, url).status_code == 403


# --- the resource's quality page -------------------------------------------------------------


def test_the_provider_admin_sees_rules_suggestions_and_the_latest_score(
    client, licences, scored, admin_scj
):
    html = get(client, admin_scj, reverse("quality:resource", args=[licences.code])).content
    html = html.decode()
    assert 'data-rule="enum:status"' in html and 'data-testid="suggestions"' in html
    assert 'value="id_number:legal_rep_id"' in html
    assert 'data-dimension="validity"' in html and "50.0" in html


def test_a_draft_gets_no_rules_until_it_is_published(client, draft, admin_scj):
    html = get(client, admin_scj, reverse("quality:resource", args=[draft.code])).content
    html = html.decode()
    assert 'data-testid="not-published"' in html and 'data-testid="add-rule"' not in html
    client.post(
        reverse("quality:add_rule", args=[draft.code]), {"kind": "not_null", "column": "phone"}
    )
    assert not QualityRule.objects.exists()


def test_a_rule_is_added_through_the_form(client, licences, admin_scj):
    client.force_login(admin_scj)
    response = client.post(
        reverse("quality:add_rule", args=[licences.code]),
        {"kind": "range", "column": "staff_count", "min": "1", "max": "999"},
    )
    assert response.status_code == 302
    assert QualityRule.objects.get().params == {"min": "1", "max": "999"}


def test_a_bad_rule_shows_its_error_next_to_the_field(client, licences, admin_scj):
    client.force_login(admin_scj)
    with translation.override("en"):
        response = client.post(
            reverse("quality:add_rule", args=[licences.code]),
            {"kind": "regex", "column": "phone", "pattern": "(unclosed"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert "Not a valid regular expression" in response.content.decode()
    assert 'value="(unclosed"' in response.content.decode()
    assert not QualityRule.objects.exists()


def test_suggestions_are_accepted_from_the_page(client, licences, admin_scj):
    client.force_login(admin_scj)
    client.post(
        reverse("quality:accept_suggestions", args=[licences.code]),
        {"suggestion": ["not_null:licence_no", "uscc:uscc"]},
    )
    assert set(QualityRule.objects.values_list("kind", "column")) == {
        ("not_null", "licence_no"),
        ("uscc", "uscc"),
    }


def test_a_rule_is_changed_and_deleted_through_the_pages(client, scored, admin_scj):
    rule = QualityRule.objects.get(kind="enum")
    client.force_login(admin_scj)
    url = reverse("quality:edit_rule", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"column": "status", "values": "有效\n吊销"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"values": ["有效", "吊销"]}
    response = client.post(url, {"column": "status", "values": ""})
    assert response.status_code == 400
    client.post(reverse("quality:delete_rule", args=[rule.pk]))
    assert not QualityRule.objects.filter(pk=rule.pk).exists()


def test_run_now_queues_and_shows_the_run(client, licences, admin_scj, run_tasks):
    write(licences, [licence_row(1)])
    actions.create_rule(
        actor=admin_scj, resource=licences, kind=RuleKind.NOT_NULL, column="licence_no"
    )
    client.force_login(admin_scj)
    with run_tasks():
        response = client.post(reverse("quality:run_now", args=[licences.code]))
    run = QualityRun.objects.get()
    assert response["Location"] == reverse("quality:run", args=[run.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="run-scores"' in html


# --- runs, issues and exports ----------------------------------------------------------------


def test_the_issue_list_is_paged_and_filtered(client, scored, admin_scj):
    url = reverse("quality:run", args=[scored.pk])
    html = get(client, admin_scj, url).content.decode()
    assert html.count("JY1441422") >= 3 and 'data-testid="export-csv"' in html
    html = get(client, admin_scj, url, kind="not_null").content.decode()
    assert 'data-testid="issues"' not in html


def test_issues_export_as_csv_and_excel(client, scored, admin_scj):
    url = reverse("quality:export_run", args=[scored.pk])
    response = get(client, admin_scj, url, format="csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 1 + 3 and lines[1][0].startswith("JY1441422")
    response = get(client, admin_scj, url, format="xlsx")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "吊销" in archive.read("xl/worksheets/sheet1.xml").decode()


def test_list_pages_do_not_query_per_row(
    client, licences, entities, admin_scj, authority, run_tasks, django_assert_max_num_queries
):
    run = ran(
        licences,
        admin_scj,
        run_tasks,
        [licence_row(i, status="吊销") for i in range(60)],
        (RuleKind.ENUM, "status", {"values": ["有效"]}),
    )
    client.force_login(authority)
    pages = [
        reverse("quality:run", args=[run.pk]),
        reverse("quality:resource", args=[licences.code]),
        reverse("quality:index"),
    ]
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few)
    # More runs, rules and scored resources: the same number of queries.
    for _ in range(3):
        with run_tasks():
            actions.request_run(actor=admin_scj, resource=licences)
    actions.create_rule(actor=admin_scj, resource=licences, kind=RuleKind.NOT_NULL, column="phone")
    ran(entities, admin_scj, run_tasks, [], (RuleKind.NOT_NULL, "entity_name", {}))
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_detection_page_highlights_differences(client, licences, admin_scj):
    write(licences, [licence_row(i) for i in range(10)])
    url = reverse("quality:detect", args=[licences.code])
    client.force_login(admin_scj)
    assert client.get(url)["Location"] == reverse("quality:resource", args=[licences.code])
    html = client.post(url).content.decode()
    assert 'data-column="phone" data-differs="1"' in html
    assert (
        'data-column="legal_rep_id"' in html
        and 'data-column="legal_rep_id" data-differs' not in html
    )
    assert reverse("datahub:resource", args=[licences.code]) in html  # revise to change grades


# --- the catalogue page ----------------------------------------------------------------------


def test_the_catalogue_page_shows_the_latest_score(client, licences, scored, admin_scj, admin_mzj):
    url = reverse("datahub:resource", args=[licences.code])
    html = get(client, admin_scj, url).content.decode()
    assert 'data-testid="quality-card"' in html and 'data-testid="quality-link"' in html
    assert f'data-score="{scored.score:.2f}"' in html
    html = get(client, admin_mzj, url).content.decode()
    assert 'data-testid="quality-card"' in html and 'data-testid="quality-link"' not in html


def test_the_catalogue_page_offers_quality_to_managers_before_any_run(
    client, licences, admin_scj, admin_mzj
):
    url = reverse("datahub:resource", args=[licences.code])
    assert 'data-testid="quality-link"' in get(client, admin_scj, url).content.decode()
    assert 'data-testid="quality-card"' not in get(client, admin_mzj, url).content.decode()
