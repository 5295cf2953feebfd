"""An ORM lookup compiled once per thread and run with a new value on every call.

The exchange API identifies its caller on every request with one ``select_related`` query
over four tables. Django compiles such a query anew each time (choosing its columns, joins
and converters), which costs more than the database takes to answer it. ``PreparedGet``
keeps the compiled SQL and the way its rows become model instances, exactly as
``QuerySet.get`` makes them (the same converters, the same related-object caches), and
only sends the statement with the new value. The statement goes through the connection's
cursor like any other, so it is counted and logged as usual.
"""

from __future__ import annotations

import threading
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# A value no caller sends, to find where the lookup's parameter sits in the compiled SQL.
_MARK = "\x00prepared-get\x00"


class _Compiled:
    def __init__(self, queryset: QuerySet, field: str, using: str):
        compiler = queryset.filter(**{field: _MARK}).query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.position = self.params.index(_MARK)
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        # The stubs describe a later Django that added fetch_mode.
        self.populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]


class PreparedGet(Generic[M]):
    """``queryset.get(<field>=value)``, or None when no row matches, compiled once.

    ``queryset`` must select by nothing else than ``field`` being equal to one value, and
    ``field`` must be unique (the first row found is the answer)."""

    def __init__(self, queryset: QuerySet[M], field: str, using: str = DEFAULT_DB_ALIAS):
        self.queryset, self.field, self.using = queryset, field, using
        # Per thread: a compiler holds the connection it was compiled for.
        self._local = threading.local()

    def _compiled(self) -> _Compiled:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = _Compiled(self.queryset, self.field, self.using)
        return compiled

    def __call__(self, value: Any) -> M | None:
        compiled = self._compiled()
        params = list(compiled.params)
        params[compiled.position] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(iter(compiled.compiler.results_iter([[row]])))
        obj = compiled.model.from_db(
            self.using, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
