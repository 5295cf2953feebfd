"""schemathesis over the whole committed OpenAPI document (docs/openapi.json): no server errors.

Every operation is called in-process through the WSGI application with generated valid and
invalid parameters, as anonymous and as a logged-in staff member, against the demo county. The
examples are derandomized and capped so the run is the same on every machine and short enough
for CI; the document itself is kept equal to the code by ``make openapi-check``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

# The test database must be set up even when only these tests are selected (-k).
pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_path(DOCUMENT)
schema.app = get_wsgi_application()


@pytest.fixture
def in_test_transaction():
    """Calls through the plain WSGI handler send request_started/finished, whose
    close_old_connections would close the connection holding the test's transaction (on
    PostgreSQL); Django's test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookies(as_role, in_test_transaction):
    """Cookies of a logged-in reviewer (sees the case inbox) and of a citizen (their cases)."""

    def cookies(role: str) -> dict[str, str]:
        client = as_role(role)
        return {name: morsel.value for name, morsel in client.cookies.items()}

    return {role: cookies(role) for role in ("reviewer", "citizen")}


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_error(case, session_cookies):
    anonymous = case.call()
    not_a_server_error_response(case, anonymous)
    for cookies in session_cookies.values():
        not_a_server_error_response(case, case.call(cookies=cookies))


def not_a_server_error_response(case, response) -> None:
    assert response.status_code < 500, (
        f"{response.status_code} for {case.method} {case.formatted_path} "
        f"query={case.query!r}: {response.text[:500]}"
    )
    case.validate_response(response, checks=[not_a_server_error])
