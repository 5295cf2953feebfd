from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions as accounts
from yiwang.privacy.models import Disclosure

from .conftest import ID_NUMBER, PASSWORD, staff

pytestmark = pytest.mark.django_db

AUDITOR_PAGES = ["privacy:overview", "privacy:subjects", "privacy:list"]


@pytest.mark.parametrize("name", AUDITOR_PAGES)
def test_auditor_pages_for_auditors_and_superusers_only(client, world, reveal, name):
    reveal()
    client.force_login(world.reviewer)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(world.citizen)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(world.auditor)
    assert client.get(reverse(name)).status_code == 200
    client.force_login(world.admin)
    assert client.get(reverse(name)).status_code == 200
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_overview_flags_the_staff_member_over_the_limit_first(client, world, reveal):
    reveal(actor=world.reviewer2)
    reveal(actor=world.reviewer2)
    for _ in range(3):
        reveal()
    with pytest.raises(ValidationError):  # the fourth is refused by the limit
        reveal()
    client.force_login(world.auditor)
    response = client.get(reverse("privacy:overview"))
    rows = response.context["rows"]
    assert [r["actor_id"] for r in rows] == [world.reviewer.pk, world.reviewer2.pk]
    assert (rows[0]["hour"], rows[0]["refused"]) == (3, 1)
    assert (rows[1]["hour"], rows[1]["day"], rows[1]["month"]) == (2, 2, 2)
    html = response.content.decode()
    assert 'data-testid="flagged"' in html and 'data-testid="burst-row"' in html
    filtered = client.get(reverse("privacy:overview"), {"staff": "温建新"}).context["rows"]
    assert [r["actor_id"] for r in filtered] == [world.reviewer2.pk]


def test_drill_down_filters_by_staff_subject_and_dates(client, world, reveal):
    old = reveal(reason="上月电话核实地址")
    Disclosure.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    reveal(reason="电话通知领证")
    reveal(actor=world.reviewer2, subject=None, subject_phone="13900000000", reason="联系另一人")
    client.force_login(world.auditor)
    url = reverse("privacy:list")
    rows = list(client.get(url, {"actor": world.reviewer.pk}).context["page_obj"])
    assert [r.reason for r in rows] == ["电话通知领证", "上月电话核实地址"]
    today = timezone.localdate().isoformat()
    rows = list(client.get(url, {"date_from": today, "date_to": today}).context["page_obj"])
    assert {r.reason for r in rows} == {"电话通知领证", "联系另一人"}
    key = world.citizen.id_number_index
    rows = list(client.get(url, {"subject": key}).context["page_obj"])
    assert {r.reason for r in rows} == {"电话通知领证", "上月电话核实地址"}
    html = client.get(url, {"staff": "reviewer2"}).content.decode()
    assert "联系另一人" in html and "电话通知领证" not in html


def test_drill_down_bad_dates_are_a_specific_error(client, world):
    client.force_login(world.auditor)
    response = client.get(reverse("privacy:list"), {"date_from": "2026-02-30"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_from"]
    response = client.get(
        reverse("privacy:list"), {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def make_rows(world, n: int, start: int = 0) -> None:
    """Reveals by ``n`` different staff members about ``n`` different people."""
    for i in range(start, start + n):
        actor = staff(world.admin, f"extra{i}", "reviewer", world.scj, world.dabu)
        Disclosure.objects.create(
            actor=actor,
            actor_name=f"员工{i}",
            department=world.scj,
            object_type="orgs.department",
            object_id=str(world.scj.pk),
            object_label=f"对象{i}",
            field="phone",
            purpose="contact",
            reason="电话联系申请人",
            subject_key=f"key{i}",
            subject_label="张*",
            refused=i % 2 == 0,
        )


@pytest.mark.parametrize("name", [*AUDITOR_PAGES, "privacy:mine"])
def test_pages_run_no_query_per_row(client, world, reveal, name, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = settings.YIWANG_REVEAL_LIMIT_PER_DAY = 100
    reveal()
    make_rows(world, 2)
    client.force_login(world.auditor if name != "privacy:mine" else world.citizen)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    make_rows(world, 15, start=2)
    for _ in range(5):
        reveal(actor=world.reviewer2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(name)).status_code == 200
    assert len(many) == len(few)


def test_person_sees_reveals_including_walk_ins_before_registering(client, world, reveal):
    # a walk-in without an account: linked by the ID number only
    reveal(
        subject=None,
        subject_id_number=ID_NUMBER,
        object_label="XK2026000001",
        reason="电话通知补正",
    )
    reveal(object_label="XK2026000002", purpose="verify_identity", reason="窗口核验身份证")
    reveal(subject=None, subject_id_number="440524188001010014", reason="别人的案件")
    client.force_login(world.citizen)
    response = client.get(reverse("privacy:mine"))
    rows = list(response.context["page_obj"])
    assert [r.object_label for r in rows] == ["XK2026000002", "XK2026000001"]
    html = response.content.decode()
    assert "钟文辉" in html and "大埔县市场监督管理局" in html and "电话通知补正" in html
    assert "别人的案件" not in html
    # the profile links to it
    assert reverse("privacy:mine") in client.get(reverse("accounts:profile")).content.decode()


def test_person_does_not_see_refused_reveals_or_others(client, world, reveal):
    other = accounts.create_citizen(
        actor=None,
        username="zhangwei",
        password=PASSWORD,
        real_name="张伟",
        id_number="440524188001010014",
        phone="13800135679",
    )
    reveal()
    client.force_login(other)
    assert list(client.get(reverse("privacy:mine")).context["page_obj"]) == []
    client.logout()
    assert client.get(reverse("privacy:mine")).status_code == 302
