"""Knowledge base (知识库): FAQ articles for citizens and 12345 agents, and a dialect glossary.

An article is *public* (on /faq/, in the public API and public search) when it is
published, marked public and valid today. An article that is published and valid but
not marked public is internal: agents get it as a suggestion, citizens never see it.
Write only through ``yiwang.knowledge.actions``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.search.text import split_aliases


class KnowledgeCategory(models.Model):
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def valid_on_q(day: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)

    def valid(self, day: datetime.date | None = None):
        """Published and valid on ``day`` (today by default): what agents may be offered."""
        return self.published().filter(valid_on_q(day or timezone.localdate()))

    def public(self, day: datetime.date | None = None):
        """What citizens see: published, marked public and valid today."""
        return self.valid(day).filter(public=True)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(
        _("question as citizens ask it"),
        max_length=500,
        blank=True,
        help_text=_("How callers put it, e.g. 开饭店要办什么证？"),
    )
    answer = models.TextField(
        _("answer"),
        help_text=_(
            "Plain text. A blank line starts a new paragraph, lines starting with “- ” or “1. ” "
            "become lists, **text** is bold."
        ),
    )
    category = models.ForeignKey(
        KnowledgeCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="knowledge_articles",
        verbose_name=pgettext_lazy("knowledge", "responsible department"),
        help_text=_("Empty: maintained by the data authority."),
    )
    aliases = models.TextField(
        _("aliases and everyday words"),
        blank=True,
        help_text=_("Separated by commas or spaces, e.g. 开饭店, 开餐馆."),
    )
    service_items = models.ManyToManyField(
        "catalog.ServiceItem",
        blank=True,
        related_name="knowledge_articles",
        verbose_name=_("related service items"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    public = models.BooleanField(
        _("public"), default=True, help_text=_("Unticked: internal answer for 12345 agents only.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    views = models.PositiveIntegerField(_("views"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["status", "public"], name="knowledge_article_status_idx"),
            models.Index(fields=["-views"], name="knowledge_article_views_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on()

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.public and self.is_valid

    @property
    def not_yet_valid(self) -> bool:
        return bool(self.valid_from and timezone.localdate() < self.valid_from)

    @property
    def expired(self) -> bool:
        return bool(self.valid_until and timezone.localdate() > self.valid_until)


class GlossaryTerm(models.Model):
    """A local word (客家话 起屋) and the standard word(s) it means (建房)."""

    term = models.CharField(_("dialect term"), max_length=30)
    standard = models.CharField(
        _("standard term(s)"),
        max_length=100,
        help_text=_("One or more standard words separated by commas or spaces, e.g. 建房 盖房."),
    )
    dialect = models.CharField(_("dialect"), max_length=20, default="客家话")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["dialect", "term"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [
            models.UniqueConstraint(fields=["term", "dialect"], name="knowledge_glossary_term_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.standard}"

    @property
    def standard_words(self) -> list[str]:
        return split_aliases(self.standard)
