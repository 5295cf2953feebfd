"""Importing historical licences (存量证照) from an Excel workbook, for one department.

The format is ``import_format``'s. Every row is checked first: the type exists, is the
department's and is still issued, the holder code is valid for the type's holder, the dates
are dates and in order, the number is neither twice in the file nor already issued for the
type, the department has a seal. Every problem is reported with its row; if there is any,
nothing is imported. Otherwise all rows are issued in one transaction through
``actions.issue`` (signed, audited), or none: a refusal while writing undoes the rows before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from yiwang.audit.actions import record
from yiwang.orgs.models import Department
from yiwang.seals import signing
from yiwang.workdays.calendar import local_date

from . import actions
from .holders import clean_holder_code, find_holder
from .import_format import (
    CODE,
    COLUMNS,
    FIELD_MAX,
    FROM,
    ISSUED,
    NAME,
    NAME_MAX,
    NUMBER,
    NUMBER_MAX,
    OPTIONAL,
    TYPE,
    UNTIL,
    RowError,
    date_cell,
    read_rows,
    text,
)
from .models import Licence, LicenceType


@dataclass
class ImportResult:
    issued: list[Licence] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Plan:
    row: int
    licence_type: LicenceType
    number: str
    name: str
    code: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    fields: dict[str, str]


class _Abort(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


# --- checking ---------------------------------------------------------------------------


class _Checker:
    """Checks rows against the department's licence types and the licences issued."""

    def __init__(self, departments: Sequence[Department], positions: dict[str, int], errors):
        self.department_ids = {d.pk for d in departments}
        self.positions, self.errors = positions, errors
        self.today = local_date(timezone.now())
        self.seen: dict[tuple[str, str], int] = {}
        self.types: dict[str, LicenceType] = {}
        self.issued: set[tuple[int, str]] = set()

    def load(self, rows: list) -> None:
        codes = {text(self.cell(values, TYPE)).upper() for _n, values in rows}
        found = LicenceType.objects.filter(code__in=codes).select_related("issuer")
        self.types = {t.code: t for t in found}
        numbers = {text(self.cell(values, NUMBER)) for _n, values in rows}
        self.issued = set(
            Licence.objects.filter(licence_type__in=found, number__in=numbers).values_list(
                "licence_type_id", "number"
            )
        )

    def cell(self, values: Sequence[Any], column: str) -> Any:
        index = self.positions.get(column)
        return values[index] if index is not None and index < len(values) else None

    def header(self, known_fields: set[str]) -> None:
        missing = [c for c in COLUMNS if c not in OPTIONAL and c not in self.positions]
        if missing:
            message = gettext("Columns missing: %(columns)s.") % {"columns": "、".join(missing)}
            self.errors.append(RowError(1, "", message))
        for name in self.positions:
            if name not in COLUMNS and name not in known_fields:
                message = gettext("No licence type of the department has a field of this name.")
                self.errors.append(RowError(1, name, message))

    def row(self, number: int, values: Sequence[Any]) -> _Plan | None:
        before = len(self.errors)

        def err(column: str, message: str) -> None:
            self.errors.append(RowError(number, column, message))

        licence_type = self._type(text(self.cell(values, TYPE)).upper(), err)
        licence_number = text(self.cell(values, NUMBER))
        name = " ".join(text(self.cell(values, NAME)).split())
        if not licence_number:
            err(NUMBER, gettext("Enter the licence number."))
        elif len(licence_number) > NUMBER_MAX:
            err(NUMBER, gettext("At most %(max)d characters.") % {"max": NUMBER_MAX})
        if not name:
            err(NAME, gettext("Enter the holder's name as it is printed on the licence."))
        elif len(name) > NAME_MAX:
            err(NAME, gettext("At most %(max)d characters.") % {"max": NAME_MAX})
        code = ""
        if licence_type is not None:
            try:
                code = clean_holder_code(licence_type.holder_kind, text(self.cell(values, CODE)))
            except ValidationError as error:
                for message in error.messages:
                    err(CODE, message)
            self._duplicate(number, licence_type, licence_number, err)
        dates = self._dates(licence_type, values, err)
        fields = self._fields(licence_type, values, err)
        if len(self.errors) > before or licence_type is None or dates is None:
            return None
        return _Plan(number, licence_type, licence_number, name, code, *dates, fields)

    def _type(self, code: str, err) -> LicenceType | None:
        licence_type = self.types.get(code)
        if not code:
            err(TYPE, gettext("Enter the licence type code."))
        elif licence_type is None:
            err(TYPE, gettext("No licence type has the code %(code)s.") % {"code": code})
        elif licence_type.issuer_id not in self.department_ids:
            message = gettext(
                "The licence type %(type)s is issued by %(department)s, not by the importing "
                "department."
            ) % {"type": licence_type.name, "department": licence_type.issuer.name}
            err(TYPE, message)
        elif not licence_type.active:
            message = gettext("The licence type %(type)s is no longer issued.")
            err(TYPE, message % {"type": licence_type.name})
        else:
            return licence_type
        return None

    def _duplicate(self, number: int, licence_type: LicenceType, licence_number: str, err):
        if not licence_number:
            return
        first = self.seen.setdefault((licence_type.code, licence_number), number)
        if first != number:
            message = gettext("The licence number is also in row %(row)d, for the same type.")
            err(NUMBER, message % {"row": first})
        elif (licence_type.pk, licence_number) in self.issued:
            err(NUMBER, gettext("A licence of this type with this number is already issued."))

    def _dates(self, licence_type, values, err) -> tuple[dt.date, dt.date, dt.date | None] | None:
        parsed: dict[str, dt.date | None] = {}
        unreadable = False
        for column in (ISSUED, FROM, UNTIL):
            raw = self.cell(values, column)
            try:
                parsed[column] = date_cell(raw) if text(raw) else None
            except ValueError:
                message = gettext("“%(value)s” is not a date; write it as YYYY-MM-DD.")
                err(column, message % {"value": text(raw)})
                parsed[column], unreadable = None, True
        issued_on = parsed[ISSUED]
        if issued_on is None and text(self.cell(values, ISSUED)) == "":
            err(ISSUED, gettext("Enter the date of issue."))
        if issued_on is None or unreadable:
            return None
        if issued_on > self.today:
            err(ISSUED, gettext("The date of issue is in the future."))
        valid_from = parsed[FROM] or issued_on
        valid_until = parsed[UNTIL]
        if valid_until is None and licence_type is not None:
            valid_until = actions.validity(licence_type, valid_from)
        if valid_until is not None and valid_until < valid_from:
            err(UNTIL, gettext("The last day of validity is before the first."))
        return issued_on, valid_from, parsed[UNTIL]

    def _fields(self, licence_type, values, err) -> dict[str, str]:
        by_label = {}
        if licence_type is not None:
            by_label = {
                spec.get("label") or spec["key"]: spec["key"] for spec in licence_type.fields
            }
            by_label.update({spec["key"]: spec["key"] for spec in licence_type.fields})
        fields = {}
        for column in self.positions:
            if column in COLUMNS:
                continue
            value = text(self.cell(values, column))
            if not value or licence_type is None:
                continue
            if column not in by_label:
                message = gettext("The licence type %(type)s has no field “%(field)s”.")
                err(column, message % {"type": licence_type.name, "field": column})
            elif len(value) > FIELD_MAX:
                err(column, gettext("At most %(max)d characters.") % {"max": FIELD_MAX})
            else:
                fields[by_label[column]] = value
        return fields

    def seals(self, plans: list[_Plan]) -> None:
        """A department without a seal can sign nothing: say so once, at its first row."""
        checked: set[int] = set()
        for plan in plans:
            issuer = plan.licence_type.issuer
            if issuer.pk in checked:
                continue
            checked.add(issuer.pk)
            if signing.department_seal(issuer) is None:
                message = gettext("%(department)s has no active e-seal to sign licences with.")
                self.errors.append(RowError(plan.row, TYPE, message % {"department": issuer.name}))


