"""Demo rows of the base registries (``data/registries.json``), written into the hub tables
of the published demo resources through ``datahub.actions.load_rows``:

- 人口基础信息: 300 natural persons of 大埔县 — every demo citizen account (and the enterprise
  agent) with their own resident ID number and name, so "who read my data" has something to
  show them, and seeded fictitious people born 1940–2010 with valid ID numbers (area code
  441422; 442422 for those born before 1988, see ``area_code``) in the demo's towns and
  villages;
- 法人单位基础信息: 80 legal entities with valid unified social credit codes — the demo
  enterprises, then seeded companies, individual businesses and cooperatives whose legal
  representatives are people of the population registry;
- 电子证照目录信息: the licences the demo's citizens and entities hold;
- 社会信用信息: a few credit records of those entities;
- 食品经营许可信息 (open): the food business licences of those entities, the same the
  licence index lists;

then the open datasets of 县政数局 (``open_figures``). Seeded: the same rows on every run, so a second
load changes nothing. A resource that is not published (a partial demo) is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from yiwang.datahub import actions as datahub
from yiwang.datahub.models import Resource

from . import open_figures
from .codes import make_uscc
from .datafiles import read
from .orgs import DEPARTMENTS
from .people import CITIZENS, ENTERPRISE_AGENT, ENTERPRISES
from .regions import COUNTY, TOWNS, VILLAGES

_DATA = read("registries")
PERSONS: dict[str, Any] = _DATA["persons"]
ENTITIES: dict[str, Any] = _DATA["entities"]
LICENCES: list[dict[str, Any]] = _DATA["licences"]
CREDIT: list[dict[str, Any]] = _DATA["credit"]

POPULATION = "人口基础信息"
LEGAL_ENTITIES = "法人单位基础信息"
LICENCE_INDEX = "电子证照目录信息"
CREDIT_RECORDS = "社会信用信息"
FOOD_LICENCES = "食品经营许可信息"
#: Organisation-code characters GB 32100 allows (no I, O, S, V, Z).
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: The day the seeded dates count back from, so that they do not move with the calendar.
_EPOCH = dt.date(2026, 1, 1)
TOWN_NAMES = dict(TOWNS)


#: 大埔县 has been 441422 since 梅州市 was formed in 1988; people born before were numbered
#: under 梅县地区's 442422 (as two of the demo citizens are), and GB 11643 checkers (stdnum)
#: accept each code only for the years it was in use.
OLD_AREA_CODE, NEW_AREA_CODE_FROM = "442422", 1988


def plus_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def area_code(birth: dt.date) -> str:
    return COUNTY[0] if birth.year >= NEW_AREA_CODE_FROM else OLD_AREA_CODE


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    town: str
    domicile: str
    status: str
    demo: bool = False


def published(names) -> dict[str, Resource]:
    """The demo resources called ``names`` that are in the catalogue, by name."""
    rows = Resource.objects.filter(
        name__in=list(names), current_version__isnull=False, withdrawn_at__isnull=True
    ).select_related("provider", "current_version")
    return {r.name: r for r in rows}


def _weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _address(rng: random.Random, town: str) -> str:
    places = VILLAGES.get(town) or [(town, "")]
    _code, village = rng.choice(places)
    return f"广东省梅州市大埔县{TOWN_NAMES[town]}{village}{rng.randint(1, 188)}号"


# --- 人口基础信息 -------------------------------------------------------------------------


def _demo_people() -> list[Person]:
    """The demo's citizen accounts and the enterprise agent, as the registry knows them."""
    rng = random.Random("yiwang-demo:registries:demo-people")
    people = []
    for _username, name, sex, id_number, _phone, town in (*CITIZENS, ENTERPRISE_AGENT):
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        people.append(
            Person(
                id_number=id_number,
                name=name,
                sex="女" if sex == "F" else "男",
                birth_date=birth,
                town=town,
                domicile=_address(rng, town),
                status="正常",
                demo=True,
            )
        )
    return people


