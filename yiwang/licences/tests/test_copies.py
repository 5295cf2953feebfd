"""Annotated copies (加注件): the holder shares a valid licence for a purpose and a time; the
public copy page opens until then (200), then says it is gone (410); unknown links are 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yiwang.audit.models import AuditEntry
from yiwang.licences import actions, copies
from yiwang.licences.actions import Holder
from yiwang.licences.models import AnnotatedCopy, HolderKind, LicenceType
from yiwang.testing import county

pytestmark = pytest.mark.django_db
PURPOSE = "向大埔农商银行开立账户"


@pytest.fixture
def person_type(depts):
    return LicenceType.objects.create(
        code="11100000000013338W041",
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=10,
        issuer=depts["scj"],
    )


@pytest.fixture
def licence(seal, clerk_scj, person_type, citizen):
    return actions.issue(actor=clerk_scj, licence_type=person_type, holder=Holder.person(citizen))


def _share(client, licence, **form):
    return client.post(
        f"/licences/mine/{licence.identifier}/share/", {"purpose": PURPOSE, "hours": 24, **form}
    )


def test_the_holder_shares_a_copy_that_opens_with_its_purpose(client, licence, citizen):
    client.force_login(citizen)
    assert _share(client, licence).status_code == 302
    copy = AnnotatedCopy.objects.get()
    assert len(copy.token) >= 40 and copy.purpose == PURPOSE
    assert dt.timedelta(hours=23) < copy.expires_at - timezone.now() <= dt.timedelta(hours=24)
    entry = AuditEntry.objects.get(action="licences.share_copy")
    assert copy.token not in str(entry.summary)  # the link's key stays out of the log
    detail = client.get(f"/licences/mine/{licence.identifier}/").content.decode()
    assert f"/verify/copy/{copy.token}/" in detail

    client.logout()
    answer = client.get(f"/verify/copy/{copy.token}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert PURPOSE in page and licence.name in page
    assert f"/verify/{licence.identifier}" in page  # the verification link
    assert "110105********002X" in page and "11010519491231002X" not in page
    assert answer["Cache-Control"] == "private, no-store"


def test_an_expired_copy_is_gone(client, licence, citizen, monkeypatch):
    copy = copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=2)
    later = timezone.now() + dt.timedelta(hours=2, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    answer = client.get(f"/verify/copy/{copy.token}/")
    assert answer.status_code == 410
    assert PURPOSE not in answer.content.decode()
    with pytest.raises(copies.ExpiredCopy):
        copies.open_copy(copy.token)


def test_a_withdrawn_copy_is_gone(client, licence, citizen):
    copy = copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=24)
    client.force_login(citizen)
    assert client.post(f"/licences/mine/copies/{copy.pk}/withdraw/").status_code == 302
    copy.refresh_from_db()
    assert copy.revoked_at is not None
    assert AuditEntry.objects.filter(action="licences.withdraw_copy").exists()
    client.logout()
    answer = client.get(f"/verify/copy/{copy.token}/")
    assert answer.status_code == 410 and PURPOSE not in answer.content.decode()
    with pytest.raises(copies.WithdrawnCopy):
        copies.open_copy(copy.token)
    with pytest.raises(ValidationError):
        copies.withdraw_copy(actor=citizen, copy=copy)


def test_an_unknown_copy_is_not_found(client, licence):
    assert client.get("/verify/copy/not-a-real-token/").status_code == 404
    assert client.get(f"/verify/copy/{'x' * 100}/").status_code == 404
    with pytest.raises(copies.UnknownCopy):
        copies.open_copy("")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"purpose": ""}, "purpose"),
        ({"purpose": "用" * 201}, "purpose"),
        ({"hours": 0}, "hours"),
        ({"hours": 1000}, "hours"),
        ({"hours": ""}, "hours"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_shared(client, licence, citizen, form, field):
    client.force_login(citizen)
    answer = _share(client, licence, **form)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not AnnotatedCopy.objects.exists()
    assert not AuditEntry.objects.filter(action="licences.share_copy").exists()


def test_the_bounds_are_allowed(licence, citizen):
    copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=1)
    copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=720)
    assert AnnotatedCopy.objects.count() == 2


def test_no_one_shares_or_withdraws_someone_elses_licence(client, licence, citizen):
    other = county.make_citizen("zhangwei")
    with pytest.raises(PermissionDenied):
        copies.share_copy(actor=other, licence=licence, purpose=PURPOSE, hours=24)
    client.force_login(other)
    assert _share(client, licence).status_code == 404
    assert client.get(f"/licences/mine/{licence.identifier}/").status_code == 404
    copy = copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=24)
    assert client.post(f"/licences/mine/copies/{copy.pk}/withdraw/").status_code == 404
    with pytest.raises(PermissionDenied):
        copies.withdraw_copy(actor=other, copy=copy)
    copy.refresh_from_db()
    assert copy.revoked_at is None and AnnotatedCopy.objects.count() == 1


def test_only_a_valid_licence_is_shared(client, licence, citizen, clerk_scj):
    actions.suspend(actor=clerk_scj, licence=licence, reason="核查中")
    with pytest.raises(ValidationError) as error:
        copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=24)
    assert error.value.error_dict["__all__"][0].code == "licence_not_valid"
    assert not AnnotatedCopy.objects.exists()


def test_a_copy_of_a_licence_suspended_after_sharing_says_so(client, licence, citizen, clerk_scj):
    copy = copies.share_copy(actor=citizen, licence=licence, purpose=PURPOSE, hours=24)
    actions.suspend(actor=clerk_scj, licence=licence, reason="核查中")
    answer = client.get(f"/verify/copy/{copy.token}/")
    assert answer.status_code == 200
    assert 'data-testid="verdict"' in answer.content.decode()
    assert answer.context["result"].valid is False


def test_the_detail_page_shows_fields_events_and_the_wallet_links_to_it(client, licence, citizen):
    client.force_login(citizen)
    wallet = client.get("/licences/mine/").content.decode()
    assert f"/licences/mine/{licence.identifier}/" in wallet
    answer = client.get(f"/licences/mine/{licence.identifier}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "licence-events" in page and "share-form" in page and "use-log-empty" in page
    assert "110105********002X" in page and "11010519491231002X" not in page
