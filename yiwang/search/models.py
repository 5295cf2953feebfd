"""The search index: one row per searchable thing, whatever app it belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable thing, with the fields ranking weighs differently.

    ``title`` > ``aliases`` (other names people use) > ``keywords`` (type, department,
    themes) > ``text`` (guide text). ``tokens`` holds the segmented words of the three
    short fields, tab-separated by field, so a process loads its in-memory index
    (``yiwang.search.engine``) without segmenting again. Write it only through
    ``yiwang.search.api``.
    """

    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(_("key"), max_length=128)
    title = models.CharField(_("title"), max_length=300)
    aliases = models.TextField(_("aliases"), blank=True, default="")
    keywords = models.TextField(_("keywords"), blank=True, default="")
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
        indexes = [
            models.Index(fields=["kind", "public"], name="search_doc_kind_public_idx"),
            models.Index(fields=["kind", "updated_at"], name="search_doc_kind_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.title}"


class QueryCount(models.Model):
    """How many times a normalised query was searched on one day, how many of those searches
    found nothing and how many were followed by opening a result, and nothing else: no user,
    no address, no time of day (``yiwang.search.popular``)."""

    kind = models.CharField(_("kind"), max_length=32)
    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=30)
    count = models.PositiveIntegerField(_("searches"), default=0)
    empty = models.PositiveIntegerField(_("searches without results"), default=0)
    clicks = models.PositiveIntegerField(_("results opened"), default=0)

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


class ResultClick(models.Model):
    """Which result was opened after a query, counted per day (no user, no time of day)."""

    kind = models.CharField(_("kind"), max_length=32)
    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=30)
    key = models.CharField(_("key"), max_length=128)
    count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("opened search result")
        verbose_name_plural = _("opened search results")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "day", "query", "key"], name="search_click_kind_day_query_key_uniq"
            )
        ]
        indexes = [models.Index(fields=["kind", "day"], name="search_click_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}:{self.query} -> {self.key} ×{self.count}"


class DocumentUse(models.Model):
    """How often a document (a service item's guide, an article) was opened on one day."""

    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(_("key"), max_length=128)
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("document use")
        verbose_name_plural = _("document uses")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "day"], name="search_document_use_kind_key_day_uniq"
            )
        ]
        indexes = [models.Index(fields=["kind", "day"], name="search_document_use_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}:{self.key} ×{self.views}"


class LexiconSource(models.TextChoices):
    SHIPPED = "shipped", _("shipped with the platform")
    ADMIN = "admin", _("added by a catalogue administrator")
    GLOSSARY = "glossary", _("dialect glossary")


class LexiconEntry(models.Model):
    """An everyday word and the official words it stands for (狗 → 犬 犬类 犬只).

    A query containing ``term`` is also searched for each of ``official`` at a lower weight
    than the words typed (``yiwang.search.lexicon``). Shipped entries come from
    ``data/lexicon.txt``; administrators add and switch off entries; the knowledge base's
    dialect glossary keeps its own entries in step.
    """

    term = models.CharField(_("everyday word"), max_length=30)
    official = models.CharField(
        _("official words"),
        max_length=300,
        help_text=_("Words used in the catalogue, separated by spaces."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=LexiconSource.choices, default=LexiconSource.ADMIN
    )
    active = models.BooleanField(_("in use"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon entries")
        ordering = ["term", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "source"], name="search_lexicon_term_source_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.official}"

    @property
    def official_words(self) -> list[str]:
        return [w for w in self.official.split() if w]