def people() -> list[Person]:
    """Everyone in the demo population registry: the demo accounts first, then seeded."""
    found = _demo_people()
    taken = {p.id_number for p in found}
    rng = random.Random("yiwang-demo:registries:people")
    first, last = PERSONS["birth_years"]
    span = (dt.date(last, 12, 31) - dt.date(first, 1, 1)).days
    towns = [code for code, _name in TOWNS]
    while len(found) < PERSONS["count"]:
        female = rng.random() < 0.5
        birth = dt.date(first, 1, 1) + dt.timedelta(days=rng.randrange(span))
        sequence = rng.randrange(0, 999, 2) + (0 if female else 1)
        partial = f"{area_code(birth)}{birth:%Y%m%d}{sequence:03d}"
        # (codes.make_resident_id would validate each number: a tenth of the whole load)
        id_number = partial + ric.calc_check_digit(partial + "0")
        if id_number in taken:
            continue
        taken.add(id_number)
        given = PERSONS["given_female" if female else "given_male"]
        town = rng.choice(towns)
        found.append(
            Person(
                id_number=id_number,
                name=rng.choice(PERSONS["surnames"]) + rng.choice(given),
                sex="女" if female else "男",
                birth_date=birth,
                town=town,
                domicile=_address(rng, town),
                status=_weighted(rng, PERSONS["household_statuses"]),
            )
        )
    return found


def population_rows(persons: list[Person]) -> list[dict[str, Any]]:
    rng = random.Random("yiwang-demo:registries:ethnicity")
    return [
        {
            "id_number": p.id_number,
            "real_name": p.name,
            "sex": p.sex,
            "ethnicity": "汉族" if p.demo else _weighted(rng, PERSONS["ethnicities"]),
            "birth_date": p.birth_date,
            "domicile": p.domicile,
            "household_status": p.status,
        }
        for p in persons
    ]


# --- 法人单位基础信息 ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    uscc: str
    name: str
    kind: str
    representative: Person
    address: str
    scope: str
    established_on: dt.date
    status: str
    food: bool


def _adults(persons: list[Person], today: dt.date) -> list[Person]:
    return [
        p
        for p in persons
        if p.status == "正常" and not p.demo and (today - p.birth_date).days > 22 * 366
    ]


_KINDS = {kind["prefix"]: kind["type"] for kind in ENTITIES["kinds"]}


def _demo_entity(spec: dict[str, str], representative: Person) -> Entity:
    """A demo enterprise as the registry knows it: its trade from its name."""
    trade = next((t for t in ENTITIES["trades"] if t["name"] in spec["name"]), None)
    rng = random.Random(f"yiwang-demo:registries:{spec['uscc']}")
    return Entity(
        uscc=spec["uscc"],
        name=spec["name"],
        kind=_KINDS[spec["uscc"][:2]],
        representative=representative,
        address=spec["address"],
        scope=trade["scope"] if trade else "",
        established_on=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000)),
        status="存续",
        food=bool(trade and trade["food"]),
    )


def _entity_name(rng: random.Random, kind: dict, trade: dict, town: str) -> str | None:
    trade_name = rng.choice(ENTITIES["trade_names"])
    if kind["prefix"] == "93":
        return f"大埔县{trade_name}{trade['coop']}专业合作社" if trade["coop"] else None
    if kind["prefix"] == "92":
        return f"大埔县{TOWN_NAMES[town]}{trade_name}{trade['shop']}"
    return f"大埔县{trade_name}{trade['company']}有限公司"


def entities(persons: list[Person]) -> list[Entity]:
    """The demo enterprises, then seeded ones up to ``entities.count``."""
    by_id = {p.id_number: p for p in persons}
    agents = {c[0]: c[3] for c in (*CITIZENS, ENTERPRISE_AGENT)}
    found = [_demo_entity(spec, by_id[agents[spec["agent"]]]) for spec in ENTERPRISES]
    names, codes = {e.name for e in found}, {e.uscc for e in found}
    rng = random.Random("yiwang-demo:registries:entities")
    adults = _adults(persons, _EPOCH)
    kinds, trades = ENTITIES["kinds"], ENTITIES["trades"]
    first, last = ENTITIES["established_years"]
    towns = [code for code, _name in TOWNS]
    while len(found) < ENTITIES["count"]:
        kind = rng.choices(kinds, weights=[k["weight"] for k in kinds])[0]
        trade = rng.choice(trades)
        town = rng.choice(towns)
        name = _entity_name(rng, kind, trade, town)
        body = "MA5" + "".join(rng.choice(_CODE_CHARS) for _ in range(5))
        code = make_uscc(kind["prefix"][0], kind["prefix"][1], COUNTY[0], body)
        if name is None or name in names or code in codes:
            continue
        names.add(name)
        codes.add(code)
        established = dt.date(first, 1, 1) + dt.timedelta(
            days=rng.randrange((dt.date(last, 1, 1) - dt.date(first, 1, 1)).days)
        )
        found.append(
            Entity(
                uscc=code,
                name=name,
                kind=kind["type"],
                representative=rng.choice(adults),
                address=_address(rng, town).removeprefix("广东省梅州市"),
                scope=trade["scope"],
                established_on=established,
                status=_weighted(rng, ENTITIES["statuses"]),
                food=trade["food"],
            )
        )
    return found


