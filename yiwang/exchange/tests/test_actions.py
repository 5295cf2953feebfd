"""Issuing, rotating and revoking credentials: who may, on which grants, and the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from yiwang.audit.models import AuditEntry
from yiwang.datahub.actions import sharing
from yiwang.exchange import actions
from yiwang.exchange.models import Credential

pytestmark = pytest.mark.django_db


def test_issue_returns_the_secret_once_and_stores_it_encrypted(grant, admin_mzj):
    issued = actions.issue_credentials(actor=admin_mzj, grant=grant)
    credential = issued.credential
    assert credential.client_id.startswith("ywc_") and len(issued.secret) == 64
    assert Credential.objects.get(pk=credential.pk).secret == issued.secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM exchange_credential WHERE id = %s", [credential.pk])
        stored = cursor.fetchone()[0]
    assert issued.secret not in stored
    entry = AuditEntry.objects.get(action="exchange.credentials_issue")
    assert entry.summary["after"]["client_id"] == credential.client_id
    assert issued.secret not in entry.summary_text


def test_issuing_again_rotates(grant, admin_mzj):
    first = actions.issue_credentials(actor=admin_mzj, grant=grant).credential
    second = actions.issue_credentials(actor=admin_mzj, grant=grant).credential
    first.refresh_from_db()
    assert first.revoked_at is not None and first.revoked_by == admin_mzj
    assert second.revoked_at is None
    assert Credential.objects.filter(grant=grant, revoked_at__isnull=True).count() == 1
    entry = AuditEntry.objects.filter(action="exchange.credentials_issue").order_by("-seq")[0]
    assert entry.summary["replaced"] == [first.client_id]


def test_only_the_consumers_data_administrator_issues(grant, admin_scj, authority, clerk_mzj):
    for actor in (admin_scj, authority, clerk_mzj, None):
        with pytest.raises(PermissionDenied):
            actions.issue_credentials(actor=actor, grant=grant)
    assert not Credential.objects.exists()


def test_no_credentials_for_a_revoked_grant(grant, admin_mzj, admin_scj):
    sharing.revoke_grant(actor=admin_scj, grant=grant, reasons="审核结束")
    with pytest.raises(ValidationError) as error:
        actions.issue_credentials(actor=admin_mzj, grant=grant)
    assert error.value.error_dict["grant"][0].code == "grant_not_usable"
    assert not Credential.objects.exists()


def test_revoke(grant, admin_mzj, authority, admin_scj):
    actions.issue_credentials(actor=admin_mzj, grant=grant)
    with pytest.raises(PermissionDenied):
        actions.revoke_credentials(actor=admin_scj, grant=grant)
    revoked = actions.revoke_credentials(actor=authority, grant=grant)
    assert len(revoked) == 1 and revoked[0].revoked_by == authority
    assert AuditEntry.objects.filter(action="exchange.credentials_revoke").count() == 1
    with pytest.raises(ValidationError) as error:
        actions.revoke_credentials(actor=admin_mzj, grant=grant)
    assert error.value.error_dict["grant"][0].code == "nothing_to_revoke"
