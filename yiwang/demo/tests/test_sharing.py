"""The demo data sharing loads after the demo catalogue, idempotently, through the actions:
one granted request, one waiting for the provider, one refused with reasons."""

import pytest

from yiwang.audit.models import AuditEntry
from yiwang.datahub.models import Grant, SharingRequest
from yiwang.demo import datafiles, loader
from yiwang.demo import orgs as org_data
from yiwang.demo.datahub import RESOURCES, load_datahub
from yiwang.demo.sharing import REQUESTS, load_sharing

pytestmark = pytest.mark.django_db


def test_data_file_is_described_and_consistent():
    data = datafiles.read("sharing")
    assert data["about"].strip()
    resources = {r["name"]: r for r in RESOURCES}
    for spec in REQUESTS:
        assert spec["consumer"] in org_data.DEPARTMENTS
        columns = {i["column"] for i in resources[spec["resource"]]["items"]}
        assert set(spec["fields"]) <= columns, spec["resource"]
    assert {s["outcome"] for s in REQUESTS} == {"granted", "provider", "refused"}


def test_demo_loads_idempotently(django_capture_on_commit_callbacks):
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    with django_capture_on_commit_callbacks(execute=True):
        load_datahub(admin)
    assert load_sharing(admin) == {"requests": 3, "granted": 1}
    assert load_sharing(admin) == {"requests": 0, "granted": 0}
    grant = Grant.objects.get()
    assert grant.consumer.short_name == "县民政局"
    assert grant.resource.name == "人口基础信息"
    assert grant.fields == ["id_number", "real_name"] and grant.daily_quota == 2000
    assert grant.granted_by.username == "admin_gaj"
    statuses = dict(SharingRequest.objects.values_list("resource__name", "status"))
    assert statuses == {
        "人口基础信息": "granted",
        "不动产登记信息": "provider",
        "社会保险参保信息": "refused",
    }
    refused = SharingRequest.objects.get(status="refused")
    assert "不予共享" in refused.reasons
    assert AuditEntry.objects.filter(action="datahub.request_submit").count() == 3
