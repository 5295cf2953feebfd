"""The demo data files refer to each other consistently (no database needed).

The data used to be Python literals, where a wrong key failed at import; these checks keep
that safety now that it is JSON.
"""

import json

import pytest

from yiwang.catalog.themes import read_standard_themes
from yiwang.demo import datafiles, items, knowledge, people
from yiwang.demo import orgs as org_data
from yiwang.demo import regions as region_data

FILES = ["regions", "orgs", "people", "items", "knowledge", "hotline", "grid"]
REGIONS = {code for code, *_ in region_data.all_regions()}
STANDARD_THEMES = {spec["code"] for spec in read_standard_themes()}


def _leaves(nodes):
    for node in nodes:
        if "children" in node:
            yield from _leaves(node["children"])
        else:
            yield node


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_described_and_read_once(name):
    data = datafiles.read(name)
    assert isinstance(data, dict) and data["about"].strip(), name
    assert datafiles.read(name) is data
    text = (datafiles.DATA_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert json.loads(text) == data


def test_people_and_orgs_name_existing_departments_halls_and_regions():
    for spec in org_data.DEPARTMENTS.values():
        assert spec["region"] in REGIONS, spec["name"]
    for spec in org_data.HALLS.values():
        assert spec["region"] in REGIONS, spec["name"]
    for spec in people.STAFF:
        for post in spec["posts"]:
            assert post["department"] is None or post["department"] in org_data.DEPARTMENTS
            assert post["region"] in REGIONS, spec["username"]
            assert post["hall"] is None or post["hall"] in org_data.HALLS, spec["username"]
    for spec in people.DOMAIN_STAFF:
        assert spec["department"] in org_data.DEPARTMENTS and spec["region"] in REGIONS
    agents = {c[0] for c in people.CITIZENS} | {people.ENTERPRISE_AGENT[0]}
    for spec in people.ENTERPRISES:
        assert spec["agent"] in agents and spec["region"] in REGIONS, spec["name"]
    usernames = [s["username"] for s in people.STAFF] + [u for u, _ in people.DOMAIN_LOGINS]
    assert len(set(usernames)) == len(usernames)


def test_items_name_existing_departments_and_fields():
    data = datafiles.read("items")
    types = {code for code, _ in items.ITEM_TYPES}
    for item in data["items"]:
        assert item["dept"] in org_data.DEPARTMENTS, item["name"]
        assert item.get("competent", item["dept"]) in org_data.DEPARTMENTS, item["name"]
        assert item["type"] in types and item["type"] in data["default_procedure"]["decision"]
        for field in item["form"]:
            assert field in data["fields"] if isinstance(field, str) else "key" in field
        for step in item.get("process", ()):
            assert step.get("department", "scj") in org_data.DEPARTMENTS, item["name"]
        for material in item["materials"]:
            assert set(material) <= {"name", *data["material_defaults"]}, item["name"]
        assert set(item) - set(data["defaults"]) <= {
            "dept", "type", "main", "name", "legal_basis", "statutory", "promised", "materials",
            "form", "process", "procedure", "location", "competent", "aliases", "audience",
            "scope", "conditions", "depth", "visits", "channels", "county_wide", "kind", "fees",
            "fee_basis", "cross_region", "themes",
        }, item["name"]  # fmt: skip
        assert set(item.get("themes", ())) <= STANDARD_THEMES, item["name"]
    names = [spec["name"] for spec in items.ITEMS]
    assert len(set(names)) == len(names)
    assert len({items._code(spec) for spec in items.ITEMS}) == len(items.ITEMS)


def test_knowledge_links_existing_categories_and_items():
    categories = {c["name"] for c in datafiles.read("knowledge")["categories"]}
    item_names = {spec["name"] for spec in items.ITEMS}
    for spec in knowledge.ARTICLES:
        assert spec["category"] in categories, spec["title"]
        assert set(spec["items"]) <= item_names, spec["title"]
        assert "{" not in spec["answer"], spec["title"]  # every placeholder was filled in
    assert org_data.HALLS["county"]["address"] in "".join(a["answer"] for a in knowledge.ARTICLES)


def test_hotline_data_names_existing_categories_departments_regions_and_staff():
    data = datafiles.read("hotline")
    leaves = {leaf["code"] for leaf in _leaves(data["categories"])}

    def codes(nodes):
        for node in nodes:
            yield node["code"]
            yield from codes(node.get("children", ()))

    all_codes = list(codes(data["categories"]))
    assert len(set(all_codes)) == len(all_codes)
    for rule in data["dispatch"]:
        assert rule["category"] in all_codes and rule["region"] in REGIONS
        assert {rule["lead"], *rule["co"]} <= set(org_data.DEPARTMENTS)
    for ticket in data["tickets"]:
        assert ticket["category"] in leaves and ticket["region"] in REGIONS, ticket["content"]
    assert set(data["staff"]) <= {u for u, _ in people.DOMAIN_LOGINS}


def test_grid_data_names_existing_grids_departments_villages_and_staff():
    data = datafiles.read("grid")
    grids = {g["code"] for g in data["grids"]}
    for grid in data["grids"]:
        assert grid["village"] in REGIONS and len(grid["village"]) == 12, grid["code"]
    rows = data["components"] + data["places"] + data["devices"] + data["events"]
    rows += data["resident_requests"]
    for row in rows:
        assert row["grid"] in grids, row
        assert row.get("department") in (None, *org_data.DEPARTMENTS), row
    assert set(data["referrals"]["grids"]) <= grids
    assert set(data["grid_worker"]["grids"]) <= grids
    assert set(data["staff"]) | {data["grid_worker"]["username"]} <= {
        u for u, _ in people.DOMAIN_LOGINS
    }
