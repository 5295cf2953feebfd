"""The compiled credential lookup gives what ``QuerySet.get`` gives, in one statement."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.exchange import actions
from yiwang.exchange.gateway import _credential_of
from yiwang.exchange.models import Credential

pytestmark = pytest.mark.django_db


def test_same_objects_as_the_orm_in_one_statement(issued):
    client_id = issued.credential.client_id
    expected = Credential.objects.select_related("grant", "grant__resource__hub_table").get(
        client_id=client_id
    )
    with CaptureQueriesContext(connection) as captured:
        found = _credential_of(client_id)
        # Everything the gateway reads comes with it: no further statement.
        grant, resource = found.grant, found.grant.resource
        assert resource.hub_table == expected.grant.resource.hub_table
    assert len(captured.captured_queries) == 1
    assert found.pk == expected.pk and found._state.adding is False
    # Converted as the ORM converts: the secret decrypted, the fields list decoded.
    assert found.secret == expected.secret == issued.secret
    assert grant.fields == expected.grant.fields and isinstance(grant.fields, list)
    assert grant.valid_from == expected.grant.valid_from
    assert resource.code == expected.grant.resource.code


def test_unknown_client_and_fresh_values(issued, admin_mzj, grant):
    assert _credential_of("no-such-client") is None
    # Compiled once, read fresh every time: a revocation shows on the next call.
    client_id = issued.credential.client_id
    assert _credential_of(client_id).revoked_at is None

    actions.revoke_credentials(actor=admin_mzj, grant=grant)
    assert _credential_of(client_id).revoked_at is not None


def test_each_thread_compiles_its_own(issued):
    client_id = issued.credential.client_id
    _credential_of(client_id)
    mine = _credential_of._local.compiled
    seen = []
    thread = threading.Thread(target=lambda: seen.append(_credential_of._compiled()))
    thread.start()
    thread.join()
    assert seen and seen[0] is not mine and seen[0].sql == mine.sql
