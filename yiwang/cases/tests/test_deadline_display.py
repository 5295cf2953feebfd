"""Each deadline is shown with its meaning (受理期限, 承诺办结, 法定办结), 暂定 only next to the
date that is provisional, and 预警 only when a deadline is really close."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from yiwang.cases import actions, deadlines
from yiwang.cases.models import Case, DeadlineStatus
from yiwang.web.testing import pdf_text

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date


def cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dd>', html, re.S)
    assert found, testid
    return found.group(1)


@pytest.mark.parametrize(
    ("due", "limit", "today", "status"),
    [
        # 2025-12-01 is a Monday: a one-day acceptance limit set that day falls due on Tuesday.
        (D(2025, 12, 2), 1, D(2025, 12, 1), "normal"),  # the whole limit remains
        (D(2025, 12, 2), 1, D(2025, 12, 2), "warning"),  # the due day
        (D(2025, 12, 2), 1, D(2025, 12, 3), "overdue"),
        (D(2025, 12, 8), 1, D(2025, 12, 6), "normal"),  # set on a Saturday, due Monday
        # A five-day promise: close on its last working day but one, not before.
        (D(2025, 12, 8), 5, D(2025, 12, 4), "normal"),
        (D(2025, 12, 8), 5, D(2025, 12, 5), "warning"),
        (D(2025, 12, 8), 5, D(2025, 12, 8), "warning"),
        (D(2025, 12, 1), 0, D(2025, 12, 1), "normal"),  # on-the-spot, on the day
        (D(2025, 12, 1), 0, D(2025, 12, 2), "overdue"),
    ],
)
def test_a_deadline_is_close_only_when_little_of_it_remains(due, limit, today, status):
    assert deadlines.deadline_status(due, limit, today) == status


def test_right_after_submission_no_warning_and_the_acceptance_deadline_named(client, world, submit):
    case = submit()  # the food item's accept step has a one-day limit
    assert case.deadline_status == DeadlineStatus.NORMAL
    assert case.step_due == case.due_at
    client.force_login(world.citizen)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.step_due.isoformat() in cell(html, "deadline-acceptance")
    # Promised and statutory completion have no date yet: they count from acceptance.
    assert case.step_due.isoformat() not in cell(html, "deadline-promised")
    assert "<time" not in cell(html, "deadline-promised")
    assert "<time" not in cell(html, "deadline-statutory")
    header = re.search(r'<div class="page-header">(.*?)</div>', html, re.S).group(1)
    assert "badge-warning" not in header and "badge-success" in header  # 正常, not 预警
    assert 'data-testid="provisional"' not in html


def test_after_acceptance_the_promised_and_statutory_dates_are_shown(client, world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    kinds = [d.kind for d in deadlines.shown_deadlines(case)]
    assert kinds == ["promised", "statutory"]
    assert [d.kind for d in deadlines.shown_deadlines(case, as_staff=True)] == [
        "promised",
        "statutory",
        "step",
    ]
    client.force_login(world.reviewer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.due_at.isoformat() in cell(html, "deadline-promised")
    assert case.statutory_due.isoformat() in cell(html, "deadline-statutory")
    assert 'data-testid="deadline-acceptance"' not in html


def test_provisional_is_shown_next_to_the_provisional_date_only(client, world, submit):
    """Accepted in December of the last year the calendar covers: the promised date falls in
    that year, the statutory one in the next, which is provisional."""
    case = actions.accept(actor=world.reviewer, case=submit())
    accepted = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=TZ)
    Case.objects.filter(pk=case.pk).update(accepted_at=accepted, step_started_at=accepted)
    case.refresh_from_db()
    actions.refresh_deadlines(case, now=accepted)
    case.save()
    assert case.due_at.year == 2026 and case.statutory_due.year == 2027
    assert not case.promised_provisional and case.statutory_provisional
    assert case.due_provisional  # still recomputed when the calendar changes
    client.force_login(world.citizen)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="provisional"' not in cell(html, "deadline-promised")
    assert 'data-testid="provisional"' in cell(html, "deadline-statutory")


def test_lists_name_the_deadline_they_show(client, world, submit):
    waiting = submit()
    accepted = actions.accept(actor=world.reviewer, case=submit())
    client.force_login(world.citizen)
    html = client.get(reverse("cases:mine")).content.decode()
    pattern = r'data-testid="next-deadline" data-kind="(\w+)".*?<time datetime="([^"]+)"'
    shown = dict(re.findall(pattern, html, re.S))
    assert shown == {
        "acceptance": waiting.step_due.isoformat(),
        "promised": accepted.due_at.isoformat(),
    }
    client.force_login(world.reviewer)
    html = client.get(reverse("cases:workbench") + "?tab=all").content.decode()
    assert 'data-kind="acceptance"' in html and 'data-kind="promised"' in html


def test_the_receipt_names_the_acceptance_deadline_before_acceptance(client, world, submit):
    case = submit()
    client.force_login(world.citizen)
    text = pdf_text(client.get(reverse("cases:receipt", args=[case.pk])).content)
    compact = re.sub(r"\s+", "", text)
    assert f"{case.step_due:%Y年%m月%d日}" in compact
    label = str(deadlines.LABELS["acceptance"])
    assert re.sub(r"\s+", "", label) in compact


def test_a_case_never_accepted_shows_no_deadline_once_it_ended(client, world, submit):
    refused = actions.reject(actor=world.reviewer, case=submit(), reason="材料不齐")
    assert deadlines.shown_deadlines(refused) == []
    assert deadlines.next_deadline(refused) is None
    client.force_login(world.citizen)
    html = client.get(reverse("cases:detail", args=[refused.pk])).content.decode()
    assert 'data-testid="deadline-' not in html
