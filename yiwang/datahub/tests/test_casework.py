"""Shared data standing in for a material (免提交): the applicant's record in a published base
registry, found by their resident ID number, satisfies a material that names its item."""

import pytest

from yiwang.audit.models import AuditEntry
from yiwang.cases.material_sources import Applicant, Found
from yiwang.catalog.models import Material, Replaceable
from yiwang.datahub import actions, casework

LIMEI = "11010519491231002X"


@pytest.fixture
def population(make_resource, admin_scj, authority, django_capture_on_commit_callbacks):
    resource = make_resource(
        name="人口基础信息",
        classification="101",
        items=[
            {
                "name": "公民身份号码",
                "column": "id_number",
                "data_type": "string",
                "max_length": 18,
                "grade": "g4",
                "mask": "id_number",
                "personal": True,
            },
            {"name": "户籍地址", "column": "domicile", "data_type": "string", "grade": "g3"},
        ],
        key_item="id_number",
    )
    actions.submit(actor=admin_scj, resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    actions.load_rows(
        actor=admin_scj,
        resource=resource,
        rows=[
            {"id_number": LIMEI, "domicile": "大埔县湖寮镇同仁路1号"},
            {"id_number": "110105198001011238", "domicile": ""},
        ],
    )
    return resource


def material(replaced_by: str) -> Material:
    return Material(name="居民户口簿", replaceable_by=Replaceable.SHARED, replaced_by=replaced_by)


def test_the_applicants_record_satisfies_the_material(population):
    found = casework.find(material(f"{population.code}.domicile"), Applicant(LIMEI, "李梅"))
    assert isinstance(found, Found)
    assert found.kind == Replaceable.SHARED and found.reference == f"{population.code}.domicile"
    assert "人口基础信息" in found.label and "大埔县湖寮镇" not in found.label  # no value shown


@pytest.mark.parametrize(
    "replaced_by, code",
    [
        ("{code}.domicile", "440524199001010011"),  # no record of this person
        ("{code}.domicile", "110105198001011238"),  # a record, the item empty
        ("{code}.domicile", "not an id"),  # not the key's type: no lookup at all
        ("{code}.no_such_item", LIMEI),
        ("999999.domicile", LIMEI),  # no such resource
        ("{code}", LIMEI),  # no item named
    ],
)
def test_nothing_found_asks_for_the_upload(population, replaced_by, code):
    source = material(replaced_by.format(code=population.code))
    assert casework.find(source, Applicant(code, "某人")) is None


def test_a_withdrawn_resource_is_no_source(population, authority):
    actions.withdraw(actor=authority, resource=population, reasons="数据停止更新")
    assert casework.find(material(f"{population.code}.domicile"), Applicant(LIMEI, "李梅")) is None


def test_each_use_is_audited_with_the_case(population):
    class Case:
        number, department_id = "4414222026120600000001", 1

    source = material(f"{population.code}.domicile")
    casework.record_use(Case(), source, casework.find(source, Applicant(LIMEI, "李梅")))
    entry = AuditEntry.objects.get(action="datahub.case_use")
    assert entry.summary["after"]["case"] == Case.number
    assert entry.summary["after"]["item"] == "domicile"
