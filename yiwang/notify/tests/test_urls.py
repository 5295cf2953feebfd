"""The project URLconf routes /notices/ to the inbox."""

from django.urls import resolve, reverse

from yiwang.notify import views


def test_project_urlconf_routes_the_inbox():
    assert reverse("notify:inbox") == "/notices/"
    assert resolve("/notices/").func is views.inbox
    assert resolve("/notices/3/read/").func is views.read
    assert resolve("/notices/read-all/").func is views.read_all
