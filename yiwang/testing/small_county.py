"""Pytest fixtures of a small 大埔县 without towns: 市场监管局 (``scj``), 民政局 (``mzj``) and the
政数局 (``sjj``); the administrators of the first two, the data authority and a citizen.

A test package uses them by importing them into its ``conftest.py``::

    from yiwang.testing.small_county import admin_scj, depts, places  # noqa: F401
"""

from __future__ import annotations

import pytest

from . import county as build
from .county import BUILDER as SYSTEM


@pytest.fixture
def places(db):
    return build.build_regions(SYSTEM, towns=())


@pytest.fixture
def depts(places):
    return build.build_departments(SYSTEM, places, ["scj", "mzj", "sjj"])


@pytest.fixture
def admin_scj(depts, places):
    return build.make_staff(SYSTEM, "admin_scj", "dept_admin", depts["scj"], places["county"])


@pytest.fixture
def admin_mzj(depts, places):
    return build.make_staff(SYSTEM, "admin_mzj", "dept_admin", depts["mzj"], places["county"])


@pytest.fixture
def authority(depts, places):
    return build.make_staff(SYSTEM, "authority", "authority", depts["sjj"], places["county"])


@pytest.fixture
def citizen(db):
    return build.make_citizen("limei")
