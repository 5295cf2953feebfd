from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.audit.models import AuditEntry
from yiwang.gmcrypto.core import blind_index
from yiwang.notify.models import Message
from yiwang.privacy import actions
from yiwang.privacy.models import Disclosure, RevealBurst

from .conftest import ID_NUMBER, PHONE

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


def test_reveal_is_recorded_with_purpose_reason_and_audit(world, reveal):
    row = reveal(department=world.scj)
    row.refresh_from_db()
    assert (row.actor_id, row.actor_name, row.department_id) == (
        world.reviewer.pk,
        "钟文辉",
        world.scj.pk,
    )
    assert (row.field, row.purpose, row.reason, row.refused) == (
        "phone",
        "contact",
        "电话告知补正材料",
        False,
    )
    assert row.subject_id == world.citizen.pk
    assert row.subject_id_index == world.citizen.id_number_index
    assert row.subject_key == world.citizen.id_number_index
    assert row.subject_label == "李*"  # never the full name in the log
    entry = AuditEntry.objects.get(action="personal_data.reveal")
    assert entry.actor_id == world.reviewer.pk
    assert entry.summary["purpose"] == "contact" and entry.summary["disclosure"] == str(row.ref)
    assert PHONE not in str(entry.summary) and ID_NUMBER not in str(entry.summary)


def test_department_defaults_to_the_actors_post(world, reveal):
    assert reveal().department_id == world.scj.pk


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_reason_required(world, reveal, reason):
    with pytest.raises(ValidationError) as info:
        reveal(reason=reason)
    assert codes(info.value, "reason") == ["reason_required"]
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="personal_data").exists()


def test_control_characters_in_the_reason_refused(world, reveal):
    with pytest.raises(ValidationError) as info:
        reveal(reason="电话联系\x00申请人")
    assert codes(info.value, "reason") == ["invalid_characters"]
    assert not Disclosure.objects.exists()


def test_purpose_must_be_known(world, reveal):
    with pytest.raises(ValidationError) as info:
        reveal(purpose="curiosity")
    assert codes(info.value, "purpose") == ["invalid_purpose"]
    assert not Disclosure.objects.exists()


def test_anonymous_actor_refused(world, reveal):
    with pytest.raises(PermissionDenied):
        reveal(actor="system")
    assert not Disclosure.objects.exists()


def test_walk_in_subject_linked_by_blind_indexes(world, reveal):
    row = reveal(
        subject=None, subject_id_number="11010519491231002x", subject_phone="138 0013 5678"
    )
    assert row.subject_id is None
    assert row.subject_id_index == blind_index(ID_NUMBER, "id") == world.citizen.id_number_index
    assert row.subject_phone_index == world.citizen.phone_index


def test_hourly_limit_refuses_records_and_alerts_once_per_burst(world, reveal):
    for _ in range(3):
        reveal()
    for _ in range(3):
        with pytest.raises(ValidationError) as info:
            reveal()
        assert info.value.code == "limit_exceeded"
    refused = Disclosure.objects.filter(refused=True)
    assert refused.count() == 3 and {r.limit for r in refused} == {"hour"}
    assert Disclosure.objects.filter(refused=False).count() == 3
    assert AuditEntry.objects.filter(action="personal_data.reveal_refused").count() == 3
    burst = RevealBurst.objects.get()
    assert (burst.actor_id, burst.refused_count, burst.limit) == (world.reviewer.pk, 3, "hour")
    # one notice per auditor for the burst, none for the staff member or anyone else
    notices = Message.objects.filter(link__startswith=reverse("privacy:list"))
    assert sorted(notices.values_list("recipient__username", flat=True)) == [
        "auditor",
        "auditor2",
    ]
    assert f"actor={world.reviewer.pk}" in notices.first().link
    # another staff member is not affected by the first one's limit
    assert not reveal(actor=world.reviewer2).refused


def test_new_burst_after_a_quiet_hour_alerts_again(world, reveal):
    for _ in range(3):
        reveal()
    with pytest.raises(ValidationError):
        reveal()
    # two hours later the hourly window is empty again, then a new burst
    Disclosure.objects.update(created_at=timezone.now() - timedelta(hours=2))
    RevealBurst.objects.update(last_at=timezone.now() - timedelta(hours=2))
    for _ in range(2):
        reveal()
    with pytest.raises(ValidationError) as info:
        reveal()
    assert "24" in info.value.messages[0]  # the daily limit (5) is reached now
    assert Disclosure.objects.filter(refused=True, limit="day").count() == 1
    assert RevealBurst.objects.count() == 2
    assert Message.objects.filter(recipient=world.auditor).count() == 2


def test_refusal_survives_the_callers_rollback_once(world, reveal):
    """A feature action (its own transaction) wrapped in ``disclosing``: the caller's
    transaction rolls back, the refusal stays, written once."""

    @actions.disclosing
    def feature_action():
        reveal()

    for _ in range(3):
        feature_action()
    with pytest.raises(ValidationError):
        feature_action()
    assert Disclosure.objects.filter(refused=True).count() == 1
    assert RevealBurst.objects.get().refused_count == 1
    assert AuditEntry.objects.filter(action="personal_data.reveal_refused").count() == 1


def test_counts_use_the_actor_created_at_index(world, reveal, django_assert_max_num_queries):
    reveal()
    # user lock, count, insert, audit (head + entry + head update) and savepoints
    with django_assert_max_num_queries(12):
        reveal()


def test_limits_can_be_raised(world, reveal, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 10
    settings.YIWANG_REVEAL_LIMIT_PER_DAY = 10
    for _ in range(6):
        assert not reveal().refused


def test_inactive_staff_refused(world, reveal):
    User.objects.filter(pk=world.reviewer.pk).update(is_active=False)
    world.reviewer.refresh_from_db()
    with pytest.raises(PermissionDenied):
        reveal()
    assert not Disclosure.objects.exists()
