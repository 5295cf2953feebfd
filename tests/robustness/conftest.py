"""The 大埔县 demo county, loaded once for the package, for the robustness tests.

Loading the demo takes a few seconds, far too long per test; it is loaded once inside an
outer transaction that is rolled back when the package ends, and every test runs in a
savepoint of it (pytest-django's ``db``), so nothing leaks into other tests. A few cases
are added through the cases actions (the demo has none), so case pages have objects.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from yiwang.web.testing import MINIMAL_PDF

#: The logins exercised, by role (demo usernames).
ROLES = {
    "citizen": "citizen",
    "window": "window_county",
    "reviewer": "reviewer_scj",
    "agent": "agent_12345",
    "dispatcher": "dispatcher_12345",
    "handler": "handler_scj",
    "grid_worker": "grid_huliao",
    "authority": "authority",
    "admin": "admin",
}

_SAMPLE_VALUES = (
    "13800138000",
    "441422199005185387",
    "91441422MA4W1X2Y3D",
    "2026-01-05",
    "1",
    "客家味道小吃店",
    "0753-5522315",
)


def pdf_upload(name: str = "material.pdf") -> SimpleUploadedFile:
    body = MINIMAL_PDF
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _sample_form(schema: dict) -> dict:
    """Values the item's own form validation accepts, found by trying a few samples."""
    from yiwang.catalog.forms_schema import clean_data

    data: dict = {}
    for key, prop in (schema or {}).get("properties", {}).items():
        candidates = [*(prop.get("enum") or []), *_SAMPLE_VALUES, True]
        for value in candidates:
            _cleaned, errors = clean_data({"properties": {key: prop}}, {key: value})
            if key not in errors:
                data[key] = value
                break
    return data


def _cases(citizen, limit: int = 3) -> list:
    """A few submitted applications and one draft, by the citizen, through the actions."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from yiwang.cases import actions
    from yiwang.catalog.models import ServiceItem

    made = []
    counter = itertools.count()
    for item in ServiceItem.objects.published().filter(audience="person").order_by("pk")[:40]:
        uploads = {m.pk: pdf_upload() for m in item.materials.all()}
        try:
            case, _created = actions.submit_application(
                actor=citizen,
                item=item,
                form_data=_sample_form(item.form_schema),
                uploads=uploads,
                submission_key=f"robustness-{next(counter)}",
            )
        except (ValidationError, PermissionDenied):
            continue
        made.append(case)
        if len(made) == limit:
            break
    if made:
        made.append(
            actions.save_draft(actor=citizen, item=made[0].item, form_data={}, enterprise=None)
        )
    return made


@pytest.fixture(scope="package")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county with a few cases, loaded once for the package (5-15 s a load); rolled
    back when the package ends."""
    from django.test import override_settings

    from yiwang.accounts.models import User
    from yiwang.demo.loader import load_demo

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, YIWANG_SMS_LOG=str(media / "sms.log")),
        transaction.atomic(),
    ):
        load_demo()
        users = {role: User.objects.get(username=name) for role, name in ROLES.items()}
        cases = _cases(users["citizen"])
        assert cases, "no demo item accepted an application built from its form schema"
        yield SimpleNamespace(users=users, cases=cases)
        transaction.set_rollback(True)


@pytest.fixture
def as_role(county, db):
    """``as_role(role)``: a test client logged in as the demo user of that role (None: anonymous);
    exceptions in views come back as 500 responses instead of being raised."""

    def make(role: str | None) -> Client:
        client = Client(raise_request_exception=False)
        if role is not None:
            client.force_login(county.users[role])
        return client

    return make
