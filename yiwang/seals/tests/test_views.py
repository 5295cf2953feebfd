"""Pages: who gets in (the department's administrators and the platform administrators; other
departments' administrators, staff and citizens get 403), the list without per-row queries,
the seal page, creating, rotating, replacing the picture and deactivating through the forms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.seals import actions, signing
from yiwang.seals.models import ImageSource, Seal, SealKey, SealKind
from yiwang.testing.county import BUILDER as SYSTEM

from .conftest import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def seal_urls(seal) -> list[str]:
    return [
        reverse("seals:detail", args=[seal.pk]),
        reverse("seals:image", args=[seal.pk]),
        reverse("seals:replace_image", args=[seal.pk]),
        reverse("seals:rotate", args=[seal.pk]),
        reverse("seals:deactivate", args=[seal.pk]),
    ]


# --- who gets in ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_mzj", "reviewer_scj", "citizen"])
def test_others_get_403_on_every_page_and_change_nothing(client, seal, who, request):
    login(client, request.getfixturevalue(who))
    for url in seal_urls(seal):
        assert client.get(url).status_code == 403, url
    for url in seal_urls(seal)[2:]:
        response = client.post(url, {"confirm": "on", "reason": "x", "use": "generated"})
        assert response.status_code == 403, url
    seal.refresh_from_db()
    assert seal.active and SealKey.objects.filter(seal=seal).count() == 1


def test_the_back_office_pages_are_for_administrators(client, reviewer_scj, citizen, admin_mzj):
    for user in (reviewer_scj, citizen):
        login(client, user)
        assert client.get(reverse("seals:index")).status_code == 403
        assert client.get(reverse("seals:create")).status_code == 403
    client.logout()
    assert client.get(reverse("seals:index")).status_code == 302  # to the login page
    login(client, admin_mzj)
    assert client.get(reverse("seals:index")).status_code == 200


def test_unknown_and_absurd_seal_ids_are_404(client, admin_scj):
    login(client, admin_scj)
    assert client.get("/seals/999999/").status_code == 404
    assert client.get(f"/seals/{2**70}/").status_code == 404


# --- list ----------------------------------------------------------------------------------


def test_the_list_shows_own_seals_only_and_its_queries_do_not_grow(
    client, seal, admin_scj, admin_mzj, authority, depts
):
    other = actions.create_seal(actor=admin_mzj, department=depts["mzj"])
    login(client, admin_scj)
    html = client.get(reverse("seals:index")).content.decode()
    key = SealKey.objects.get(seal=seal)
    assert f'data-seal="{seal.pk}"' in html and key.key_id in html
    assert f'data-seal="{other.pk}"' not in html
    login(client, authority)
    html = client.get(reverse("seals:index")).content.decode()
    assert f'data-seal="{seal.pk}"' in html and f'data-seal="{other.pk}"' in html

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("seals:index"))
    for kind in (SealKind.APPROVAL, SealKind.LICENCE, SealKind.BUSINESS):
        made = actions.create_seal(actor=authority, department=depts["sjj"], kind=kind)
        actions.rotate_key(actor=authority, seal=made)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("seals:index")).content.decode()
    assert len(many) == len(few)
    assert html.count("data-seal=") == 5


# --- seal page -----------------------------------------------------------------------------


def test_the_seal_page_shows_key_history_and_recent_signatures(client, seal, admin_scj):
    old = SealKey.objects.get(seal=seal)
    signing.sign(seal, b"licence metadata", purpose="证照签发 测试", actor=SYSTEM)
    new = actions.rotate_key(actor=admin_scj, seal=seal)
    login(client, admin_scj)
    response = client.get(reverse("seals:detail", args=[seal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert new.public_key in html and f'data-key="{old.key_id}"' in html
    assert "证照签发 测试" in html and old.key_id in html
    picture = client.get(reverse("seals:image", args=[seal.pk]))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content).startswith(b"\x89PNG")


# --- forms ---------------------------------------------------------------------------------


def test_create_a_seal_through_the_form(client, admin_scj, depts):
    login(client, admin_scj)
    page = client.get(reverse("seals:create")).content.decode()
    assert depts["scj"].name in page and depts["mzj"].name not in page  # own department only
    response = client.post(
        reverse("seals:create"),
        {"department": depts["scj"].pk, "name": "", "kind": SealKind.APPROVAL},
    )
    seal = Seal.objects.get()
    assert response.status_code == 302 and response.url == reverse("seals:detail", args=[seal.pk])
    assert seal.kind == SealKind.APPROVAL and SealKey.objects.filter(seal=seal).count() == 1


def test_the_create_form_shows_each_problem_in_chinese(client, admin_scj, depts):
    login(client, admin_scj)
    response = client.post(
        reverse("seals:create"),
        {
            "department": depts["scj"].pk,
            "name": "印" * 45,
            "kind": SealKind.OFFICIAL,
            "image": upload(jpeg_bytes(), "seal.jpg", "image/jpeg"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "最多 40 个字" in html and "PNG" in html
    response = client.post(
        reverse("seals:create"), {"department": depts["mzj"].pk, "kind": SealKind.OFFICIAL}
    )
    assert response.status_code == 400  # another department is not a choice
    assert not Seal.objects.exists()


def test_rotation_needs_the_confirmation(client, seal, admin_scj):
    login(client, admin_scj)
    url = reverse("seals:rotate", args=[seal.pk])
    assert 'data-testid="rotate-form"' in client.get(url).content.decode()
    response = client.post(url, {"reason": "定期更换"})
    assert response.status_code == 400 and "勾选" in response.content.decode()
    assert SealKey.objects.filter(seal=seal).count() == 1
    response = client.post(url, {"reason": "定期更换", "confirm": "on"}, follow=True)
    new = SealKey.objects.get(seal=seal, retired_at__isnull=True)
    assert response.status_code == 200 and new.key_id in response.content.decode()
    assert SealKey.objects.filter(seal=seal).count() == 2


def test_replace_the_picture_through_the_form(client, seal, admin_scj):
    login(client, admin_scj)
    url = reverse("seals:replace_image", args=[seal.pk])
    response = client.post(url, {"use": "upload", "image": upload(jpeg_bytes())})
    assert response.status_code == 400 and "必须是 PNG" in response.content.decode()
    response = client.post(url, {"use": "upload"})
    assert response.status_code == 400  # no file chosen
    response = client.post(url, {"use": "upload", "image": upload(png_bytes())})
    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.image_source == ImageSource.UPLOADED
    assert client.post(url, {"use": "generated"}).status_code == 302
    seal.refresh_from_db()
    assert seal.image_source == ImageSource.GENERATED


def test_deactivate_through_the_form(client, seal, admin_scj):
    login(client, admin_scj)
    url = reverse("seals:deactivate", args=[seal.pk])
    response = client.post(url, {"confirm": "on", "reason": ""})
    assert response.status_code == 400 and "审计日志" in response.content.decode()
    response = client.post(url, {"confirm": "on", "reason": "机构改革"})
    assert response.status_code == 302
    seal.refresh_from_db()
    assert not seal.active
    html = client.get(reverse("seals:detail", args=[seal.pk])).content.decode()
    assert 'data-testid="rotate"' not in html  # nothing left to change


def test_empty_posts_are_answered_with_the_forms_and_their_errors(client, seal, admin_scj):
    login(client, admin_scj)
    for url in [reverse("seals:create"), *seal_urls(seal)[2:]]:
        response = client.post(url, {})
        assert response.status_code == 400, url
        assert 'role="alert"' in response.content.decode(), url
    seal.refresh_from_db()
    assert seal.active and SealKey.objects.filter(seal=seal).count() == 1
