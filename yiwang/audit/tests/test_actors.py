"""The explicit system actor: ``SYSTEM`` / ``SystemActor(label)``, never ``None``."""

import pytest

from yiwang.audit.actions import in_transaction_record
from yiwang.audit.actors import SYSTEM, SystemActor, is_system


def test_only_system_actors_are_the_platform():
    assert is_system(SYSTEM) and is_system(SystemActor("demo"))
    assert not is_system(None)
    assert not is_system("demo")  # a bare label is not an actor
    assert not is_system(object())


def test_a_system_actor_is_no_user():
    demo = SystemActor("demo")
    assert demo.pk is None
    assert not (demo.is_authenticated or demo.is_active or demo.is_staff or demo.is_superuser)
    assert demo == "demo" and repr(demo) == "SystemActor('demo')"


@pytest.mark.django_db
def test_the_audit_log_names_the_system_actor_by_its_label():
    assert in_transaction_record(actor=SYSTEM, action="test.sweep").actor_label == "system"
    entry = in_transaction_record(actor=SystemActor("sensor"), action="test.alert")
    assert (entry.actor_id, entry.actor_label) == (None, "sensor")
