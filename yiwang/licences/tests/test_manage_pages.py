"""The department's licence pages: who sees what, status changes through the pages, renewal,
and issuing by hand (enterprise and person holders, with and without an account)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from yiwang.licences import actions
from yiwang.licences.actions import Holder
from yiwang.licences.models import HolderKind, Licence, LicenceEvent, LicenceType, Status
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM

pytestmark = pytest.mark.django_db
MANAGE = "/licences/manage/"
FIELDS = {"经营场所": "湖寮镇大埔大道1号", "主体业态": "餐饮服务经营者"}


@pytest.fixture
def licence(seal, clerk_scj, food_type, enterprise):
    return actions.issue(
        actor=clerk_scj,
        licence_type=food_type,
        holder=Holder.of_enterprise(enterprise),
        fields=FIELDS,
    )


@pytest.fixture
def person_type(depts):
    return LicenceType.objects.create(
        code="11100000000013338W041",
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=10,
        issuer=depts["scj"],
        fields=[{"key": "残疾类别", "label": "残疾类别"}],
    )


def page(licence, suffix=""):
    return f"{MANAGE}{licence.identifier}/{suffix}"


def said(message: str) -> str:
    """``message`` as the pages say it (in the site's default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


# --- who sees what ------------------------------------------------------------------------


def test_a_citizen_gets_403(client, citizen, licence):
    client.force_login(citizen)
    assert client.get(MANAGE).status_code == 403
    assert client.get(page(licence)).status_code == 403
    answer = client.post(page(licence, "revoke/"), {"reason": "x", "confirm": "on"})
    assert answer.status_code == 403
    assert Licence.objects.get(pk=licence.pk).status == Status.VALID


def test_staff_without_a_department_post_get_403(client, places, licence):
    nobody = build.make_staff(SYSTEM, "no_post", None, None, places["county"])
    client.force_login(nobody)
    assert client.get(MANAGE).status_code == 403
    assert client.get(MANAGE + "issue/").status_code == 403
    assert client.get(MANAGE + "import/").status_code == 403


def test_staff_of_another_department_can_neither_see_nor_act(client, clerk_mzj, licence):
    client.force_login(clerk_mzj)
    listing = client.get(MANAGE)
    assert listing.status_code == 200
    assert licence.identifier not in listing.content.decode()
    assert client.get(page(licence)).status_code == 404
    for operation in ("suspend", "revoke", "cancel"):
        answer = client.post(page(licence, f"{operation}/"), {"reason": "x", "confirm": "on"})
        assert answer.status_code == 404
    assert client.post(page(licence, "renew/"), {"confirm": "on"}).status_code == 404
    assert Licence.objects.get(pk=licence.pk).status == Status.VALID
    assert list(licence.events.values_list("operation", flat=True)) == ["issue"]


def test_the_list_filters_and_searches(client, clerk_scj, licence, food_type):
    client.force_login(clerk_scj)
    html = client.get(MANAGE).content.decode()
    assert licence.identifier in html and food_type.code in html  # the licence and the types
    for query in (licence.number, licence.identifier[-12:], "客家饭店", "92441422MA4X0YJ12M"):
        html = client.get(MANAGE, {"q": query}).content.decode()
        assert licence.identifier in html, query
    assert licence.identifier not in client.get(MANAGE, {"q": "没有"}).content.decode()
    assert licence.identifier not in client.get(MANAGE, {"status": "03"}).content.decode()
    html = client.get(MANAGE, {"status": "01", "type": food_type.pk}).content.decode()
    assert licence.identifier in html
    # nonsense in the filters is ignored, not an error
    assert client.get(MANAGE, {"type": "x", "status": "zz", "page": "-1"}).status_code == 200


def test_the_detail_shows_metadata_and_the_timeline(client, clerk_scj, licence):
    client.force_login(clerk_scj)
    html = client.get(page(licence)).content.decode()
    assert licence.number in html and "湖寮镇大埔大道1号" in html
    assert 'data-operation="issue"' in html
    assert 'data-testid="suspend"' in html and 'data-testid="restore"' not in html


def test_the_staff_navigation_links_to_the_pages(client, clerk_scj):
    client.force_login(clerk_scj)
    assert 'href="/licences/manage/"' in client.get("/notices/").content.decode()


# --- status changes -----------------------------------------------------------------------


def test_suspending_without_a_reason_shows_the_error_and_changes_nothing(
    client, clerk_scj, licence
):
    client.force_login(clerk_scj)
    assert client.get(page(licence, "suspend/")).status_code == 200
    answer = client.post(page(licence, "suspend/"), {"reason": "  ", "confirm": "on"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="id_reason_error"' in html and said("Give the reason; the holder sees it.") in html
    assert Licence.objects.get(pk=licence.pk).status == Status.VALID
    assert LicenceEvent.objects.filter(licence=licence).count() == 1
    # without the tick box neither
    answer = client.post(page(licence, "suspend/"), {"reason": "整改"})
    assert answer.status_code == 400
    assert Licence.objects.get(pk=licence.pk).status == Status.VALID


def test_suspend_then_restore_through_the_pages(client, clerk_scj, licence):
    client.force_login(clerk_scj)
    answer = client.post(page(licence, "suspend/"), {"reason": "责令整改", "confirm": "on"})
    assert answer.status_code == 302 and answer["Location"] == page(licence)
    assert Licence.objects.get(pk=licence.pk).status == Status.SUSPENDED
    assert 'data-testid="restore"' in client.get(page(licence)).content.decode()
    # an operation the status does not allow is refused, and says why
    answer = client.post(page(licence, "suspend/"), {"reason": "再次", "confirm": "on"})
    assert answer.status_code == 400
    answer = client.post(page(licence, "restore/"), {"confirm": "on"})
    assert answer.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == Status.VALID
    ops = list(licence.events.values_list("operation", "reason"))
    assert ops == [("issue", ""), ("suspend", "责令整改"), ("restore", "")]
    assert client.get(page(licence, "explode/")).status_code == 404


def test_revoking_through_the_page_makes_the_public_verification_say_revoked(
    client, clerk_scj, licence
):
    client.force_login(clerk_scj)
    answer = client.post(page(licence, "revoke/"), {"reason": "以欺骗手段取得", "confirm": "on"})
    assert answer.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == Status.REVOKED
    client.logout()
    html = client.get(f"/verify/{licence.identifier}").content.decode()
    assert 'data-valid="false"' in html


def test_cancel_needs_a_reason_too(client, clerk_scj, licence):
    client.force_login(clerk_scj)
    answer = client.post(page(licence, "cancel/"), {"confirm": "on"})
    assert answer.status_code == 400
    answer = client.post(page(licence, "cancel/"), {"reason": "申请注销", "confirm": "on"})
    assert answer.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == Status.CANCELLED


def test_a_change_through_the_page_issues_the_next_version(client, clerk_scj, licence):
    client.force_login(clerk_scj)
    form = client.get(page(licence, "renew/")).content.decode()
    assert "湖寮镇大埔大道1号" in form  # the fields come filled in
    answer = client.post(
        page(licence, "renew/"),
        {
            "valid_from": "2026-12-01",
            "ext_0": "湖寮镇新城路8号",
            "ext_1": "餐饮服务经营者",
            "confirm": "on",
        },
    )
    assert answer.status_code == 302
    new = Licence.objects.get(previous=licence)
    assert answer["Location"] == page(new)
    assert new.version == "002" and new.number == licence.number
    assert new.metadata["extension"]["经营场所"] == "湖寮镇新城路8号"
    assert new.valid_from == dt.date(2026, 12, 1)
    assert list(new.events.values_list("operation", flat=True)) == ["change"]
    assert Licence.objects.get(pk=licence.pk).status == Status.EXPIRED
    # the old version can be renewed no more
    answer = client.post(page(licence, "renew/"), {"valid_from": "2026-12-01", "confirm": "on"})
    assert answer.status_code == 400
    assert Licence.objects.filter(previous=licence).count() == 1


# --- issuing by hand ----------------------------------------------------------------------


def test_issuing_to_an_enterprise_by_hand(client, clerk_scj, seal, food_type, enterprise):
    client.force_login(clerk_scj)
    chooser = client.get(MANAGE + "issue/").content.decode()
    assert 'data-testid="choose-type"' in chooser and "食品经营许可证" in chooser
    assert "经营场所" in client.get(MANAGE + "issue/", {"type": food_type.pk}).content.decode()
    answer = client.post(
        MANAGE + "issue/",
        {
            "type": food_type.pk,
            "holder_code": "92441422ma4x0yj12m",  # small letters are normalised
            "holder_name": "",  # the enterprise record's name
            "valid_from": "2026-12-01",
            "ext_0": "湖寮镇大埔大道1号",
        },
    )
    assert answer.status_code == 302
    licence = Licence.objects.get()
    assert answer["Location"] == page(licence)
    assert licence.holder_enterprise == enterprise and licence.holder_name == enterprise.name
    assert licence.holder_code == "92441422MA4X0YJ12M"
    assert licence.metadata["extension"] == {"经营场所": "湖寮镇大埔大道1号"}
    assert licence.identifier in client.get(MANAGE).content.decode()


def test_issuing_to_a_person_links_the_account_when_there_is_one(
    client, clerk_scj, seal, person_type, citizen
):
    client.force_login(clerk_scj)
    data = {"type": person_type.pk, "valid_from": "2026-12-01", "ext_0": "肢体"}
    answer = client.post(MANAGE + "issue/", {**data, "holder_code": citizen.id_number})
    assert answer.status_code == 302
    linked = Licence.objects.get()
    assert linked.holder_user == citizen and linked.holder_name == citizen.real_name
    # a person without an account: the name must be typed
    answer = client.post(MANAGE + "issue/", {**data, "holder_code": "441422199005185387"})
    assert answer.status_code == 400
    assert 'id="id_holder_name_error"' in answer.content.decode()
    answer = client.post(
        MANAGE + "issue/", {**data, "holder_code": "441422199005185387", "holder_name": "王芳"}
    )
    assert answer.status_code == 302
    unlinked = Licence.objects.exclude(pk=linked.pk).get()
    assert unlinked.holder_user is None and unlinked.holder_name == "王芳"


def test_a_bad_holder_code_is_refused_before_anything_is_signed(
    client, clerk_scj, seal, person_type, food_type
):
    client.force_login(clerk_scj)
    answer = client.post(
        MANAGE + "issue/",
        {
            "type": person_type.pk,
            "holder_code": "441422199005185388",
            "holder_name": "王芳",
            "valid_from": "2026-12-01",
        },
    )
    assert answer.status_code == 400
    answer = client.post(
        MANAGE + "issue/",
        {
            "type": food_type.pk,
            "holder_code": "92441422MA4X0YJ12N",
            "holder_name": "某公司",
            "valid_from": "2026-12-01",
        },
    )
    assert answer.status_code == 400 and 'id="id_holder_code_error"' in answer.content.decode()
    assert not Licence.objects.exists()


def test_a_type_of_another_department_cannot_be_chosen(client, clerk_mzj, food_type):
    client.force_login(clerk_mzj)
    answer = client.post(
        MANAGE + "issue/",
        {"type": food_type.pk, "holder_code": "92441422MA4X0YJ12M", "valid_from": "2026-12-01"},
    )
    assert answer.status_code == 200 and 'data-testid="choose-type"' in answer.content.decode()
    assert not Licence.objects.exists()


def test_without_a_seal_the_error_is_shown(client, clerk_scj, food_type, enterprise):
    client.force_login(clerk_scj)
    answer = client.post(
        MANAGE + "issue/",
        {"type": food_type.pk, "holder_code": enterprise.uscc, "valid_from": "2026-12-01"},
    )
    assert answer.status_code == 400
    assert 'data-testid="form-errors"' in answer.content.decode()
    assert not Licence.objects.exists()
