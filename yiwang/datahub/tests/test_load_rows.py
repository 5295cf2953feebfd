"""``actions.load_rows``: rows held as values, upserted into a resource's hub table — by the
provider's data administrator or the authority, all or nothing, audited without values."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions
from yiwang.datahub.hub import read

ID_NUMBER = "44142219900101123X"


def rows(n: int) -> list[dict]:
    return [
        {
            "licence_no": f"JY1441422{i:06d}",
            "operator_name": f"第{i}食杂店",
            "legal_rep_id": ID_NUMBER,
        }
        for i in range(n)
    ]


def test_the_provider_admin_loads_rows_and_it_is_audited_without_values(published, admin_scj):
    result = actions.load_rows(actor=admin_scj, resource=published, rows=rows(3))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert read.count(published) == 3
    assert read.lookup(published, "JY1441422000001")["legal_rep_id"] == ID_NUMBER
    entry = AuditEntry.objects.get(action="datahub.load_rows")
    assert entry.summary == {"created": 3, "updated": 0, "unchanged": 0}
    assert ID_NUMBER not in str(entry.summary)


def test_loading_again_updates_by_key_and_audits_only_changes(published, authority):
    actions.load_rows(actor=authority, resource=published, rows=rows(3))
    changed = rows(4)
    changed[0]["operator_name"] = "改名食杂店"
    result = actions.load_rows(actor=authority, resource=published, rows=changed)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert read.lookup(published, "JY1441422000000")["operator_name"] == "改名食杂店"
    same = actions.load_rows(actor=authority, resource=published, rows=changed)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.filter(action="datahub.load_rows").count() == 2


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen"])
def test_others_may_not_load_rows(request, published, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.load_rows(actor=actor, resource=published, rows=rows(1))
    assert read.count(published) == 0


def test_a_resource_not_in_the_catalogue_holds_no_rows(draft, authority):
    with pytest.raises(ValidationError) as caught:
        actions.load_rows(actor=authority, resource=draft, rows=rows(1))
    assert "resource" in caught.value.message_dict


def test_bad_rows_refuse_the_whole_call_with_each_problem(published, authority):
    bad = rows(5)
    bad[1]["legal_rep_id"] = "4" * 19  # longer than the item allows
    bad[2]["licence_no"] = ""  # no key
    bad[3]["licence_no"] = bad[0]["licence_no"]  # the key again
    bad[4]["salary"] = 1  # not an item
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.load_rows(actor=authority, resource=published, rows=bad)
    problems = caught.value.message_dict["rows"]
    assert len(problems) == 4
    assert problems[0].startswith("Row 2, 法定代表人身份证号码 (legal_rep_id):")
    assert problems[1].startswith("Row 3 has no 许可证编号")
    assert problems[2] == "Row 4 repeats the key of row 1."
    assert "salary" in problems[3] and problems[3].startswith("Row 5")
    assert read.count(published) == 0  # nothing half-loaded
    assert not AuditEntry.objects.filter(action="datahub.load_rows").exists()


def test_many_problems_are_summarised(published, authority):
    bad = [{"licence_no": "", "operator_name": "x"} for _ in range(30)]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.load_rows(actor=authority, resource=published, rows=bad)
    problems = caught.value.message_dict["rows"]
    assert len(problems) == actions.rows.MAX_PROBLEMS + 1
    assert problems[-1] == "… and 10 more problems."
