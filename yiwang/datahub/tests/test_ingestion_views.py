# ruff: noqa: F811  (fixtures imported from ingestion_fixtures are used as arguments)
"""Ingestion pages: the resource's "Data" panel, uploads, the job page with its progress and
report, failed-rows downloads, pull source forms — and who may see them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from yiwang.datahub.ingestion.models import Ingestion, IngestionStatus, PullSource
from yiwang.datahub.ingestion.runner import progress_key

from .ingestion_fixtures import (  # noqa: F401 - fixtures
    csv_upload,
    ingest,
    people_resource,
    people_rows,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _bad_rows(n: int = 6) -> list[list[str]]:
    rows = [list(r) for r in people_rows(n)]
    rows[2][4] = "not a day"
    rows[2][6] = "=1+2"
    rows[3][0] = rows[1][0]
    return rows


def test_the_providers_admin_sees_the_data_panel(client, people_resource, admin_scj, ingest):
    ingest(admin_scj, people_resource, csv_upload(people_rows(3)))
    client.force_login(admin_scj)
    page = client.get(reverse("datahub:resource", args=[people_resource.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="data-panel"' in html
    assert 'data-testid="row-count">3<' in html
    assert reverse("datahub:ingestion_upload", args=[people_resource.code]) in html
    assert 'data-testid="ingestions"' in html


def test_other_staff_see_no_data_panel(client, people_resource, admin_mzj, clerk):
    for user in (admin_mzj, clerk):
        client.force_login(user)
        page = client.get(reverse("datahub:resource", args=[people_resource.code]))
        assert page.status_code == 200
        assert 'data-testid="data-panel"' not in page.content.decode()


def test_an_upload_opens_the_job_page_with_its_report(
    client, people_resource, admin_scj, django_capture_on_commit_callbacks
):
    client.force_login(admin_scj)
    url = reverse("datahub:ingestion_upload", args=[people_resource.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": csv_upload(_bad_rows())})
    job = Ingestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("datahub:ingestion", args=[job.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="done"' in html
    assert 'data-count="created"><p class="stat-value">4<' in html
    assert 'data-count="failed"><p class="stat-value">2<' in html
    assert 'data-row="3"' in html and 'data-row="4"' in html
    assert "Same key as row 2" in html
    assert people_rows(6)[1][0] not in html  # the repeated ID number is shown masked only


def test_a_refused_upload_is_explained_on_the_resource_page(client, people_resource, admin_scj):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_scj)
    url = reverse("datahub:ingestion_upload", args=[people_resource.code])
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}, follow=True)
    assert "is not a CSV, Excel" in response.content.decode()
    assert not Ingestion.objects.exists()


def test_failed_rows_download_as_csv_and_excel(client, people_resource, admin_scj, ingest):
    job = ingest(admin_scj, people_resource, csv_upload(_bad_rows()))
    client.force_login(admin_scj)
    response = client.get(reverse("datahub:ingestion_failed", args=[job.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Row,Reasons,公民身份号码")
    response = client.get(reverse("datahub:ingestion_failed", args=[job.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["Row", "3", "4"]
    # What the file sent is never a formula in the downloads.
    assert rows[1][8] == "'=1+2"
    assert ",'=1+2" in text
    assert client.get(reverse("datahub:ingestion_failed", args=[job.pk, "pdf"])).status_code == 404


def test_a_running_job_shows_its_progress_and_the_page_polls(client, people_resource, admin_scj):
    job = Ingestion.objects.create(
        resource=people_resource,
        source="upload",
        file_name="people.csv",
        format="csv",
        status=IngestionStatus.RUNNING,
        rows_expected=200,
        rows_read=50,
        created=50,
    )
    client.force_login(admin_scj)
    url = reverse("datahub:ingestion", args=[job.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    assert 'value="25" max="100"' in page  # 50 of 200 rows
    from django.core.cache import cache

    cache.set(progress_key(job.pk), {"rows_read": 100, "rows_expected": 200, "created": 100})
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert 'value="50" max="100"' in poll.content.decode()
    Ingestion.objects.filter(pk=job.pk).update(status=IngestionStatus.DONE)
    cache.delete(progress_key(job.pk))
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 286  # htmx stops polling
    assert 'data-testid="ingestion-done"' in done.content.decode()


def test_errors_are_paged(client, people_resource, admin_scj, ingest):
    rows = [list(r) for r in people_rows(60)]
    for row in rows[1:]:
        row[4] = "later"
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    client.force_login(admin_scj)
    url = reverse("datahub:ingestion", args=[job.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert first.count("data-row=") == 50 and second.count("data-row=") == 10
    assert 'data-row="61"' in second


def test_others_cannot_see_or_start_loads(
    client, people_resource, admin_scj, admin_mzj, citizen, ingest
):
    job = ingest(admin_scj, people_resource, csv_upload(_bad_rows()))
    source = PullSource.objects.create(resource=people_resource, url="https://data.example/p")
    urls = [
        reverse("datahub:ingestion", args=[job.pk]),
        reverse("datahub:ingestion_failed", args=[job.pk, "csv"]),
        reverse("datahub:pull_new", args=[people_resource.code]),
        reverse("datahub:pull_edit", args=[source.pk]),
    ]
    posts = [
        reverse("datahub:ingestion_upload", args=[people_resource.code]),
        reverse("datahub:pull_run", args=[source.pk]),
        reverse("datahub:pull_disable", args=[source.pk]),
    ]
    for user in (admin_mzj, citizen):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
        for url in posts:
            assert client.post(url, {"file": csv_upload(people_rows(1))}).status_code == 403
    client.logout()
    for url in [*urls, *posts]:
        response = client.get(url) if url in urls else client.post(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert Ingestion.objects.count() == 1
    assert PullSource.objects.get().enabled


# A key no page could show by chance (CSRF tokens and other random strings have no hyphen).
KEY = "pull-key-0001"


def test_pull_sources_are_managed_from_their_forms(
    client, people_resource, admin_scj, django_capture_on_commit_callbacks
):
    client.force_login(admin_scj)
    new = reverse("datahub:pull_new", args=[people_resource.code])
    assert client.get(new).status_code == 200
    refused = client.post(new, {"url": "ftp://x.example/", "interval": "daily"})
    assert refused.status_code == 400 and "http://" in refused.content.decode()
    response = client.post(
        new,
        {
            "url": "http://127.0.0.1:9/people",
            "header_name": "X-Api-Key",
            "header_value": KEY,
            "rows_path": "data",
            "interval": "hourly",
        },
    )
    assert response.status_code == 302
    source = PullSource.objects.get()
    assert (source.header_value, source.interval, source.enabled) == (KEY, "hourly", True)
    edit = reverse("datahub:pull_edit", args=[source.pk])
    assert KEY not in client.get(edit).content.decode()  # the key is never shown back
    client.post(
        edit,
        {"url": source.url, "header_name": "X-Api-Key", "interval": "weekly", "enabled": "on"},
    )
    source.refresh_from_db()
    assert (source.header_value, source.interval) == (KEY, "weekly")
    with django_capture_on_commit_callbacks(execute=True):
        run = client.post(reverse("datahub:pull_run", args=[source.pk]))
    job = Ingestion.objects.get()
    assert run["Location"] == reverse("datahub:ingestion", args=[job.pk])
    assert job.status == IngestionStatus.FAILED and "cannot be reached" in job.message
    client.post(reverse("datahub:pull_disable", args=[source.pk]))
    source.refresh_from_db()
    assert not source.enabled
