"""The demo data catalogue loads on top of the kernel demo, idempotently, through the
actions: published base registries and department resources, one waiting for review, one
draft; search finds them by item names."""

import pytest

from yiwang.audit.models import AuditEntry
from yiwang.datahub import queries
from yiwang.datahub.models import Resource, ResourceVersion
from yiwang.demo import datafiles, loader
from yiwang.demo import orgs as org_data
from yiwang.demo.datahub import RESOURCES, load_datahub
from yiwang.search import api as search_api

pytestmark = pytest.mark.django_db


def test_data_file_is_described_and_consistent():
    data = datafiles.read("datahub")
    assert data["about"].strip()
    names = []
    for spec in RESOURCES:
        assert spec["provider"] in org_data.DEPARTMENTS, spec["name"]
        assert all(name in names for name in spec.get("related", [])), spec["name"]
        assert spec["key_item"] in {i["column"] for i in spec["items"]}, spec["name"]
        if spec["sharing_type"] != "unconditional":
            assert "《" in spec["legal_basis"], spec["name"]
        names.append(spec["name"])
    assert {s["status"] for s in RESOURCES} == {"published", "submitted", "draft"}


def test_demo_loads_idempotently(django_capture_on_commit_callbacks):
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    loader.load_people(admin)
    with django_capture_on_commit_callbacks(execute=True):
        first = load_datahub(admin)
    assert first == {"resources": len(RESOURCES), "published": len(RESOURCES) - 2}
    assert load_datahub(admin) == {"resources": 0, "published": 0}
    assert Resource.objects.count() == len(RESOURCES)
    assert ResourceVersion.objects.count() == len(RESOURCES) - 2
    population = Resource.objects.get(name="人口基础信息")
    assert population.code == "101001" and population.provider.short_name == "县公安局"
    assert population.key_item.column == "id_number"
    assert population.items.get(column="id_number").personal
    food = Resource.objects.get(name="食品经营许可信息")
    assert set(food.related.values_list("name", flat=True)) == {
        "法人单位基础信息",
        "电子证照目录信息",
    }
    assert Resource.objects.get(name="建筑工程施工许可信息").status == "submitted"
    assert Resource.objects.get(name="特困人员救助供养信息").status == "draft"
    assert AuditEntry.objects.filter(action="datahub.publish").count() == len(RESOURCES) - 2
    # the authority's review queue is not empty, and search finds a resource by an item
    assert [r.name for r in queries.review_queue(admin)] == ["建筑工程施工许可信息"]
    hits = search_api.find("公民身份号码", kind="data_resource", public_only=False).hits
    assert "101001" in [h.key for h in hits]
