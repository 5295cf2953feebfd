"""Files chosen on a form that could not be submitted are kept for that form and that person,
shown as already attached, used on the next try and removable; abandoned ones are purged."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from yiwang.cases import pending
from yiwang.cases.models import Case, CaseMaterial, PendingUpload, Status

from .conftest import pdf_file, png_file

pytestmark = pytest.mark.django_db


def apply_url(world):
    return reverse("cases:apply", args=[world.food.pk])


def material(world, name="申请书"):
    return world.food.materials.get(name=name)


def post(client, world, key="k1", **data):
    return client.post(
        apply_url(world),
        {"submission_key": key, "intent": "submit", "item_version": world.food.version, **data},
    )


def test_files_are_kept_after_an_error_and_used_on_the_next_try(client, world):
    client.force_login(world.citizen)
    form = material(world)
    plan = material(world, "场所平面图")
    response = post(
        client,
        world,
        **{
            "f-shop_name": "客家小馆",
            "f-staff": "0",  # the error
            f"material_{form.pk}": pdf_file("申请书.pdf"),
            f"material_{plan.pk}": png_file("平面图.png"),
        },
    )
    assert response.status_code == 200 and not Case.objects.exists()
    html = response.content.decode()
    assert html.count('data-testid="kept-file"') == 2
    assert "申请书.pdf" in html and "平面图.png" in html
    kept = {row.material_id: row for row in PendingUpload.objects.all()}
    assert set(kept) == {form.pk, plan.pk} and kept[form.pk].owner == world.citizen
    assert default_storage.exists(kept[form.pk].file.name)

    # The next try sends no file at all: the kept ones are the case's materials.
    response = post(client, world, **{"f-shop_name": "客家小馆", "f-staff": "2"})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    files = {f.material_id: f for f in CaseMaterial.objects.filter(case=case)}
    assert set(files) == {form.pk, plan.pk}
    assert files[form.pk].original_name == "申请书.pdf"
    assert files[form.pk].sha256 == kept[form.pk].sha256
    assert default_storage.exists(files[form.pk].file.name)
    assert not PendingUpload.objects.exists()
    # The applicant can download it from the case.
    download = client.get(reverse("cases:download", args=[case.pk, files[form.pk].pk]))
    assert download.status_code == 200


def test_a_new_file_replaces_the_kept_one(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.citizen)
    form = material(world)
    post(client, world, **{"f-staff": "0", f"material_{form.pk}": pdf_file("old.pdf")})
    old_path = PendingUpload.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        new = pdf_file("new.pdf", size=10)
        post(client, world, **{"f-staff": "0", f"material_{form.pk}": new})
    row = PendingUpload.objects.get()
    assert row.original_name == "new.pdf"
    assert not default_storage.exists(old_path)


def test_a_removed_file_is_gone_and_the_material_required_again(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.citizen)
    form = material(world)
    post(client, world, **{"f-staff": "0", f"material_{form.pk}": pdf_file()})
    row = PendingUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        data = {"f-shop_name": "客家小馆", "f-staff": "2", "remove_kept": str(row.pk)}
        response = post(client, world, **data)
    assert response.status_code == 200 and not Case.objects.exists()
    assert not PendingUpload.objects.exists() and not default_storage.exists(row.file.name)
    assert f"material_{form.pk}" in response.context["materials"][0]["input"]
    assert response.context["materials"][0]["errors"]  # 申请书 is required again


def test_a_bad_file_is_not_kept(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.citizen)
    form = material(world)
    fake = SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")
    response = post(client, world, **{"f-staff": "2", f"material_{form.pk}": fake})
    assert not PendingUpload.objects.exists()
    assert response.context["materials"][0]["errors"]


def test_kept_files_belong_to_their_owner_and_form(client, world):
    client.force_login(world.citizen)
    form = material(world)
    post(client, world, key="mine", **{"f-staff": "0", f"material_{form.pk}": pdf_file()})
    row = PendingUpload.objects.get()
    # Another person using the same submission key sees nothing and cannot remove it.
    client.force_login(world.other_citizen)
    response = post(client, world, key="mine", **{"f-staff": "0", "remove_kept": str(row.pk)})
    assert 'data-testid="kept-file"' not in response.content.decode()
    assert PendingUpload.objects.filter(pk=row.pk).exists()
    # The owner's other, fresh form does not show it either.
    client.force_login(world.citizen)
    html = client.get(apply_url(world)).content.decode()
    assert 'data-testid="kept-file"' not in html


def test_files_stay_with_a_saved_draft(client, world):
    client.force_login(world.citizen)
    form = material(world)
    client.post(
        apply_url(world),
        {
            "submission_key": "draft-key",
            "intent": "draft",
            "f-shop_name": "半成品小店",
            f"material_{form.pk}": pdf_file("申请书.pdf"),
        },
    )
    draft = Case.objects.get(status=Status.DRAFT)
    assert draft.submission_key == "draft-key"
    page = client.get(apply_url(world))
    assert page.context["submission_key"] == "draft-key"
    assert 'data-testid="kept-file"' in page.content.decode()
    # Drafts' files survive the purge; abandoned forms' do not.
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert pending.purge_stale() == 0
    response = client.post(
        apply_url(world),
        {
            "submission_key": "draft-key",
            "intent": "submit",
            "draft": draft.pk,
            "f-shop_name": "半成品小店",
            "f-staff": "2",
        },
    )
    draft.refresh_from_db()
    assert response["Location"] == reverse("cases:detail", args=[draft.pk])
    assert draft.status == Status.SUBMITTED
    assert CaseMaterial.objects.filter(case=draft, material=form).exists()


def test_abandoned_files_are_purged(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.citizen)
    form = material(world)
    post(client, world, **{"f-staff": "0", f"material_{form.pk}": pdf_file()})
    row = PendingUpload.objects.get()
    assert pending.purge_stale() == 0  # still fresh
    later = timezone.now() + timedelta(hours=pending.KEEP_HOURS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert pending.purge_stale(now=later) == 1
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(row.file.name)


def test_window_intake_keeps_files_for_the_clerk(client, world):
    client.force_login(world.window_huliao)
    item = world.relief
    form = item.materials.get(name="申请书")
    url = reverse("cases:intake_form", args=[item.pk])
    base = {
        "hall": world.hall_huliao.pk,
        "applicant_name": "王芳",
        "applicant_id_number": "440524188001010014",
        "applicant_phone": "13900001111",
        "f-shop_name": "x",
        "submission_key": "walk-in-1",
    }
    response = client.post(url, {**base, "f-staff": "0", f"material_{form.pk}": pdf_file()})
    assert 'data-testid="kept-file"' in response.content.decode()
    assert PendingUpload.objects.get().owner == world.window_huliao
    response = client.post(url, {**base, "f-staff": "1"})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert CaseMaterial.objects.filter(case=case, material=form).exists()
    assert not PendingUpload.objects.exists()
