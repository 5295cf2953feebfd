from django.contrib import admin

from .models import Article, GlossaryTerm, KnowledgeCategory


class _ReadOnly(admin.ModelAdmin):
    """Read-only: changes go through ``knowledge.actions`` (the back office at /faq/manage/)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(_ReadOnly):
    list_display = ("title", "category", "status", "public", "valid_from", "valid_until", "views")
    list_filter = ("status", "public", "category")
    search_fields = ("title", "question", "aliases")
    list_select_related = ("category",)
    list_per_page = 50


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(_ReadOnly):
    list_display = ("name", "parent", "position")
    list_select_related = ("parent",)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(_ReadOnly):
    list_display = ("term", "standard", "dialect", "note")
    list_filter = ("dialect",)
    search_fields = ("term", "standard")
