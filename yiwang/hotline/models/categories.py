"""The classification tree (大类 / 中类 / 小类) and its per-process read-only copy."""

from typing import NamedTuple

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.web.memo import SharedMemo


class Category(models.Model):
    """A node of the classification tree: 大类 (1) / 中类 (2) / 小类 (3). Tickets use leaves."""

    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("hotline", "parent"),
    )
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("hotline", "level"),
        choices=[(1, _("Major")), (2, _("Middle")), (3, _("Minor"))],
        default=1,
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words callers use for this category, separated by spaces."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    default_urgent = models.BooleanField(_("urgent by default"), default=False)
    active = models.BooleanField(pgettext_lazy("hotline", "active"), default=True)
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    #: Depth in the tree (0 for a 大类) when the back office lists it in tree order
    #: (``config_views``); not a column.
    depth: int

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.level == 3 or not self.children.exists()

    def ancestors_ids(self) -> list[int]:
        """This category and its ancestors' ids, nearest first (at most 3 queries-free hops
        when ``parent__parent`` is selected)."""
        ids: list[int] = []
        node: Category | None = self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids

    @property
    def full_name(self) -> str:
        names: list[str] = []
        node: Category | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


CATEGORY_CACHE_KEY = "hotline:categories:v2"


class CategoryTree(NamedTuple):
    by_id: dict[int, Category]
    by_code: dict[str, Category]
    groups: frozenset[int]  # ids of the categories that have children
    # (id, full name, searchable words) of the active leaves, in tree order: what tickets use.
    leaves: list[tuple[int, str, str]]
    leaf_ids: frozenset[int]


def _build_category_tree() -> CategoryTree:
    by_id = {c.pk: c for c in Category.objects.all()}  # Meta.ordering: the tree's order
    for c in by_id.values():
        # the chain up to the 大类, without queries
        c.parent = by_id.get(c.parent_id) if c.parent_id is not None else None
    # A group stays a group when all its children are deactivated: tickets need a leaf.
    groups = frozenset(c.parent_id for c in by_id.values() if c.parent_id)
    leaves = [
        (
            c.pk,
            c.full_name,
            " ".join(filter(None, [c.name, c.keywords, c.parent.name if c.parent else ""])),
        )
        for c in by_id.values()
        if c.active and c.pk not in groups
    ]
    return CategoryTree(
        by_id,
        {c.code: c for c in by_id.values()},
        groups,
        leaves,
        frozenset(pk for pk, *_ in leaves),
    )


#: Every category with its parents linked, per process (read-only; see yiwang.web.memo).
category_tree = SharedMemo(CATEGORY_CACHE_KEY, _build_category_tree)


@receiver([post_save, post_delete], sender=Category)
def _forget_categories(sender, **kwargs) -> None:
    """Suggestions, forms and intake follow every change of the tree."""
    category_tree.forget()
