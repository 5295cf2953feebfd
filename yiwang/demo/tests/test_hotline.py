"""The hotline demo loads on top of the kernel demo, idempotently."""

import pytest

from yiwang.accounts.models import User
from yiwang.demo.hotline import load_hotline
from yiwang.demo.loader import ensure_admin, load_orgs, load_people, load_regions
from yiwang.hotline.models import Category, DispatchRule, Status, Ticket


@pytest.mark.django_db
def test_load_hotline(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin, _ = ensure_admin()
    load_regions(admin)
    load_orgs(admin)
    load_people(admin)
    counts = load_hotline(admin)
    assert Category.objects.filter(level=1).count() >= 6
    assert Category.objects.filter(level=3).count() >= 25
    assert DispatchRule.objects.filter(region__code="441422100").exists()
    for name in ("agent_12345", "dispatcher_12345", "handler_scj", "handler_huliao", "grid_huliao"):
        assert User.objects.filter(username=name).exists()
    assert counts["tickets"] == 31 == Ticket.objects.count()
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {Status.NEW, Status.DISPATCHED, Status.SIGNED, Status.REPLIED, Status.CLOSED} <= statuses
    assert {Status.RETURNED, Status.MERGED, Status.REOPENED} <= statuses
    assert Ticket.objects.filter(deadline_status="overdue", supervised_at__isnull=False).exists()
    # 餐饮油烟 is a category of its own, dispatched by the catalogue.
    fumes = Ticket.objects.get(category__code="070202")
    assert fumes.category.name == "餐饮油烟" and fumes.lead_department.short_name == "县市场监管局"
    # The dissatisfied call-back is in the history although the ticket was reopened.
    reopened = Ticket.objects.get(status=Status.REOPENED)
    assert list(reopened.callbacks.values_list("satisfaction", "result")) == [
        ("dissatisfied", "reopened")
    ]
    again = load_hotline(admin)
    assert again["tickets"] == 0 and again["rules"] == 0 and Ticket.objects.count() == 31