def entity_rows(found: list[Entity]) -> list[dict[str, Any]]:
    return [
        {
            "uscc": e.uscc,
            "entity_name": e.name,
            "entity_type": e.kind,
            "legal_representative": e.representative.name,
            "legal_rep_id": e.representative.id_number,
            "address": e.address,
            "business_scope": e.scope,
            "established_on": e.established_on,
            "registration_status": e.status,
        }
        for e in found
    ]


# --- 电子证照目录信息 ---------------------------------------------------------------------


def licence_type_code(spec: dict[str, Any]) -> str:
    """证照类型代码: the issuing department's USCC and a three-digit number."""
    return DEPARTMENTS[spec["issuer"]]["uscc"] + spec["suffix"]


def _licence(
    spec,
    number: int,
    holder_name: str,
    holder_code: str,
    issued: dt.date,
    licence_no: str = "",
    valid_until: dt.date | None = None,
) -> dict:
    type_code = licence_type_code(spec)
    years = spec["years"]
    if valid_until is None and years:
        valid_until = plus_years(issued, years)
    return {
        "licence_id": f"1.2.156.3005.2.{type_code}.{issued:%Y}{number:06d}",
        "licence_type": spec["name"],
        "licence_no": licence_no or f"{spec['suffix']}{issued:%Y}441422{number:06d}",
        "holder_name": holder_name,
        "holder_code": holder_code,
        "issuer": DEPARTMENTS[spec["issuer"]]["name"],
        "issued_on": issued,
        "valid_until": valid_until,
        "licence_status": "01",
    }


@dataclass(frozen=True)
class FoodLicence:
    number: str
    entity: Entity
    catering: bool
    issued_on: dt.date
    valid_until: dt.date


def food_licences(found: list[Entity]) -> list[FoodLicence]:
    """The food business licences of the food trades still in business: numbered as the
    licences are (JY, 1 selling / 2 catering, the county code, a sequence, a check digit),
    valid five years and renewed before they lapse."""
    rng = random.Random("yiwang-demo:registries:food")
    licences = []
    trading = [e for e in found if e.food and e.status == "存续"]
    for n, entity in enumerate(trading, start=1):
        catering = "餐饮服务" in entity.scope
        body = f"JY{2 if catering else 1}{COUNTY[0]}{n:06d}"
        number = body + str(sum(int(c) for c in body[2:]) % 10)
        start = max(entity.established_on, dt.date(2016, 1, 1))
        issued = start + dt.timedelta(days=rng.randrange(max(1, (_EPOCH - start).days)))
        while plus_years(issued, 5) < _EPOCH:
            issued = plus_years(issued, 5)
        licences.append(FoodLicence(number, entity, catering, issued, plus_years(issued, 5)))
    return licences


def food_licence_rows(licences: list[FoodLicence]) -> list[dict[str, Any]]:
    """食品经营许可信息 (open): the same licences as the licence index holds."""
    return [
        {
            "licence_no": f.number,
            "operator_name": f.entity.name,
            "uscc": f.entity.uscc,
            "legal_representative": f.entity.representative.name,
            "business_form": "餐饮服务经营者" if f.catering else "食品销售经营者",
            "business_items": (
                "热食类食品制售；冷食类食品制售"
                if f.catering
                else "预包装食品（含冷藏冷冻食品）销售；散装食品（不含熟食）销售"
            ),
            "premises": f.entity.address,
            "issued_on": f.issued_on,
            "valid_until": f.valid_until,
        }
        for f in licences
    ]


