import datetime as dt

import pytest

from yiwang.accounts.models import User
from yiwang.audit.actors import SYSTEM
from yiwang.orgs.models import Role
from yiwang.regions.models import Region
from yiwang.testing import county as build
from yiwang.testing.county import PASSWORD
from yiwang.workdays import calendar

#: A fixed "today" for tests that depend on it (the 2027 schedule is not in the package).
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test starts with an empty calendar cache and no pending-change markers."""
    calendar._local.__dict__.clear()
    calendar.invalidate()
    yield
    calendar._local.__dict__.clear()
    calendar.invalidate()


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(calendar, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def county(db):
    return build.build_regions(SYSTEM, towns=())["county"]


def make_staff(username: str, role: str | None, region: Region) -> User:
    """A staff member with one post of ``role`` (any department) in ``region``."""
    return build.make_staff(SYSTEM, username, role, None, region)


@pytest.fixture
def authority(county):
    return make_staff("authority", Role.AUTHORITY, county)


@pytest.fixture
def window_staff(county):
    return make_staff("window_county", Role.WINDOW, county)


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        username="citizen", password=PASSWORD, kind="citizen", real_name="李梅"
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="admin", password=PASSWORD, kind="staff")
