"""A small county with grids, departments and the people of the GB/T 30428 flow."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.grid import actions
from yiwang.grid.demo import square
from yiwang.orgs import actions as orgs
from yiwang.regions import actions as regions
from yiwang.web.testing import MINIMAL_PDF

PASSWORD = "Dabu@2026.gov"


@pytest.fixture(autouse=True)
def english(settings):
    """Assertions read the English messages; one test checks the Chinese catalogue."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def png_file(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def jpeg_file(name="photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def pdf_file(name="photo.pdf") -> SimpleUploadedFile:
    body = MINIMAL_PDF
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def staff(admin, username, role, dept, region):
    return accounts.create_staff(
        actor=admin,
        username=username,
        password=PASSWORD,
        real_name=username,
        posts=[{"role": role, "department": dept, "region": region}],
    )


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = User.objects.create_superuser("root", password=PASSWORD, kind="staff")
    gd = regions.create_region(actor=admin, code="440000", name="广东省", level=1, parent=None)
    mz = regions.create_region(actor=admin, code="441400", name="梅州市", level=2, parent=gd)
    dabu = regions.create_region(actor=admin, code="441422", name="大埔县", level=3, parent=mz)
    huliao = regions.create_region(
        actor=admin, code="441422100", name="湖寮镇", level=4, parent=dabu
    )
    gaobei = regions.create_region(
        actor=admin, code="441422103", name="高陂镇", level=4, parent=dabu
    )
    chengdong = regions.create_region(
        actor=admin, code="441422100001", name="城东社区", level=5, parent=huliao
    )
    chengxi = regions.create_region(
        actor=admin, code="441422100002", name="城西社区", level=5, parent=huliao
    )
    gaobei_sq = regions.create_region(
        actor=admin, code="441422103001", name="高陂社区", level=5, parent=gaobei
    )
    zjj = orgs.create_department(
        actor=admin,
        name="大埔县住房和城乡建设局",
        short_name="县住建局",
        uscc="114414220069061455",
        region=dabu,
    )
    town = orgs.create_department(
        actor=admin,
        name="大埔县湖寮镇人民政府",
        short_name="湖寮镇",
        uscc="11441422007043513T",
        region=huliao,
    )
    sjj = orgs.create_department(
        actor=admin,
        name="大埔县政务服务数据管理局",
        short_name="县数据局",
        uscc="11441422007043521M",
        region=dabu,
    )
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
            "subclass": "占道经营",
            "description": "城东路流动摊贩占道经营",
            "photos": [png_file()],
            **kw,
        }
        return actions.report_event(actor=actor or world.worker, lat=lat, lng=lng, **params)

    return _report
