import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.regions.actions import create_region, validate_region_code
from yiwang.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    return create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)


@pytest.fixture
def admin_client(client, county):
    user = get_user_model().objects.create_superuser(
        username="root", password="Dabu@2026.gov", kind="staff"
    )
    force_login_with_second_factor(client, user)
    return client


def test_changelist_searches_codes_by_prefix(admin_client, county):
    create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)
    response = admin_client.get("/admin/regions/region/", {"q": "4414221"})
    assert response.status_code == 200
    assert "湖寮镇" in response.text
    assert "梅州市" not in response.text.split("result_list")[-1]
    response = admin_client.get("/admin/regions/region/", {"q": "湖寮", "level__exact": "4"})
    assert response.status_code == 200
    assert "湖寮镇" in response.text


def test_admin_add_goes_through_the_action(admin_client, county):
    response = admin_client.post(
        "/admin/regions/region/add/",
        {"code": "441422103", "name": "高陂镇", "level": "4", "parent": str(county.pk)},
    )
    assert response.status_code == 302, response.text
    region = Region.objects.get(code="441422103")
    assert region.path == "440000/441400/441422/441422103/"
    assert AuditEntry.objects.filter(action="regions.create", object_id=str(region.pk)).exists()


def test_admin_add_shows_code_errors(admin_client, county):
    response = admin_client.post(
        "/admin/regions/region/add/",
        {"code": "441423103", "name": "高陂镇", "level": "4", "parent": str(county.pk)},
    )
    assert response.status_code == 200
    assert "441422" in response.text
    assert not Region.objects.filter(code="441423103").exists()


def test_admin_add_shows_the_actions_own_message(admin_client, county):
    """The action's specific message reaches the page, not the form field's generic one
    for the same code (``required`` here: the parent field itself is optional)."""
    with pytest.raises(ValidationError) as raised:
        validate_region_code(code="441422104", name="西河镇", level=4, parent=None)
    expected = raised.value.message_dict["parent"]
    response = admin_client.post(
        "/admin/regions/region/add/", {"code": "441422104", "name": "西河镇", "level": "4"}
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors.as_data()["parent"][0].code == "required"
    assert form.errors["parent"] == expected
    assert not Region.objects.filter(code="441422104").exists()
