"""The admin pages carry the platform's accessibility fixes for Django's admin.

What the fixes do in a browser (links underlined, controls named) is checked by the
accessibility sweep (tests/e2e/test_accessibility_sweep.py); here, that every kind of admin
page loads them, from files that exist, and still draws Django's own header.
"""

import pytest
from django.contrib.staticfiles import finders

from yiwang.accounts.testing import force_login_with_second_factor
from yiwang.testing.county import make_superuser

pytestmark = [pytest.mark.django_db]

STYLESHEET = "accounts/admin.css"
SCRIPT = "accounts/admin.js"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/regions/region/",
        "/admin/regions/region/add/",
        "/admin/orgs/hall/add/",
        "/admin/auth/group/add/",
        "/admin/password_change/",
    ],
)
def test_every_admin_page_loads_the_fixes(client, path):
    force_login_with_second_factor(client, make_superuser())
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<link rel="stylesheet" href="/static/{STYLESHEET}">' in html
    assert f'<script src="/static/{SCRIPT}" defer></script>' in html
    # Django's own base_site.html is still the one extended: its header and title remain
    assert 'id="site-name"' in html and "<title>" in html
    # the stylesheet comes after the admin's own, so that its rules win
    assert html.index("admin/css/base.css") < html.index(STYLESHEET)


def test_the_fixes_are_static_files_that_exist():
    for name in (STYLESHEET, SCRIPT):
        assert finders.find(name), name


def test_pages_outside_the_admin_do_not_load_them(client):
    html = client.get("/accounts/login/").content.decode()
    assert STYLESHEET not in html and SCRIPT not in html
