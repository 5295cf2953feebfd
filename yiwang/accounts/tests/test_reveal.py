import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yiwang.accounts import actions
from yiwang.accounts.models import User
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD

pytestmark = [pytest.mark.django_db]


def test_subject_reveals_own_data_audited(citizen):
    assert (
        actions.reveal_personal_data(actor=citizen, subject=citizen, field="phone") == "13800138001"
    )
    entry = AuditEntry.objects.get(action="personal_data.reveal")
    assert entry.actor_id == citizen.pk
    assert entry.summary["field"] == "phone"
    assert entry.summary["subject"] == citizen.pk
    assert entry.object_id == str(citizen.pk)


def test_staff_cannot_reveal_by_account(citizen, staff):
    """Staff see a person's full data only through a case or ticket they work on."""
    with pytest.raises(PermissionDenied):
        actions.reveal_personal_data(actor=staff, subject=citizen, field="id_number")
    assert not AuditEntry.objects.filter(action="personal_data.reveal").exists()


def test_citizen_cannot_reveal_someone_else(citizen, citizen2):
    with pytest.raises(PermissionDenied):
        actions.reveal_personal_data(actor=citizen, subject=citizen2, field="id_number")
    assert not AuditEntry.objects.filter(action="personal_data.reveal").exists()


def test_staff_without_post_cannot_reveal(citizen, regions):
    postless = actions.create_staff(
        actor=SYSTEM, username="postless", password=PASSWORD, real_name="无岗位", posts=[]
    )
    with pytest.raises(PermissionDenied):
        actions.reveal_personal_data(actor=postless, subject=citizen, field="phone")


def test_only_personal_fields(citizen):
    with pytest.raises(ValidationError):
        actions.reveal_personal_data(actor=citizen, subject=citizen, field="password")


def test_reveal_view_htmx_fragment_and_page(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:reveal", args=["id_number"])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert citizen.id_number in body and "<html" not in body
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    response = client.post(url, {"next": "/accounts/me/"})
    assert response.status_code == 200
    assert citizen.id_number in response.content.decode()
    assert (
        AuditEntry.objects.filter(action="personal_data.reveal", actor_id=citizen.pk).count() == 2
    )


def test_no_reveal_by_bare_user_id(client, citizen, staff):
    """The old ``/accounts/reveal/<user id>/<field>/`` is gone; staff only see their own."""
    client.force_login(staff)
    response = client.post(f"/accounts/reveal/{citizen.pk}/id_number/")
    assert response.status_code == 404
    response = client.post(reverse("accounts:reveal", args=["id_number"]))
    assert citizen.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(
        action="personal_data.reveal", object_id=str(citizen.pk)
    ).exists()


def test_reveal_view_requires_login(client, citizen):
    response = client.post(reverse("accounts:reveal", args=["phone"]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert User.objects.count() == 1
