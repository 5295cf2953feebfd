"""The search index: one row per searchable thing, whatever app it belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """A pre-analysed document.

    ``tokens`` holds the segmented words of title (three times), aliases (twice)
    and text, space-separated; it is what SQLite FTS5 (table ``search_fts``,
    kept in sync by triggers) and the PostgreSQL GIN index over
    ``to_tsvector('simple', tokens)`` index. Write it only through
    ``yiwang.search.api``.
    """

    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(_("key"), max_length=128)
    title = models.CharField(_("title"), max_length=300)
    aliases = models.TextField(_("aliases"), blank=True, default="")
    text = models.TextField(_("text"), blank=True, default="")
    url = models.CharField(_("URL"), max_length=500, blank=True, default="")
    public = models.BooleanField(_("public"), default=True)
    tokens = models.TextField(_("tokens"), blank=True, default="")
    # Title first, then one word per alias: "spjyxk kfd kcg".
    initials = models.TextField(_("pinyin initials"), blank=True, default="")
    full_pinyin = models.TextField(_("full pinyin"), blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="search_document_kind_key_uniq")
        ]
        indexes = [models.Index(fields=["kind", "public"], name="search_doc_kind_public_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.title}"


class QueryCount(models.Model):
    """How many times a normalised query was searched on one day, and nothing else: no user,
    no address, no time of day (``yiwang.search.popular``)."""

    kind = models.CharField(_("kind"), max_length=32)
    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=30)
    count = models.PositiveIntegerField(_("searches"), default=0)

    class Meta:
        verbose_name = _("search count")
        verbose_name_plural = _("search counts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "day", "query"], name="search_query_count_kind_day_query_uniq"
            )
        ]
        indexes = [models.Index(fields=["kind", "day"], name="search_query_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}:{self.query} ×{self.count}"
