"""The small 大埔县 every app's tests build on: regions, departments, staff, citizens.

Everything is created through the owning apps' actions, so the audit log and the caches see
test data exactly as they see real data. Codes, names and credit codes are those of the demo
data set (``yiwang/demo``), so a fixture and a demo page show the same county.

Each app's ``tests/conftest.py`` picks what it needs::

    from yiwang.testing import county

    @pytest.fixture
    def world(db):
        admin = county.make_superuser()
        places = county.build_regions(admin, villages=["chengdong"])
        depts = county.build_departments(admin, places, ["scj", "zjj"])
        reviewer = county.make_staff(admin, "reviewer_scj", "reviewer", depts["scj"],
                                     places["county"])
        ...

``actor`` is whoever builds: a superuser (the audit log names them) or the platform
(``BUILDER``, a ``SystemActor``).
"""

from __future__ import annotations

from collections.abc import Iterable

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import Enterprise, User
from yiwang.audit.actors import SystemActor
from yiwang.orgs import actions as orgs
from yiwang.orgs.models import Department, Hall
from yiwang.regions import actions as regions
from yiwang.regions.models import Region

PASSWORD = "Dabu@2026.gov"  # noqa: S105  (the demo password, published in the README)
#: The platform building test data (shown as "test" in the audit log).
BUILDER = SystemActor("test")

#: key → (code, name, level, parent key), parents first.
REGIONS: dict[str, tuple[str, str, int, str | None]] = {
    "province": ("440000", "广东省", 1, None),
    "city": ("441400", "梅州市", 2, "province"),
    "county": ("441422", "大埔县", 3, "city"),
    "huliao": ("441422100", "湖寮镇", 4, "county"),
    "gaobei": ("441422103", "高陂镇", 4, "county"),
    "chengdong": ("441422100001", "城东社区", 5, "huliao"),
    "chengxi": ("441422100002", "城西社区", 5, "huliao"),
    "huangsha": ("441422100201", "黄砂村", 5, "huliao"),
    "gaobei_sq": ("441422103001", "高陂社区", 5, "gaobei"),
}
TOWNS = ("huliao", "gaobei")

#: key → (name, short name, unified social credit code, region key, phone), as in the demo.
DEPARTMENTS: dict[str, tuple[str, str, str, str, str]] = {
    "scj": ("大埔县市场监督管理局", "县市场监管局", "1144142200691599XJ", "county", "0753-5522315"),
    "mzj": ("大埔县民政局", "县民政局", "11441422006974375B", "county", "0753-5522163"),
    "zjj": ("大埔县住房和城乡建设局", "县住建局", "114414220069061455", "county", "0753-5522278"),
    "sjj": ("大埔县政务服务数据管理局", "县政数局", "11441422006978077D", "county", "0753-5528012"),
    "huliao_gov": (
        "大埔县湖寮镇人民政府",
        "湖寮镇政府",
        "114414220069311722",
        "huliao",
        "0753-5522501",
    ),
    "gaobei_gov": (
        "大埔县高陂镇人民政府",
        "高陂镇政府",
        "11441422006923666G",
        "gaobei",
        "0753-5612101",
    ),
}

#: Citizens with valid resident ID numbers (GB 11643 check digits) and mobile numbers.
CITIZENS: dict[str, dict[str, str]] = {
    "limei": {
        "real_name": "李梅",
        "id_number": "11010519491231002X",
        "phone": "13800135678",
    },
    "zhangwei": {
        "real_name": "张伟",
        "id_number": "440524188001010014",
        "phone": "13800135679",
    },
}


def make_superuser(username: str = "root", password: str = PASSWORD) -> User:
    """A superuser staff account (created directly: no action creates the first superuser)."""
    return User.objects.create_superuser(username, password=password, kind="staff")


def build_regions(
    actor=BUILDER,
    *,
    towns: Iterable[str] = TOWNS,
    villages: Iterable[str] = (),
) -> dict[str, Region]:
    """Province, city and county, the ``towns`` and the ``villages`` asked for (their towns
    come with them), by key."""
    wanted = {"province", "city", "county", *towns, *villages}
    wanted |= {parent for key in villages if (parent := REGIONS[key][3])}
    made: dict[str, Region] = {}
    for key, (code, name, level, parent) in REGIONS.items():
        if key in wanted:
            made[key] = regions.create_region(
                actor=actor,
                code=code,
                name=name,
                level=level,
                parent=made[parent] if parent else None,
            )
    return made


def build_departments(
    actor, places: dict[str, Region], keys: Iterable[str] = ("scj", "mzj")
) -> dict[str, Department]:
    """The departments of ``keys`` (see ``DEPARTMENTS``) in the regions of ``places``."""
    made = {}
    for key in keys:
        name, short_name, uscc, region, phone = DEPARTMENTS[key]
        made[key] = orgs.create_department(
            actor=actor,
            name=name,
            short_name=short_name,
            uscc=uscc,
            region=places[region],
            phone=phone,
        )
    return made


def make_hall(actor, name: str, region: Region) -> Hall:
    return orgs.create_hall(actor=actor, name=name, region=region)


def make_staff(
    actor,
    username: str,
    role: str | None,
    department: Department | None,
    region: Region,
    *,
    hall: Hall | None = None,
    real_name: str | None = None,
    password: str = PASSWORD,
    **extra,
) -> User:
    """A staff account with one post (``role`` None: no post at all)."""
    post: dict[str, object] = {"role": role, "department": department, "region": region}
    if hall is not None:
        post["hall"] = hall
    return accounts.create_staff(
        actor=actor,
        username=username,
        password=password,
        real_name=real_name or username,
        posts=[post] if role else [],
        **extra,
    )


def make_citizen(username: str = "limei", *, password: str = PASSWORD, **overrides) -> User:
    """A registered natural person, by self-registration (``actor=None``). Known usernames
    take their details from ``CITIZENS``; others must pass ``real_name``, ``id_number``,
    ``phone``."""
    details = {**CITIZENS.get(username, {}), **overrides}
    return accounts.create_citizen(actor=None, username=username, password=password, **details)


def make_enterprise(
    actor=BUILDER,
    *,
    name: str = "大埔县客家味道餐饮有限公司",
    uscc: str = "91350100M000100Y43",
    legal_representative: str = "张伟",
    **extra,
) -> Enterprise:
    return accounts.create_enterprise(
        actor=actor, name=name, uscc=uscc, legal_representative=legal_representative, **extra
    )
