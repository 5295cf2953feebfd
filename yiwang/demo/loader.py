"""Load the demo data through the actions, idempotently.

Everything is looked up by its natural key first (division code, USCC, hall name,
window number, username), so running the loader again changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.module_loading import import_string

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import Enterprise, EnterpriseAgent, Kind, User
from yiwang.audit.actions import record
from yiwang.audit.actors import SystemActor
from yiwang.orgs import actions as orgs_actions
from yiwang.orgs.models import Department, Hall, Post, Window
from yiwang.regions import actions as region_actions
from yiwang.regions.models import Level, Region

from . import orgs as org_data
from . import people as people_data
from . import regions as region_data
from .orgs import departments_by_key, halls_by_key

__all__ = [
    "DEMO_ACTOR",
    "departments_by_key",
    "ensure_admin",
    "halls_by_key",
    "load_demo",
    "load_orgs",
    "load_people",
    "load_regions",
]

DEMO_ACTOR = SystemActor("demo")


class _Log:
    def __init__(self, stdout):
        self.stdout = stdout

    def __call__(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + ("" if message.endswith("\n") else "\n"))


# --- admin -------------------------------------------------------------------------------


def ensure_admin() -> tuple[User, bool]:
    """The ``admin`` superuser (kind staff), created through the accounts actions."""
    user = User.objects.filter(username=people_data.ADMIN["username"]).first()
    if user is not None:
        return user, False
    create_superuser = getattr(accounts, "create_superuser", None)
    if create_superuser is not None:
        user = create_superuser(
            actor=DEMO_ACTOR,
            username=people_data.ADMIN["username"],
            password=people_data.PASSWORD,
            real_name=people_data.ADMIN["real_name"],
        )
        return user, True
    with transaction.atomic():
        user = accounts.create_staff(
            actor=DEMO_ACTOR,
            username=people_data.ADMIN["username"],
            password=people_data.PASSWORD,
            real_name=people_data.ADMIN["real_name"],
            posts=[],
        )
        # accounts.actions has no superuser action (yet): grant the flags here, audited.
        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        user.is_superuser = user.is_staff = True
        record(
            actor=DEMO_ACTOR,
            action="demo.superuser_granted",
            obj=user,
            after={"is_superuser": True, "is_staff": True},
        )
    return user, True


# --- regions -------------------------------------------------------------------------------


def load_regions(actor, log=None) -> int:
    existing = {r.code: r for r in Region.objects.filter(code__startswith="44")}
    created = 0
    for code, name, level, parent_code in region_data.all_regions():
        if code in existing:
            continue
        parent = existing[parent_code] if parent_code else None
        existing[code] = region_actions.create_region(
            actor=actor, code=code, name=name, level=level, parent=parent
        )
        created += 1
    if log:
        log(f"regions: {created} created")
    return created


# --- departments, halls, windows ----------------------------------------------------------------


def _regions_by_code(codes) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=set(codes))}


def load_orgs(actor, log=None) -> int:
    created = 0
    regions = _regions_by_code(
        [d["region"] for d in org_data.DEPARTMENTS.values()]
        + [h["region"] for h in org_data.HALLS.values()]
    )
    existing = set(Department.objects.values_list("uscc", flat=True))
    for spec in org_data.DEPARTMENTS.values():
        if spec["uscc"] in existing:
            continue
        orgs_actions.create_department(
            actor=actor,
            name=spec["name"],
            short_name=spec["short_name"],
            uscc=spec["uscc"],
            region=regions[spec["region"]],
            phone=spec["phone"],
            address=spec["address"],
        )
        created += 1
    for spec in org_data.HALLS.values():
        region = regions[spec["region"]]
        hall = Hall.objects.filter(name=spec["name"], region=region).first()
        if hall is None:
            hall = orgs_actions.create_hall(
                actor=actor,
                name=spec["name"],
                region=region,
                address=spec["address"],
                opening_hours=spec["opening_hours"],
                phone=spec["phone"],
            )
            created += 1
        numbers = set(hall.windows.values_list("number", flat=True))
        for number, name in spec["windows"]:
            if number not in numbers:
                orgs_actions.create_window(actor=actor, hall=hall, number=number, name=name)
                created += 1
    if log:
        log(f"departments, halls and windows: {created} created")
    return created


# --- people -----------------------------------------------------------------------------------


def _resolve_posts(specs, departments, halls, regions) -> list[dict]:
    posts = []
    for spec in specs:
        hall = halls[spec["hall"]] if spec.get("hall") else None
        window = None
        if hall is not None and spec.get("window"):
            window = Window.objects.get(hall=hall, number=spec["window"])
        posts.append(
            {
                "role": spec["role"],
                "department": departments[spec["department"]] if spec["department"] else None,
                "region": regions[spec["region"]],
                "hall": hall,
                "window": window,
            }
        )
    return posts


def load_people(actor, log=None) -> int:
    created = 0
    usernames = set(User.objects.values_list("username", flat=True))
    departments = departments_by_key()
    halls = halls_by_key()
    regions = _regions_by_code([p["region"] for s in people_data.STAFF for p in s["posts"]])
    for spec in people_data.STAFF:
        if spec["username"] in usernames:
            continue
        accounts.create_staff(
            actor=actor,
            username=spec["username"],
            password=people_data.PASSWORD,
            real_name=spec["real_name"],
            posts=_resolve_posts(spec["posts"], departments, halls, regions),
        )
        created += 1
    for username, real_name, _sex, id_number, phone, _town in (
        *people_data.CITIZENS,
        people_data.ENTERPRISE_AGENT,
    ):
        if username in usernames:
            continue
        accounts.create_citizen(
            actor=actor,
            username=username,
            password=people_data.PASSWORD,
            real_name=real_name,
            id_number=id_number,
            phone=phone,
        )
        created += 1
    enterprise_regions = _regions_by_code([e["region"] for e in people_data.ENTERPRISES])
    for spec in people_data.ENTERPRISES:
        enterprise = Enterprise.objects.filter(uscc=spec["uscc"]).first()
        if enterprise is None:
            enterprise = accounts.create_enterprise(
                actor=actor,
                name=spec["name"],
                uscc=spec["uscc"],
                legal_representative=spec["legal_representative"],
                region=enterprise_regions[spec["region"]],
                address=spec["address"],
            )
            created += 1
        agent = User.objects.get(username=spec["agent"])
        if not EnterpriseAgent.objects.filter(enterprise=enterprise, user=agent).exists():
            accounts.add_agent(
                actor=actor, enterprise=enterprise, user=agent, is_legal_representative=True
            )
            created += 1
    if log:
        log(f"people and enterprises: {created} created")
    return created


# --- domain demos ---------------------------------------------------------------------------------

# The demos of the feature apps, loaded in this order after the kernel's (by dotted path, so
# that a test can put its own in their place).
DOMAIN_DEMOS = (
    ("items", "yiwang.demo.items.load_items"),
    ("knowledge", "yiwang.demo.knowledge.load_knowledge"),
    ("hotline", "yiwang.demo.hotline.load_hotline"),
    ("grid", "yiwang.demo.grid.load_grid"),
    ("datahub", "yiwang.demo.datahub.load_datahub"),
    ("registries", "yiwang.demo.registries.load_registries"),
    ("quality", "yiwang.demo.quality.load_quality"),
    ("sharing", "yiwang.demo.sharing.load_sharing"),
    ("seals", "yiwang.demo.seals.load_seals"),
    ("licences", "yiwang.demo.licences.load_licences"),
)


def load_domain_demos(actor, log=None) -> dict:
    counts = {}
    for name, path in DOMAIN_DEMOS:
        result = import_string(path)(actor)
        if log:
            log(f"{name}: {result}")
        if isinstance(result, dict):
            counts.update({f"{name}_{k}": v for k, v in result.items()})
        else:
            counts[name] = result
    return counts


# --- entry point ----------------------------------------------------------------------------------


def totals() -> dict[str, int]:
    county = Region.objects.filter(code=region_data.COUNTY[0]).first()
    below = Region.objects.subtree(county) if county else Region.objects.none()
    return {
        "regions": Region.objects.count(),
        "towns": below.filter(level=Level.TOWN).count(),
        "villages": below.filter(level=Level.VILLAGE).count(),
        "departments": Department.objects.count(),
        "halls": Hall.objects.count(),
        "windows": Window.objects.count(),
        "staff": User.objects.filter(kind=Kind.STAFF).count(),
        "posts": Post.objects.count(),
        "citizens": User.objects.filter(kind=Kind.CITIZEN).count(),
        "enterprises": Enterprise.objects.count(),
    }


def load_demo(stdout=None, *, with_items: bool = True) -> dict:
    """Create (or complete) the demo data set.

    Returns the totals (regions, towns, villages, departments, halls, windows, staff,
    posts, citizens, enterprises, items when the items demo exists) and ``created``,
    the number of objects this run created (0 on a second run).
    """
    log = _Log(stdout)
    with transaction.atomic():
        admin, admin_created = ensure_admin()
        created = int(admin_created)
        created += load_regions(admin, log)
        created += load_orgs(admin, log)
        created += load_people(admin, log)
    counts = totals()
    if with_items:
        counts.update(load_domain_demos(admin, log))
    counts["created"] = created
    return counts
