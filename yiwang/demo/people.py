"""Demo accounts (``data/people.json``): staff with their posts, citizens, enterprises, and
the 12345 and grid staff the domain demos create; the list of demo logins.

All people and companies are fictitious; resident ID numbers and credit codes are valid.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.regions.models import Region

from .datafiles import read
from .orgs import DEPARTMENTS, HALLS, departments_by_key
from .regions import COUNTY, TOWNS

_DATA = read("people")

PASSWORD: str = _DATA["password"]
ADMIN: dict[str, str] = _DATA["admin"]
ROLE_LABELS: dict[str, str] = _DATA["role_labels"]
TOTP_NOTE: str = _DATA["totp_note"]


def _post(role, department, region, hall=None, window=None) -> dict:
    """A post spec: department is a key of ``orgs.DEPARTMENTS`` (None: all), region a code,
    hall a key of ``orgs.HALLS``, window the window number in that hall."""
    return {
        "role": role,
        "department": department,
        "region": region,
        "hall": hall,
        "window": window,
    }


def _staff() -> list[dict[str, Any]]:
    """The logins of the common brief in the order they are listed, then a reviewer and an
    approver (``extra``) for every other department."""
    staff = [{**spec, "posts": [_post(**p) for p in spec["posts"]]} for spec in _DATA["staff"]]
    for key, spec in _DATA["department_handlers"].items():
        for role in ("reviewer", "approver"):
            staff.append(
                {
                    "username": f"{role}_{key}",
                    "real_name": spec[role],
                    "description": f"{ROLE_LABELS[role]} · {spec['department']}",
                    "posts": [_post(role, key, spec["region"])],
                    "extra": True,
                }
            )
    return staff


STAFF: list[dict[str, Any]] = _staff()

_RESIDENT_FIELDS = ("username", "real_name", "sex", "id_number", "phone", "town")
#: (username, real name, sex, resident ID, phone, home town code).
CITIZENS: list[tuple[str, ...]] = [tuple(c[f] for f in _RESIDENT_FIELDS) for c in _DATA["citizens"]]
CITIZEN_DESCRIPTIONS: dict[str, str] = _DATA["citizen_descriptions"]
#: The enterprise agent logs in as a natural person and acts for the enterprise.
ENTERPRISE_AGENT: tuple[str, ...] = tuple(_DATA["enterprise_agent"][f] for f in _RESIDENT_FIELDS)
ENTERPRISE_DESCRIPTION: str = _DATA["enterprise_agent"]["description"]
#: Enterprises; ``agent`` is a username of CITIZENS or ENTERPRISE_AGENT (legal representative).
ENTERPRISES: list[dict[str, str]] = _DATA["enterprises"]

#: Staff the hotline and grid demos create: username, real_name, role, department, region.
DOMAIN_STAFF: list[dict[str, str]] = _DATA["domain_staff"]
DOMAIN_LOGINS: list[tuple[str, str]] = [(s["username"], s["description"]) for s in DOMAIN_STAFF]


# --- the list of logins ---------------------------------------------------------------


def _needs_totp(spec: dict) -> bool:
    """Accounts whose role requires the second factor set it up at first login."""
    roles = set(settings.YIWANG_MFA_REQUIRED_ROLES)
    return settings.YIWANG_MFA_ALL_STAFF or any(p["role"] in roles for p in spec["posts"])


def _staff_rows(include_extra: bool) -> list[dict]:
    return [s for s in STAFF if include_extra or not s.get("extra")]


def demo_logins(include_extra: bool = False) -> list[tuple[str, str]]:
    """(username, Chinese description) of the demo logins; all use ``PASSWORD``.

    Without ``include_extra`` only the logins of the common brief are listed; the extra
    reviewer_<key>/approver_<key> accounts of the other departments are added with it.
    """
    rows = [(ADMIN["username"], ADMIN["description"] + TOTP_NOTE)]
    rows += [
        (s["username"], s["description"] + (TOTP_NOTE if _needs_totp(s) else ""))
        for s in _staff_rows(include_extra)
    ]
    rows += DOMAIN_LOGINS
    rows += [(username, CITIZEN_DESCRIPTIONS[username]) for username in CITIZEN_DESCRIPTIONS]
    rows.append((ENTERPRISE_AGENT[0], ENTERPRISE_DESCRIPTION))
    return rows


def login_table(include_extra: bool = False) -> list[tuple[str, str, str, str]]:
    """(username, role, department / region, password) for the ``demo`` command."""
    region_names = {COUNTY[0]: COUNTY[1], **dict(TOWNS)}
    rows = [(ADMIN["username"], "超级用户", "全部", PASSWORD)]
    for spec in _staff_rows(include_extra):
        for post in spec["posts"]:
            dept = DEPARTMENTS[post["department"]]["name"] if post["department"] else "全部部门"
            where = f"{dept} / {region_names.get(post['region'], post['region'])}"
            if post.get("hall"):
                where += f" / {HALLS[post['hall']]['name']}"
                if post.get("window"):
                    where += f" {post['window']}号窗口"
            rows.append((spec["username"], ROLE_LABELS[post["role"]], where, PASSWORD))
    towns = dict(TOWNS)
    for username, real_name, _sex, _id, _phone, town in CITIZENS[:2]:
        rows.append((username, "群众", f"{real_name} / {towns[town]}", PASSWORD))
    agent = _DATA["enterprise_agent"]
    enterprise = next(e for e in ENTERPRISES if e["agent"] == agent["username"])
    rows.append(
        (agent["username"], "企业经办人", f"{agent['real_name']} / {enterprise['name']}", PASSWORD)
    )
    return rows


# --- the staff of the domain demos ------------------------------------------------------


def ensure_domain_staff(actor, usernames) -> dict[str, User | None]:
    """The 12345 and grid staff named, created through ``accounts.actions`` where missing
    (None where their department or region is not loaded)."""
    wanted = set(usernames)
    specs = [s for s in DOMAIN_STAFF if s["username"] in wanted]
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    departments = departments_by_key()
    regions = {r.code: r for r in Region.objects.filter(code__in={s["region"] for s in specs})}
    users: dict[str, User | None] = {}
    for spec in specs:
        user = existing.get(spec["username"])
        if user is None and spec["department"] in departments and spec["region"] in regions:
            user = accounts.create_staff(
                actor=actor,
                username=spec["username"],
                password=PASSWORD,
                real_name=spec["real_name"],
                posts=[
                    {
                        "role": spec["role"],
                        "department": departments[spec["department"]],
                        "region": regions[spec["region"]],
                    }
                ],
            )
        users[spec["username"]] = user
    return users
