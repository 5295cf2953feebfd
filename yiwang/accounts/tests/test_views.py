import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions
from yiwang.accounts.models import EnterpriseAgent, User
from yiwang.accounts.queries import ACTING_ENTERPRISE_SESSION_KEY, current_enterprise
from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, make_id_number, solved_captcha

pytestmark = [pytest.mark.django_db]


def registration(**overrides):
    data = {
        "username": "wangfang",
        "real_name": "王芳",
        "id_number": make_id_number("19920718", 402),
        "phone": "13900139000",
        "password1": "Hakka2026x",
        "password2": "Hakka2026x",
        **solved_captcha(),
    }
    data.update(overrides)
    return data


def test_register_logs_in_and_shows_profile(client):
    response = client.post(reverse("accounts:register"), registration())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(username="wangfang")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert user.masked_id_number in page and user.id_number not in page
    assert user.masked_phone in page and "13900139000" not in page
    assert reverse("accounts:reveal", args=["id_number"]) in page


def test_register_shows_specific_errors_on_fields(client):
    response = client.post(
        reverse("accounts:register"),
        registration(id_number="110105194912310021", password2="Other2026x"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "110105194912310021" in form.errors["id_number"][0]
    assert form.errors["password2"]
    assert not User.objects.exists()
    response = client.post(
        reverse("accounts:register"), registration(password1="abcdefgh", password2="abcdefgh")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_change_password(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:password")
    response = client.post(url, {"old": "nope", "new1": "Hakka2026x", "new2": "Hakka2026x"})
    assert response.status_code == 400
    assert response.context["password_form"].errors["old"]
    response = client.post(url, {"old": PASSWORD, "new1": "Hakka2026x", "new2": "Hakka2026x"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Hakka2026x")
    assert client.session["_auth_user_id"] == str(citizen.pk)  # still logged in
    assert AuditEntry.objects.filter(action="accounts.password_changed").exists()


def test_elder_mode_toggle(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:elder-mode"), {"enabled": "1"})
    assert response.status_code == 302
    assert response.cookies["elder"].value == "1"
    citizen.refresh_from_db()
    assert citizen.elder_mode is True
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'class="elder"' in page
    client.post(reverse("accounts:elder-mode"), {"enabled": "0"})
    citizen.refresh_from_db()
    assert citizen.elder_mode is False
    assert AuditEntry.objects.filter(action="accounts.elder_mode").count() == 2


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302


def test_act_as_enterprise(client, citizen, rf):
    enterprise = actions.create_enterprise(
        actor=SYSTEM,
        name="大埔县客家味道餐饮有限公司",
        uscc="91350100M000100Y43",
        legal_representative="李梅",
    )
    actions.add_agent(
        actor=SYSTEM, enterprise=enterprise, user=citizen, is_legal_representative=True
    )
    client.force_login(citizen)
    page = client.get(reverse("accounts:act-as"))
    assert enterprise.name in page.content.decode()
    response = client.post(reverse("accounts:act-as"), {"enterprise": enterprise.pk})
    assert response.status_code == 302
    assert client.session[ACTING_ENTERPRISE_SESSION_KEY] == enterprise.pk
    assert AuditEntry.objects.filter(action="accounts.act_as", actor_id=citizen.pk).exists()

    request = rf.get("/")
    request.user = citizen
    request.session = {ACTING_ENTERPRISE_SESSION_KEY: enterprise.pk}
    assert current_enterprise(request) == enterprise
    # An expired authorisation no longer counts.
    EnterpriseAgent.objects.update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    request = rf.get("/")
    request.user = citizen
    request.session = {ACTING_ENTERPRISE_SESSION_KEY: enterprise.pk}
    assert current_enterprise(request) is None
    assert ACTING_ENTERPRISE_SESSION_KEY not in request.session

    # Back to acting as oneself.
    response = client.post(reverse("accounts:act-as"), {"enterprise": ""})
    assert response.status_code == 302
    assert ACTING_ENTERPRISE_SESSION_KEY not in client.session


def test_cannot_act_for_an_enterprise_one_is_not_agent_of(client, citizen, citizen2):
    enterprise = actions.create_enterprise(
        actor=SYSTEM, name="别人的公司", uscc="91350100M000100Y43", legal_representative="张伟"
    )
    actions.add_agent(actor=SYSTEM, enterprise=enterprise, user=citizen2)
    client.force_login(citizen)
    response = client.post(reverse("accounts:act-as"), {"enterprise": enterprise.pk})
    assert response.status_code == 400
    assert ACTING_ENTERPRISE_SESSION_KEY not in client.session


def test_admin_never_shows_personal_data_or_ciphertext(client, citizen):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    force_login_with_second_factor(client, admin)
    with_raw = User.objects.filter(pk=citizen.pk).values_list("id", flat=True)
    assert with_raw
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {User._meta.db_table} WHERE id = %s", [citizen.pk])  # noqa: S608
        ciphertext = cursor.fetchone()[0]
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[citizen.pk]),
    ):
        body = client.get(url).content.decode()
        assert citizen.masked_id_number in body
        assert citizen.id_number not in body
        assert ciphertext[:20] not in body
        assert "13800138001" not in body
    # Exact search by ID number through the blind index.
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": citizen.id_number})
    assert citizen.masked_id_number in response.content.decode()


def _inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_admin_enterprise_with_agent_goes_through_actions(client, citizen, staff):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    force_login_with_second_factor(client, admin)
    url = reverse("admin:accounts_enterprise_add")
    base = {"name": "大埔县客家味道餐饮有限公司", "legal_representative": "李梅", "address": ""}
    response = client.post(
        url, {**base, "uscc": "91350100M000100Y4Z", **_inline("enterpriseagent_set", [])}
    )
    assert response.status_code == 200
    assert "“Z”" in response.content.decode()
    response = client.post(
        url,
        {
            **base,
            "uscc": "91350100M000100Y43",
            **_inline("enterpriseagent_set", [{"user": staff.pk, "is_legal_representative": "on"}]),
        },
    )
    assert response.status_code == 200  # staff cannot be agents
    response = client.post(
        url,
        {
            **base,
            "uscc": "91350100M000100Y43",
            **_inline(
                "enterpriseagent_set", [{"user": citizen.pk, "is_legal_representative": "on"}]
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agent = EnterpriseAgent.objects.get()
    assert agent.user == citizen and agent.is_legal_representative
    assert AuditEntry.objects.filter(action="accounts.agent_added", actor_id=admin.pk).exists()


def test_admin_grants_post_through_actions(client, staff, regions, departments):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    force_login_with_second_factor(client, admin)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    existing = staff.posts.get()
    page = client.get(url)
    assert page.status_code == 200
    form_data = {
        "username": staff.username,
        "kind": "staff",
        "real_name": staff.real_name,
        "realname_level": str(staff.realname_level),
        "email": "",
        "is_active": "on",
        **_inline(
            "posts",
            [
                {
                    "id": existing.pk,
                    "user": staff.pk,
                    "role": "reviewer",
                    "department": departments["scj"].pk,
                    "region": regions["county"].pk,
                    "active": "on",
                },
                {
                    "user": staff.pk,
                    "role": "approver",
                    "department": departments["mzj"].pk,
                    "region": regions["huliao"].pk,
                    "active": "on",
                },
            ],
            initial=1,
        ),
        **_inline("enterpriseagent_set", []),
    }
    response = client.post(url, form_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(staff.posts.values_list("role", flat=True)) == {"reviewer", "approver"}
    assert AuditEntry.objects.filter(action="accounts.post_added").exists()
    # End the first post.
    form_data["posts-0-active"] = ""
    form_data.update(
        _inline(
            "posts",
            [
                {
                    "id": existing.pk,
                    "user": staff.pk,
                    "role": "reviewer",
                    "department": departments["scj"].pk,
                    "region": regions["county"].pk,
                },
            ],
            initial=1,
        )
    )
    form_data["posts-TOTAL_FORMS"] = "2"
    form_data["posts-INITIAL_FORMS"] = "2"
    second = staff.posts.get(role="approver")
    form_data.update(
        {
            "posts-1-id": second.pk,
            "posts-1-user": staff.pk,
            "posts-1-role": "approver",
            "posts-1-department": departments["mzj"].pk,
            "posts-1-region": regions["huliao"].pk,
            "posts-1-active": "on",
        }
    )
    response = client.post(url, form_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    existing.refresh_from_db()
    assert existing.active is False
    assert AuditEntry.objects.filter(action="accounts.post_ended").exists()
