"""Pages of cases: apply, my cases, detail, workbench, intake, PDFs; scope on every page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.cases import actions
from yiwang.cases.models import Case, Status
from yiwang.web.testing import pdf_text

from .conftest import PASSWORD, pdf_file

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_apply_form_renders_schema_and_materials(client, world):
    login(client, world.citizen)
    page = client.get(reverse("cases:apply", args=[world.food.pk])).content.decode()
    assert "经营者名称" in page and "从业人员数" in page
    assert 'type="file"' in page and "申请书" in page
    assert 'name="submission_key"' in page


def test_apply_requires_login(client, world):
    response = client.get(reverse("cases:apply", args=[world.food.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_apply_submit_with_errors_keeps_input_and_writes_nothing(client, world):
    login(client, world.citizen)
    response = client.post(
        reverse("cases:apply", args=[world.food.pk]),
        {"f-shop_name": "客家小馆", "f-staff": "0", "submission_key": "abc", "intent": "submit"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "客家小馆" in html  # what the applicant typed is kept
    assert 'data-testid="field-error"' in html
    assert Case.objects.count() == 0


def test_apply_submit_and_double_submit(client, world):
    login(client, world.citizen)
    material = world.food.materials.get(name="申请书")
    data = {
        "f-shop_name": "客家小馆",
        "f-staff": "2",
        "submission_key": "once",
        "intent": "submit",
        "item_version": world.food.version,
    }
    r1 = client.post(
        reverse("cases:apply", args=[world.food.pk]),
        {**data, f"material_{material.pk}": pdf_file()},
    )
    r2 = client.post(
        reverse("cases:apply", args=[world.food.pk]),
        {**data, f"material_{material.pk}": pdf_file()},
    )
    case = Case.objects.get()
    assert r1["Location"] == r2["Location"] == reverse("cases:detail", args=[case.pk])


def test_draft_and_resume(client, world):
    login(client, world.citizen)
    client.post(
        reverse("cases:apply", args=[world.food.pk]),
        {"f-shop_name": "半成品小店", "f-staff": "", "submission_key": "d", "intent": "draft"},
    )
    draft = Case.objects.get(status=Status.DRAFT)
    assert draft.form_data == {"shop_name": "半成品小店"}
    page = client.get(reverse("cases:apply", args=[world.food.pk])).content.decode()
    assert "半成品小店" in page


def test_detail_visible_to_applicant_and_scoped_staff_only(client, world, submit):
    case = submit()
    url = reverse("cases:detail", args=[case.pk])
    assert login(client, world.citizen).get(url).status_code == 200
    assert login(client, world.other_citizen).get(url).status_code == 404
    assert login(client, world.reviewer).get(url).status_code == 200
    assert login(client, world.reviewer_mzj).get(url).status_code == 404
    assert login(client, world.reviewer_huliao).get(url).status_code == 404
    assert login(client, world.leader).get(url).status_code == 200


def test_staff_act_through_the_page(client, world, submit):
    case = submit()
    login(client, world.reviewer)
    client.post(reverse("cases:act", args=[case.pk]), {"action": "accept", "version": case.version})
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    # another department's reviewer is refused
    login(client, world.reviewer_mzj)
    r = client.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "pass_review", "opinion": "x", "version": case.version},
    )
    assert r.status_code == 404
    # a stale form is refused with a message, nothing changes
    login(client, world.reviewer)
    r = client.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "pass_review", "opinion": "ok", "version": case.version - 1},
        follow=True,
    )
    case.refresh_from_db()
    assert case.current_step == "review"
    assert any(m.level_tag == "error" for m in r.context["messages"])


def test_citizen_cannot_use_staff_actions(client, world, submit):
    case = submit()
    login(client, world.citizen)
    r = client.post(
        reverse("cases:act", args=[case.pk]), {"action": "accept", "version": case.version}
    )
    assert r.status_code == 403


def test_workbench_inbox_is_scoped(client, world, submit):
    case = submit()
    assert (
        case.number
        in login(client, world.reviewer).get(reverse("cases:workbench")).content.decode()
    )
    assert (
        case.number
        not in login(client, world.reviewer_mzj).get(reverse("cases:workbench")).content.decode()
    )
    assert (
        case.number
        not in login(client, world.reviewer_huliao).get(reverse("cases:workbench")).content.decode()
    )
    # the approver has nothing to do until the decision step
    assert (
        case.number
        not in login(client, world.approver).get(reverse("cases:workbench")).content.decode()
    )
    assert login(client, world.citizen).get(reverse("cases:workbench")).status_code == 403


def test_workbench_query_count_is_independent_of_page_size(client, world, submit):
    login(client, world.reviewer)
    submit()
    client.get(reverse("cases:workbench"))  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:workbench"))
    for _ in range(15):
        submit()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("cases:workbench"))
    assert len(many) == len(few)


def test_workbench_overdue_first_and_filters(client, world, submit):
    import datetime

    a, b = submit(), submit()
    Case.objects.filter(pk=b.pk).update(due_at=datetime.date(2020, 1, 2), deadline_status="overdue")
    login(client, world.reviewer)
    html = client.get(reverse("cases:workbench")).content.decode()
    assert html.index(b.number) < html.index(a.number)
    html = client.get(reverse("cases:workbench") + "?deadline=overdue").content.decode()
    assert b.number in html and a.number not in html


def test_bulk_accept_page(client, world, submit):
    a, b = submit(), submit()
    login(client, world.reviewer)
    client.post(reverse("cases:bulk_accept"), {"case": [a.pk, b.pk]})
    assert set(Case.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}
    # out-of-scope ids make the whole batch fail
    c = submit()
    login(client, world.reviewer_mzj)
    client.post(reverse("cases:bulk_accept"), {"case": [c.pk]})
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED


def test_window_intake_pages(client, world):
    login(client, world.window_huliao)
    page = client.get(reverse("cases:intake")).content.decode()
    assert "临时救助" in page  # 高陂镇's county-wide item is offered at 湖寮镇's hall
    assert "农村宅基地用地审批" not in page  # not county-wide: only at 高陂镇's halls
    material = world.relief.materials.get(name="申请书")
    r = client.post(
        reverse("cases:intake_form", args=[world.relief.pk]),
        {
            "hall": world.hall_huliao.pk,
            "applicant_name": "王芳",
            "applicant_id_number": "91350100M000100Y4Z",
            "applicant_phone": "13900001111",
            "f-shop_name": "x",
            "f-staff": "1",
            "submission_key": "s1",
            f"material_{material.pk}": pdf_file(),
        },
    )
    assert r.status_code == 200 and Case.objects.count() == 0
    r = client.post(
        reverse("cases:intake_form", args=[world.relief.pk]),
        {
            "hall": world.hall_huliao.pk,
            "applicant_name": "王芳",
            "applicant_id_number": "440524188001010014",
            "applicant_phone": "13900001111",
            "f-shop_name": "x",
            "f-staff": "1",
            "submission_key": "s2",
            f"material_{material.pk}": pdf_file(),
        },
    )
    case = Case.objects.get()
    assert r["Location"] == reverse("cases:detail", args=[case.pk])
    assert client.get(r["Location"]).status_code == 200  # visible at the intake hall
    # staff without a window post cannot use intake
    assert login(client, world.reviewer).get(reverse("cases:intake")).status_code == 403


def test_receipt_and_decision_pdfs(client, world, submit):
    case = submit()
    login(client, world.citizen)
    r = client.get(reverse("cases:receipt", args=[case.pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert case.number in text and "食品经营许可" in text
    assert (
        client.get(reverse("cases:decision", args=[case.pk])).status_code == 404
    )  # not decided yet
    case = actions.accept(actor=world.reviewer, case=case)
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="ok")
    case = actions.decide(actor=world.approver, case=case, approve=True, reason="")
    case = actions.conclude(actor=world.reviewer, case=case)
    r = client.get(reverse("cases:decision", args=[case.pk]))
    assert r.status_code == 200 and "食品经营许可" in pdf_text(r.content)
    login(client, world.other_citizen)
    assert client.get(reverse("cases:decision", args=[case.pk])).status_code == 404


def test_track_page_shows_no_personal_data(client, world, submit):
    case = submit()
    html = client.get(reverse("cases:track", args=[case.track_token])).content.decode()
    assert case.number in html and "11010519491231002X" not in html and "李梅" not in html
    assert client.get(reverse("cases:track", args=["nope"])).status_code == 404


def test_file_download_is_scoped(client, world, submit):
    case = submit()
    f = case.files.get()
    url = reverse("cases:download", args=[case.pk, f.pk])
    assert login(client, world.citizen).get(url).status_code == 200
    assert login(client, world.other_citizen).get(url).status_code == 404


def test_api_mine_inbox_and_detail(client, world, submit):
    case = submit()
    login(client, world.citizen)
    data = client.get("/api/v1/cases/mine").json()
    assert [c["number"] for c in data["items"]] == [case.number]
    assert client.get("/api/v1/cases/inbox").status_code == 403
    login(client, world.reviewer)
    assert client.get("/api/v1/cases/inbox").json()["items"][0]["id"] == case.pk
    login(client, world.reviewer_mzj)
    assert client.get("/api/v1/cases/inbox").json()["items"] == []
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    client.logout()
    assert client.get("/api/v1/cases/mine").status_code == 401


def test_password_login_then_workbench(client, world):
    assert client.login(username="reviewer_scj", password=PASSWORD)
    assert client.get(reverse("cases:workbench")).status_code == 200


def test_staff_reveal_applicant_id_is_audited_and_scoped(client, world, submit):
    from yiwang.audit.models import AuditEntry

    case = submit()
    url = reverse("cases:reveal", args=[case.pk, "id_number"])
    why = {"purpose": "contact", "reason": "电话通知补正材料"}
    html = login(client, world.reviewer).post(url, why).content.decode()
    assert "11010519491231002X" in html
    assert (
        AuditEntry.objects.filter(action="personal_data.reveal", object_id=str(case.pk)).count()
        == 1
    )
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "11010519491231002X" not in detail and "110105********002X" in detail
    assert login(client, world.reviewer_mzj).post(url, why).status_code == 404
    assert login(client, world.citizen).post(url, why).status_code == 403
    assert AuditEntry.objects.filter(action="personal_data.reveal").count() == 1