def licence_rows(
    persons: list[Person], found: list[Entity], food: list[FoodLicence]
) -> list[dict[str, Any]]:
    """The licences of the demo citizens (social security card; marriage certificate,
    property certificate for some) and of every entity (business licence; its food business
    licence, if it has one)."""
    rng = random.Random("yiwang-demo:registries:licences")
    by_name = {spec["name"]: spec for spec in LICENCES}
    rows: list[dict[str, Any]] = []

    def issued_since(start: dt.date) -> dt.date:
        start = max(start, dt.date(2012, 1, 1))
        return start + dt.timedelta(days=rng.randrange(max(1, (_EPOCH - start).days)))

    for person in (p for p in persons if p.demo):
        adult = plus_years(person.birth_date, 18)
        card = by_name["社会保障卡"]
        rows.append(
            _licence(
                card, len(rows) + 1, person.name, person.id_number, issued_since(person.birth_date)
            )
        )
        for name, share in (("结婚证", 0.5), ("不动产权证书", 0.4)):
            if adult < _EPOCH and rng.random() < share:
                rows.append(
                    _licence(
                        by_name[name],
                        len(rows) + 1,
                        person.name,
                        person.id_number,
                        issued_since(adult),
                    )
                )
    food_of = {f.entity.uscc: f for f in food}
    for entity in found:
        start = entity.established_on
        rows.append(_licence(by_name["营业执照"], len(rows) + 1, entity.name, entity.uscc, start))
        licence = food_of.get(entity.uscc)
        if licence is not None:
            rows.append(
                _licence(
                    by_name["食品经营许可证"],
                    len(rows) + 1,
                    entity.name,
                    entity.uscc,
                    licence.issued_on,
                    licence_no=licence.number,
                    valid_until=licence.valid_until,
                )
            )
    return rows


# --- 社会信用信息 -------------------------------------------------------------------------


def credit_rows(found: list[Entity]) -> list[dict[str, Any]]:
    generated = [e for e in found if e.uscc not in {s["uscc"] for s in ENTERPRISES}]
    rows = []
    for number, spec in enumerate(CREDIT, start=1):
        entity = generated[spec["entity"] % len(generated)]
        decided = _EPOCH - dt.timedelta(days=spec["days_ago"])
        until = None if spec["category"] == "行政许可" else plus_years(decided, 3)
        rows.append(
            {
                "record_id": f"XY441422{decided:%Y}{number:06d}",
                "uscc": entity.uscc,
                "entity_name": entity.name,
                "category": spec["category"],
                "decision_no": spec["decision_no"],
                "authority": DEPARTMENTS[spec["authority"]]["name"],
                "decided_on": decided,
                "publicity_until": until,
            }
        )
    return rows


# --- loading ------------------------------------------------------------------------------


def load(actor, resource: Resource | None, rows: list[dict[str, Any]]) -> int:
    """Upsert ``rows`` into ``resource`` (none: skipped); returns the rows created."""
    if resource is None:
        return 0
    return datahub.load_rows(actor=actor, resource=resource, rows=rows).created


def load_registries(actor, today: dt.date | None = None) -> dict[str, int]:
    """Fill the base registries and the open datasets; returns the rows created per table
    (all 0 on a second run in the same month)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        return _load(actor, today)


def _load(actor, today: dt.date) -> dict[str, int]:
    resources = published(
        [
            POPULATION,
            LEGAL_ENTITIES,
            LICENCE_INDEX,
            CREDIT_RECORDS,
            FOOD_LICENCES,
            *open_figures.NAMES,
        ]
    )
    persons = people()
    found = entities(persons)
    food = food_licences(found)
    counts = {
        "population": load(actor, resources.get(POPULATION), population_rows(persons)),
        "entities": load(actor, resources.get(LEGAL_ENTITIES), entity_rows(found)),
        "licences": load(actor, resources.get(LICENCE_INDEX), licence_rows(persons, found, food)),
        "credit": load(actor, resources.get(CREDIT_RECORDS), credit_rows(found)),
        "food_licences": load(actor, resources.get(FOOD_LICENCES), food_licence_rows(food)),
    }
    for key, (name, rows) in open_figures.datasets(today, LICENCES).items():
        counts[key] = load(actor, resources.get(name), rows)
    return counts
