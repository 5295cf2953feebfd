"""Fixtures for the audit chain's tests.

People and places are made with the ORM, not through ``yiwang.testing.county`` (whose actions
write audit entries): these tests count and number the entries of an empty chain.
"""

import pytest

from yiwang.audit.actions import in_transaction_record
from yiwang.orgs.models import Post, Role
from yiwang.regions.models import Region


@pytest.fixture
def county(db):
    return Region.objects.create(code="441422", name="大埔县", level=3)


@pytest.fixture
def auditor(django_user_model, county):
    user = django_user_model.objects.create_user(
        username="auditor", password="Dabu@2026.gov", kind="staff", real_name="审计员"
    )
    Post.objects.create(user=user, role=Role.AUDITOR, region=county)
    return user


@pytest.fixture
def clerk(django_user_model, county):
    user = django_user_model.objects.create_user(
        username="window_county", password="Dabu@2026.gov", kind="staff", real_name="窗口人员"
    )
    Post.objects.create(user=user, role=Role.WINDOW, region=county)
    return user


@pytest.fixture
def make_entries():
    def make(n: int, *, actor="system", action="test.touch", obj=None, **extra):
        return [
            in_transaction_record(actor=actor, action=action, obj=obj, after={"i": i}, **extra)
            for i in range(n)
        ]

    return make


@pytest.fixture(autouse=True)
def checkpoint_file(tmp_path, settings):
    """Each test has its own (initially absent) checkpoint file."""
    settings.YIWANG_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.YIWANG_AUDIT_CHECKPOINT_FILE
