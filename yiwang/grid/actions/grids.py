"""Grids: drawing and locating them, and which grid workers work them.

``locate`` answers which grid a point lies in (every intake with coordinates asks it);
``is_worker_of`` whether a user is assigned to a grid."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.orgs.models import Post, Role
from yiwang.orgs.scope import posts_of, subtree_or_ancestors_q
from yiwang.regions.models import Level, Region

from .. import geo
from ..models import GRID_INDEX_CACHE_KEY, Grid, GridAssignment
from ._common import _is_user, _may_manage_registry


def is_worker_of(actor, grid: Grid | None) -> bool:
    if not _is_user(actor):
        return False
    if actor.is_superuser:
        return True
    if grid is None:
        return False
    return GridAssignment.objects.filter(grid=grid, user=actor).exists()


def locate(lat: float, lng: float) -> Grid | None:
    """The grid containing the point, if any, with its village and town loaded.

    Every intake with coordinates asks this, so the polygons come from a cached index
    (``grid_index``) rather than the database; only the grid found is read."""
    for grid_id, (min_lng, min_lat, max_lng, max_lat), polygon in grid_index():
        if (
            min_lng <= lng <= max_lng
            and min_lat <= lat <= max_lat
            and geo.contains(polygon, lat, lng)
        ):
            return (
                Grid.objects.select_related("village__parent")
                .defer("polygon")
                .filter(pk=grid_id)
                .first()
            )
    return None


def grid_index() -> list:
    """(id, bounding box, polygon) of every grid; dropped whenever a grid changes."""
    index = cache.get(GRID_INDEX_CACHE_KEY)
    if index is None:
        index = [
            (pk, geo.bbox(polygon), polygon)
            for pk, polygon in Grid.objects.order_by("code").values_list("id", "polygon")
        ]
        cache.set(GRID_INDEX_CACHE_KEY, index, None)
    return index


def _clean_grid_shape(errors: dict[str, list], name, polygon) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give the grid's name (1 to 100 characters).")]
    try:
        geo.validate_polygon(polygon)
    except ValidationError as exc:
        errors["polygon"] = exc.messages
    return name


def _polygon_summary(polygon: dict) -> dict:
    """A small audit snapshot of a boundary: its size and bounding box."""
    return {
        "positions": sum(len(ring) for ring in polygon["coordinates"]),
        "bbox": [round(v, 6) for v in geo.bbox(polygon)],
    }


@transaction.atomic
def create_grid(*, actor, code: str, name: str, village: Region, polygon: dict) -> Grid:
    code = (code or "").strip()
    errors: dict[str, list] = {}
    if not code or len(code) > 32:
        errors["code"] = [_("Give the grid code (1 to 32 characters).")]
    elif Grid.objects.filter(code=code).exists():
        errors["code"] = [_("A grid with the code %(code)s already exists.") % {"code": code}]
    name = _clean_grid_shape(errors, name, polygon)
    if not isinstance(village, Region) or village.level != Level.VILLAGE:
        errors["village"] = [_("A grid belongs to a village or community (level 5 division).")]
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can create grids."))
    grid = Grid.objects.create(code=code, name=name, village=village, polygon=polygon)
    record(
        actor=actor or SYSTEM,
        action="grid.grid_created",
        obj=grid,
        after={"code": code, "name": name, "village": village.code},
    )
    return grid


@transaction.atomic
def update_grid(*, actor, grid: Grid, name: str, polygon: dict) -> Grid:
    """Rename a grid or redraw its boundary (its code and village stay)."""
    errors: dict[str, list] = {}
    name = _clean_grid_shape(errors, name, polygon)
    if errors:
        raise ValidationError(errors)
    if not _may_manage_registry(actor):
        raise PermissionDenied(_("Only dispatchers and the data authority can change grids."))
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    before: dict = {}
    after: dict = {}
    if grid.name != name:
        before["name"], after["name"] = grid.name, name
    if grid.polygon != polygon:
        before["polygon"], after["polygon"] = (
            _polygon_summary(grid.polygon),
            _polygon_summary(polygon),
        )
    if not after:
        return grid
    grid.name, grid.polygon = name, polygon
    grid.save(update_fields=["name", "polygon"])
    record(actor=actor or SYSTEM, action="grid.grid_updated", obj=grid, before=before, after=after)
    return grid


def _town_of(grid: Grid) -> Region:
    return grid.village.parent or grid.village


def grid_worker_candidates(grid: Grid):
    """Active users with an active grid worker post inside the grid's town (a village or the
    town itself) or covering it (the county)."""
    posts = Post.objects.filter(role=Role.GRID_WORKER, active=True).filter(
        subtree_or_ancestors_q(_town_of(grid))
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=posts.values("user_id"))
        .order_by("real_name", "username")
    )


@transaction.atomic
def assign_worker(*, actor, grid: Grid, user) -> GridAssignment:
    if not user.is_superuser:
        if not posts_of(user, [Role.GRID_WORKER]):
            raise ValidationError(
                {
                    "user": [
                        _("%(user)s has no grid worker post; give them one first.") % {"user": user}
                    ]
                }
            )
        if not grid_worker_candidates(grid).filter(pk=user.pk).exists():
            raise ValidationError(
                {
                    "user": [
                        _(
                            "%(user)s is not a grid worker of %(town)s: choose a grid worker "
                            "posted in %(town)s or county-wide."
                        )
                        % {"user": user, "town": _town_of(grid).name}
                    ]
                }
            )
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can assign grid workers.")
        )
    assignment, created = GridAssignment.objects.get_or_create(grid=grid, user=user)
    if created:
        record(
            actor=actor or SYSTEM,
            action="grid.worker_assigned",
            obj=grid,
            after={"user": user.pk, "grid": grid.code},
        )
    return assignment


@transaction.atomic
def unassign_worker(*, actor, grid: Grid, user) -> None:
    if not _may_manage_registry(actor):
        raise PermissionDenied(
            _("Only dispatchers and the data authority can assign grid workers.")
        )
    deleted, _rows = GridAssignment.objects.filter(grid=grid, user=user).delete()
    if not deleted:
        raise ValidationError(
            {
                "user": [
                    _("%(user)s is not assigned to grid %(grid)s.")
                    % {"user": user, "grid": grid.code}
                ]
            }
        )
    record(
        actor=actor or SYSTEM,
        action="grid.worker_unassigned",
        obj=grid,
        before={"user": user.pk, "grid": grid.code},
    )
