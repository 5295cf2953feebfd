"""publish_new_items: many new items published at once (a provincial catalogue's import)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.indexing import search_item_ids
from yiwang.catalog.models import ItemRevision, ItemStatus, ServiceItem
from yiwang.testing.county import make_citizen

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db

NAMES = ["犬类准养证核发", "旧货业备案", "开锁业备案"]


def _items(depts, county, item_types, names=NAMES, start=60000, **overrides):
    fields = {
        "aliases": "",
        "item_type": item_types["XK"],
        "sub_number": "000",
        "department": depts["scj"],
        "competent_department": depts["scj"],
        "region": county,
        "level_code": "4",
        "legal_basis": "依据省级政务服务事项库",
        "conditions": "符合规定条件",
        "statutory_limit": 20,
        "promised_limit": 10,
        "consult_phone": "0753-5522315",
        "complaint_phone": "12345",
        "location": "县政务服务中心",
        "channels": ["窗口"],
    }
    fields.update(overrides)
    return [
        ServiceItem(name=name, main_number=f"{start + n:05d}", **fields)
        for n, name in enumerate(names)
    ]


def test_publishes_indexes_and_records_once(
    depts, county, item_types, authority, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = actions.publish_new_items(
            actor=authority, items=_items(depts, county, item_types), source="省级事项库"
        )

    items = ServiceItem.objects.filter(pk__in=ids).order_by("pk")
    assert [i.name for i in items] == NAMES
    for item in items:
        assert (item.status, item.version, item.changed_since_publish) == (
            ItemStatus.PUBLISHED,
            1,
            False,
        )
        assert item.published_at is not None
        process = item.active_process()
        assert process is not None and process.version == 1
        assert process.steps[0]["kind"] == "accept"
        revision = ItemRevision.objects.get(item=item)
        assert revision.version == 1 and revision.published_by == authority
        assert revision.snapshot["name"] == item.name
        assert revision.snapshot["process"]["version"] == 1
        assert revision.snapshot["materials"] == []
    entry = AuditEntry.objects.get(action="catalog.publish_new_items")
    assert entry.actor_id == authority.pk
    assert entry.summary["after"] == {
        "source": "省级事项库",
        "count": 3,
        "first_id": ids[0],
        "last_id": ids[-1],
    }
    assert ids[0] in (search_item_ids("犬类准养证核发", limit=10) or [])
    assert ServiceItem.objects.published().count() == 3


def test_only_the_data_authority_may(depts, county, item_types, admin_scj):
    citizen = make_citizen()
    for actor in (citizen, admin_scj, None):
        with pytest.raises(PermissionDenied):
            actions.publish_new_items(
                actor=actor, items=_items(depts, county, item_types), source="x"
            )
    assert not ServiceItem.objects.exists()
    assert not AuditEntry.objects.filter(action="catalog.publish_new_items").exists()


def test_incomplete_or_existing_items_are_refused(depts, county, item_types):
    with translation.override("en"):
        _check_refusals(depts, county, item_types)


def _check_refusals(depts, county, item_types):
    with pytest.raises(ValidationError) as missing:
        actions.publish_new_items(
            actor=SYSTEM,
            items=_items(depts, county, item_types, conditions="", channels=[]),
            source="x",
        )
    assert "conditions" in str(missing.value) and "channels" in str(missing.value)
    no_region = _items(depts, county, item_types, names=["旧货业备案"])
    no_region[0].region = None
    with pytest.raises(ValidationError, match="region"):
        actions.publish_new_items(actor=SYSTEM, items=no_region, source="x")
    with pytest.raises(ValidationError) as no_source:
        actions.publish_new_items(actor=SYSTEM, items=_items(depts, county, item_types), source=" ")
    assert "source" in no_source.value.message_dict
    ids = actions.publish_new_items(
        actor=SYSTEM, items=_items(depts, county, item_types, names=["旧货业备案"]), source="x"
    )
    saved = ServiceItem.objects.get(pk=ids[0])
    with pytest.raises(ValidationError, match="exists already"):
        actions.publish_new_items(actor=SYSTEM, items=[saved], source="x")
    assert ServiceItem.objects.count() == 1


def test_a_code_clash_rolls_everything_back(depts, county, item_types):
    actions.publish_new_items(
        actor=SYSTEM, items=_items(depts, county, item_types, names=["旧货业备案"]), source="x"
    )
    clash = _items(depts, county, item_types, names=["开锁业备案", "旧货业备案"], start=59999)
    with pytest.raises(IntegrityError):
        actions.publish_new_items(actor=SYSTEM, items=clash, source="x")
    assert ServiceItem.objects.count() == 1
    assert AuditEntry.objects.filter(action="catalog.publish_new_items").count() == 1
