"""Apps tell search how to rebuild their part of the index.

    # yiwang/catalog/apps.py
    def ready(self):
        from yiwang.search.registry import register
        from .search import reindex_items
        register("item", reindex_items)   # () -> Iterable[dict]

Each dict holds the keyword arguments of ``yiwang.search.api.index_document``
(``key`` and ``title`` required; ``text``, ``aliases``, ``url``, ``public``).
``manage.py search_reindex`` calls every registered function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured

Reindexer = Callable[[], Iterable[Mapping]]

_reindexers: dict[str, Reindexer] = {}


def register(kind: str, fn: Reindexer | None = None):
    """Register ``fn`` as the reindexer of ``kind``; usable as a decorator.

    Registering again for the same kind replaces the previous function (apps'
    ``ready()`` may run more than once in tests).
    """
    from .api import _KIND_RE

    if not _KIND_RE.match(kind or ""):
        raise ImproperlyConfigured(f"Invalid search kind {kind!r}")

    def decorator(func: Reindexer) -> Reindexer:
        if not callable(func):
            raise ImproperlyConfigured(f"Reindexer for {kind!r} is not callable")
        _reindexers[kind] = func
        return func

    return decorator(fn) if fn is not None else decorator


def unregister(kind: str) -> None:
    _reindexers.pop(kind, None)


def reindexers() -> dict[str, Reindexer]:
    return dict(sorted(_reindexers.items()))


def reindex(kinds: Iterable[str] | None = None):
    """Rebuild the given kinds (all registered when None); returns RebuildResults."""
    from .api import rebuild

    registered = reindexers()
    wanted = list(kinds) if kinds else list(registered)
    unknown = [k for k in wanted if k not in registered]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [rebuild(kind, registered[kind]()) for kind in wanted]
