"""The demo's base registries and open datasets: after ``load_demo`` the population registry
holds every demo citizen under their own ID number and name, every generated code is valid,
the open datasets have rows, and loading again changes nothing."""

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from yiwang.datahub.hub import read
from yiwang.datahub.models import Resource
from yiwang.demo import datafiles, loader, open_figures, registries
from yiwang.demo import orgs as org_data
from yiwang.demo.people import CITIZENS, ENTERPRISE_AGENT, ENTERPRISES
from yiwang.demo.regions import TOWNS

pytestmark = pytest.mark.django_db

OPEN_WITH_ROWS = [registries.LEGAL_ENTITIES, registries.FOOD_LICENCES, *open_figures.NAMES]
#: 大埔县 lies within these bounds (longitude, latitude).
DABU = ((116.2, 117.1), (24.0, 24.8))


def test_data_file_is_described_and_consistent():
    data = datafiles.read("registries")
    assert data["about"].strip()
    for spec in data["licences"]:
        assert spec["issuer"] in org_data.DEPARTMENTS, spec["name"]
        assert len(registries.licence_type_code(spec)) <= 30
    assert set(data["towns"]) == {code for code, _name in TOWNS}
    for credit in data["credit"]:
        assert credit["authority"] in org_data.DEPARTMENTS


def test_generated_people_and_entities_are_valid_and_seeded():
    people = registries.people()
    assert len(people) == registries.PERSONS["count"]
    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        assert ric.is_valid(person.id_number), person.id_number
        assert dt.date(1940, 1, 1) <= person.birth_date <= dt.date(2010, 12, 31)
        assert (int(person.id_number[16]) % 2 == 0) == (person.sex == "女")
    born_lately = [p for p in people if not p.demo and p.birth_date.year >= 1988]
    assert born_lately and all(p.id_number.startswith("441422") for p in born_lately)
    entities = registries.entities(people)
    assert len(entities) == registries.ENTITIES["count"]
    assert all(uscc.is_valid(e.uscc) for e in entities)
    assert len({e.name for e in entities}) == len(entities)
    # the same on every run
    assert [p.id_number for p in registries.people()] == [p.id_number for p in people]


def test_open_figures_cover_twelve_months_and_stay_inside_dabu():
    today = dt.date(2026, 12, 6)
    window = open_figures.months(today)
    assert len(window) == 12 and window[0] == dt.date(2026, 1, 1)
    assert window[-1] == dt.date(2026, 12, 1)
    rows = open_figures.hotline_rows(today)
    assert len(rows) == 12 * 5
    assert {r["stat_month"] for r in rows} == {f"2026-{m:02d}" for m in range(1, 13)}
    assert open_figures.hotline_rows(today) == rows  # seeded
    licence_rows = open_figures.licence_stat_rows(today, registries.LICENCES)
    assert len(licence_rows) == 12 * len(registries.LICENCES)
    assert all(r["valid_total"] > 0 for r in licence_rows)


def test_load_demo_fills_the_registries_and_the_open_datasets(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = loader.load_demo()
    population = Resource.objects.get(name=registries.POPULATION)
    assert read.count(population) == registries.PERSONS["count"]
    for _username, name, _sex, id_number, _phone, _town in (*CITIZENS, ENTERPRISE_AGENT):
        row = read.lookup(population, id_number)
        assert row is not None, name
        assert row["real_name"] == name and row["household_status"] == "正常"
    for row in read.iterate(population, ["id_number"]):
        assert ric.is_valid(row["id_number"]), row["id_number"]

    entities = Resource.objects.get(name=registries.LEGAL_ENTITIES)
    for spec in ENTERPRISES:
        row = read.lookup(entities, spec["uscc"])
        assert row["entity_name"] == spec["name"]
        assert row["legal_representative"] == spec["legal_representative"]
    assert all(uscc.is_valid(r["uscc"]) for r in read.iterate(entities, ["uscc"]))

    licences = Resource.objects.get(name=registries.LICENCE_INDEX)
    held = {r["holder_code"] for r in read.iterate(licences, ["holder_code"])}
    assert {c[3] for c in CITIZENS} <= held
    assert ENTERPRISES[0]["uscc"] in held
    assert read.count(Resource.objects.get(name=registries.CREDIT_RECORDS)) >= 5

    for name in OPEN_WITH_ROWS:
        assert read.count(Resource.objects.get(name=name)) > 0, name
    sites = Resource.objects.get(name=open_figures.SITES)
    for row in read.iterate(sites, ["longitude", "latitude"]):
        assert DABU[0][0] < row["longitude"] < DABU[0][1]
        assert DABU[1][0] < row["latitude"] < DABU[1][1]
    hall_names = {r["site_name"] for r in read.iterate(sites, ["site_name"])}
    assert {h["name"] for h in org_data.HALLS.values()} <= hall_names
    # every published service item, every month of the last year
    items = read.count(Resource.objects.get(name=open_figures.ITEM_STATS))
    assert items == counts["registries_item_stats"] and items % open_figures.MONTHS == 0

    again = registries.load_registries(loader.ensure_admin()[0])
    assert set(again.values()) == {0}


def test_load_demo_gives_the_registries_quality_rules_and_a_run(
    django_capture_on_commit_callbacks,
):
    from yiwang.demo import quality
    from yiwang.quality.models import QualityRule, QualityRun

    with django_capture_on_commit_callbacks(execute=True):
        counts = loader.load_demo()
    assert counts["quality_runs"] == len(quality.REGISTRIES)
    population = Resource.objects.get(name=registries.POPULATION)
    assert QualityRule.objects.filter(resource=population, column="id_number").exists()
    run = QualityRun.objects.get(resource=population)
    assert run.status == "done" and run.rows_checked == registries.PERSONS["count"]
    # the demo's ID numbers are all valid: nothing to report on them
    assert run.issue_total == 0
    with django_capture_on_commit_callbacks(execute=True):
        again = quality.load_quality(loader.ensure_admin()[0])
    assert again == {"rules": 0, "runs": 0}
