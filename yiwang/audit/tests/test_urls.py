"""The project URLconf routes /audit/ to the auditor page."""

from django.urls import resolve, reverse

from yiwang.audit import views


def test_project_urlconf_routes_the_audit_log():
    assert reverse("audit:log") == "/audit/"
    assert resolve("/audit/").func is views.log
