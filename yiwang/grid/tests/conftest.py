"""A small county with grids, departments and the people of the GB/T 30428 flow."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from yiwang.grid import actions, classification
from yiwang.grid.models import CaseClass, CaseSubclass, code_list
from yiwang.grid.tests.shapes import square
from yiwang.testing import county
from yiwang.testing.county import PASSWORD as PASSWORD  # the tests import it from here
from yiwang.web.testing import jpeg_file as jpeg_file  # the tests import them from here
from yiwang.web.testing import pdf_file as pdf_file
from yiwang.web.testing import png_file as png_file


@pytest.fixture(autouse=True)
def english(settings):
    """Assertions read the English messages; one test checks the Chinese catalogue."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def staff(admin, username, role, dept, region):
    return county.make_staff(admin, username, role, dept, region)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The migrations load the GB/T 30428 code lists; a test that emptied the database did not.
    if any(classification.load(CaseClass, CaseSubclass)):
        code_list.forget()
    admin = county.make_superuser()
    places = county.build_regions(admin, villages=["chengdong", "chengxi", "gaobei_sq"])
    dabu, huliao, gaobei = places["county"], places["huliao"], places["gaobei"]
    chengdong, chengxi, gaobei_sq = places["chengdong"], places["chengxi"], places["gaobei_sq"]
    depts = county.build_departments(admin, places, ["zjj", "huliao_gov", "sjj"])
    zjj, town, sjj = depts["zjj"], depts["huliao_gov"], depts["sjj"]
    grid_a = actions.create_grid(
        actor=admin,
        code="HL-01",
        name="城东第一网格",
        village=chengdong,
        polygon=square(24.352, 116.712),
    )
    grid_b = actions.create_grid(
        actor=admin,
        code="HL-02",
        name="城西第一网格",
        village=chengxi,
        polygon=square(24.352, 116.688),
    )
    grid_g = actions.create_grid(
        actor=admin, code="GB-01", name="高陂网格", village=gaobei_sq, polygon=square(24.16, 116.73)
    )
    worker = staff(admin, "grid_huliao", "grid_worker", town, chengdong)
    worker_b = staff(admin, "grid_chengxi", "grid_worker", town, chengxi)
    worker_g = staff(admin, "grid_gaobei", "grid_worker", None, gaobei)
    actions.assign_worker(actor=admin, grid=grid_a, user=worker)
    actions.assign_worker(actor=admin, grid=grid_b, user=worker_b)
    actions.assign_worker(actor=admin, grid=grid_g, user=worker_g)
    return SimpleNamespace(
        admin=admin,
        dabu=dabu,
        huliao=huliao,
        gaobei=gaobei,
        chengdong=chengdong,
        zjj=zjj,
        town=town,
        sjj=sjj,
        grid_a=grid_a,
        grid_b=grid_b,
        grid_g=grid_g,
        worker=worker,
        worker_b=worker_b,
        worker_g=worker_g,
        dispatcher=staff(admin, "dispatcher_12345", "dispatcher", sjj, dabu),
        dispatcher_gaobei=staff(admin, "dispatcher_gaobei", "dispatcher", sjj, gaobei),
        handler_zjj=staff(admin, "handler_zjj", "handler", zjj, dabu),
        handler_town=staff(admin, "handler_huliao", "handler", town, huliao),
        leader=staff(admin, "leader", "leader", None, dabu),
    )


@pytest.fixture
def report(world):
    def _report(actor=None, lat=24.352, lng=116.712, **kw):
        params = {
            "kind": "event",
            "category": "street_order",
            "subclass": "0501",  # 无照经营游商
            "description": "城东路流动摊贩占道经营",
            "photos": [png_file()],
            **kw,
        }
        return actions.report_event(actor=actor or world.worker, lat=lat, lng=lng, **params)

    return _report
