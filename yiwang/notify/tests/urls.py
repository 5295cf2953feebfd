"""URLconf for the notify view tests (shared with the audit tests)."""

from yiwang.audit.tests.urls import urlpatterns

__all__ = ["urlpatterns"]