# --- importing ----------------------------------------------------------------------------


def import_licences(
    file: IO[bytes], *, actor, departments: Sequence[Department], name: str = ""
) -> ImportResult:
    """Check every row, then issue them all in one transaction, or nothing."""
    result = ImportResult()
    read = read_rows(file, result.errors)
    if read is None:
        return result
    positions, rows = read
    checker = _Checker(departments, positions, result.errors)
    known: set[str] = set()
    for licence_type in LicenceType.objects.filter(issuer__in=departments):
        for spec in licence_type.fields:
            known.update((spec["key"], spec.get("label") or spec["key"]))
    checker.header(known)
    if result.errors:
        return result
    if not rows:
        result.errors.append(RowError(None, "", gettext("The file has no licences to import.")))
        return result
    checker.load(rows)
    plans = [plan for number, values in rows if (plan := checker.row(number, values))]
    checker.seals(plans)
    if result.errors:
        result.errors.sort(key=lambda e: e.row or 0)  # stable: a row's errors stay in order
        return result
    try:
        with transaction.atomic():
            result.issued = [_issue(plan, actor) for plan in plans]
            record(
                actor=actor,
                action="licences.import",
                after={"file": name[:200], "licences": len(plans)},
            )
    except _Abort as abort:
        result.issued = []
        result.errors.append(abort.error)
    return result


def _issue(plan: _Plan, actor) -> Licence:
    try:
        return actions.issue(
            actor=actor,
            licence_type=plan.licence_type,
            holder=find_holder(plan.licence_type.holder_kind, plan.code, plan.name),
            valid_from=plan.valid_from,
            fields=plan.fields,
            number=plan.number,
            issued_on=plan.issued_on,
            valid_until=plan.valid_until,
        )
    except ValidationError as error:
        raise _Abort(RowError(plan.row, "", " ".join(error.messages))) from error
    except PermissionDenied as error:
        raise _Abort(RowError(plan.row, "", str(error))) from error
    except signing.SigningRefused as error:
        raise _Abort(RowError(plan.row, "", error.message)) from error
