"""Importing historical licences from Excel: the template, a good file (all issued, signed),
bad files (every bad row reported, nothing issued), the page and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from yiwang.audit.models import AuditEntry
from yiwang.licences import import_format, importing
from yiwang.licences.models import HolderKind, Licence, LicenceType, Status

pytestmark = pytest.mark.django_db
PAGE = "/licences/manage/import/"
HEADER = [
    "证照类型代码",
    "证照编号",
    "持证主体名称",
    "持证主体代码",
    "发证日期",
    "有效期起",
    "有效期至",
]
PERSON_TYPE = "11100000000013338W041"


def a_uscc(n: int) -> str:
    """A valid unified social credit code, a different one for each ``n``."""
    body = f"92441422MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def workbook(rows, extra=("经营场所",)) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "证照"
    ws.append([*HEADER, *extra])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def food_row(number, n, *, until="", place="湖寮镇大埔大道1号", code=None, type_code=None):
    return [
        type_code or "11100000000013338W032",
        number,
        f"大埔县第{n}饭店",
        code or a_uscc(n),
        "2021-03-01",
        "2021-03-01",
        until,
        place,
    ]


@pytest.fixture
def person_type(depts):
    return LicenceType.objects.create(
        code=PERSON_TYPE,
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=None,
        issuer=depts["scj"],
        fields=[{"key": "disability", "label": "残疾类别"}],
    )


def run(content: bytes, actor, departments):
    return importing.import_licences(io.BytesIO(content), actor=actor, departments=departments)


def test_the_template_has_the_types_field_columns(client, clerk_scj, food_type, person_type):
    client.force_login(clerk_scj)
    answer = client.get(PAGE + "template.xlsx", {"type": food_type.pk})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(answer.content), read_only=True)
    header = list(next(wb["证照"].iter_rows(values_only=True)))
    assert header == [*HEADER, "经营场所", "主体业态"]
    types = list(wb["证照类型"].iter_rows(values_only=True))
    assert [row[0] for row in types[1:]] == [food_type.code]
    # without a type: every type's fields, each once
    answer = client.get(PAGE + "template.xlsx")
    wb = load_workbook(io.BytesIO(answer.content), read_only=True)
    header = list(next(wb["证照"].iter_rows(values_only=True)))
    assert header == [*HEADER, "经营场所", "主体业态", "残疾类别"]


def test_a_good_file_issues_every_row(seal, clerk_scj, depts, food_type, person_type, citizen):
    content = workbook(
        [
            food_row("JY14414220000001", 1),
            food_row("JY14414220000002", 2, until="2023-02-28", place=""),
            [
                PERSON_TYPE,
                "44142200001",
                "李梅",
                citizen.id_number,
                "2020-05-06",
                "",
                "",
                "",
                "肢体",
            ],
            [
                PERSON_TYPE,
                "44142200002",
                "王芳",
                "441422199005185387",
                dt.datetime(2019, 1, 2),
                "2019/01/03",
                None,
                None,
                "视力",
            ],
        ],
        extra=("经营场所", "残疾类别"),
    )
    result = run(content, clerk_scj, [depts["scj"]])
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.issued) == 4 and Licence.objects.count() == 4
    first = Licence.objects.get(number="JY14414220000001")
    assert first.issued_on == dt.date(2021, 3, 1)
    assert first.valid_until == dt.date(2026, 2, 28)  # five years, the type's rule
    assert first.metadata["issued_on"] == "2021-03-01"
    assert first.metadata["extension"] == {"经营场所": "湖寮镇大埔大道1号"}
    assert first.status == Status.VALID and first.holder_name == "大埔县第1饭店"
    second = Licence.objects.get(number="JY14414220000002")
    assert second.valid_until == dt.date(2023, 2, 28)  # as written, even if already ended
    limei = Licence.objects.get(number="44142200001")
    assert limei.holder_user == citizen and limei.valid_until is None  # 长期有效
    assert limei.valid_from == dt.date(2020, 5, 6)  # blank: the date of issue
    wang = Licence.objects.get(number="44142200002")
    assert wang.holder_user is None and wang.issued_on == dt.date(2019, 1, 2)
    assert wang.valid_from == dt.date(2019, 1, 3)
    assert wang.metadata["extension"] == {"disability": "视力"}
    assert AuditEntry.objects.filter(action="licences.issue").count() == 4
    assert AuditEntry.objects.filter(action="licences.import").count() == 1


def test_a_file_with_bad_rows_imports_nothing_and_reports_each(seal, clerk_scj, depts, food_type):
    bad_check = a_uscc(3)[:-1] + ("0" if a_uscc(3)[-1] != "0" else "1")
    content = workbook(
        [
            food_row("JY1", 1),  # row 2: good
            food_row("JY2", 2, code=bad_check),  # row 3: bad check character
            food_row("JY3", 3, type_code="11100000000013338W099"),  # row 4: unknown type
            food_row("JY1", 4),  # row 5: the number of row 2 again
            food_row("JY5", 5, until="2021-02-01"),  # row 6: ends before it begins
        ]
    )
    result = run(content, clerk_scj, [depts["scj"]])
    assert not result.ok and result.issued == []
    assert Licence.objects.count() == 0
    rows = {(e.row, e.column) for e in result.errors}
    assert rows == {(3, "持证主体代码"), (4, "证照类型代码"), (5, "证照编号"), (6, "有效期至")}
    assert all(str(e).startswith(f"Row {e.row}") or "行" in str(e) for e in result.errors)


def test_numbers_already_issued_and_other_departments_types_are_refused(
    seal, clerk_scj, clerk_mzj, depts, food_type
):
    assert run(workbook([food_row("JY1", 1)]), clerk_scj, [depts["scj"]]).ok
    again = run(workbook([food_row("JY1", 2)]), clerk_scj, [depts["scj"]])
    assert [(e.row, e.column) for e in again.errors] == [(2, "证照编号")]
    # (no extension column: 民政局's types have no field 经营场所, which is refused too)
    other = run(workbook([food_row("JY9", 9)[:7]], extra=()), clerk_mzj, [depts["mzj"]])
    assert [(e.row, e.column) for e in other.errors] == [(2, "证照类型代码")]
    assert Licence.objects.count() == 1


def test_more_cells_that_cannot_be_read(seal, clerk_scj, depts, food_type):
    content = workbook(
        [
            ["11100000000013338W032", "", "", a_uscc(1), "2021-13-01", "", "", ""],
            ["11100000000013338W032", "JY2", "某店", a_uscc(2), "2999-01-01", "", "", ""],
        ]
    )
    result = run(content, clerk_scj, [depts["scj"]])
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "证照编号"),
        (2, "持证主体名称"),
        (2, "发证日期"),
        (3, "发证日期"),  # in the future
    }
    unknown_column = workbook([food_row("JY1", 1)], extra=("经营场址",))
    result = run(unknown_column, clerk_scj, [depts["scj"]])
    assert [(e.row, e.column) for e in result.errors] == [(1, "经营场址")]
    assert not run(b"not a workbook", clerk_scj, [depts["scj"]]).ok
    assert Licence.objects.count() == 0


def test_more_than_5000_rows_are_refused(clerk_scj, depts, food_type, monkeypatch):
    monkeypatch.setattr(import_format, "MAX_ROWS", 3)
    result = run(workbook([food_row(f"JY{n}", n) for n in range(4)]), clerk_scj, [depts["scj"]])
    assert len(result.errors) == 1 and result.errors[0].row is None
    assert "3" in str(result.errors[0])
    assert Licence.objects.count() == 0


def test_the_page_imports_and_reports(client, seal, clerk_scj, citizen, food_type):
    client.force_login(citizen)
    assert client.get(PAGE).status_code == 403
    client.force_login(clerk_scj)
    assert client.get(PAGE).status_code == 200
    bad = SimpleUploadedFile("bad.xlsx", workbook([food_row("JY1", 1), food_row("JY1", 2)]))
    answer = client.post(PAGE, {"file": bad})
    assert answer.status_code == 400
    assert 'data-testid="import-errors"' in answer.content.decode()
    assert 'data-row="3"' in answer.content.decode()
    assert Licence.objects.count() == 0
    good = SimpleUploadedFile("good.xlsx", workbook([food_row("JY1", 1), food_row("JY2", 2)]))
    answer = client.post(PAGE, {"file": good})
    assert answer.status_code == 302 and answer["Location"] == "/licences/manage/"
    assert Licence.objects.count() == 2
    text = SimpleUploadedFile("licences.csv", b"a,b\n")
    assert client.post(PAGE, {"file": text}).status_code == 400


def test_the_command_imports_as_the_platform(tmp_path, seal, depts, food_type):
    path = tmp_path / "licences.xlsx"
    path.write_bytes(workbook([food_row("JY1", 1)]))
    out = io.StringIO()
    call_command("import_licences", str(path), department=depts["scj"].uscc, stdout=out)
    assert "1 licence(s)" in out.getvalue()
    licence = Licence.objects.get()
    assert licence.events.get().actor is None  # the platform
    with pytest.raises(CommandError):
        call_command("import_licences", str(path), department=depts["scj"].uscc)  # duplicate
    with pytest.raises(CommandError):
        call_command("import_licences", str(path), department="91350100M000100Y43")
    assert Licence.objects.count() == 1
