"""Read-only admin for the hotline's data.

Tickets change only through ``yiwang.hotline.actions``; categories, the dispatch catalogue
and time limits only through ``yiwang.hotline.config`` (the pages at ``/hotline/config/``),
so that every change is audited. The admin only shows them.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import CallBack, Category, DispatchRule, Ticket, TimeLimit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConfiguredElsewhereAdmin(ReadOnlyAdmin):
    """Reference data edited on the audited configuration pages; the admin points there."""

    def changelist_view(self, request, extra_context=None):
        url = reverse("hotline:config")
        note = format_html(
            '{} <a href="{}">{}</a>',
            _("Read-only here: every change is made, and audited, on"),
            url,
            _("the hotline configuration pages"),
        )
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": note})


@admin.register(Category)
class CategoryAdmin(ConfiguredElsewhereAdmin):
    list_display = ("code", "name", "level", "parent", "default_urgent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("parent",)


@admin.register(DispatchRule)
class DispatchRuleAdmin(ConfiguredElsewhereAdmin):
    list_display = ("category", "region", "lead_department", "priority", "active")
    list_filter = ("active",)
    list_select_related = ("category", "region", "lead_department")
    autocomplete_fields = ("category",)
    filter_horizontal = ("co_departments",)


@admin.register(TimeLimit)
class TimeLimitAdmin(ConfiguredElsewhereAdmin):
    list_display = ("type", "urgent", "days", "sign_days")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "type", "category", "status", "lead_department", "due_at")
    list_filter = ("status", "type", "channel")
    search_fields = ("number",)
    list_select_related = ("category", "lead_department")
    exclude = ("caller_phone",)


@admin.register(CallBack)
class CallBackAdmin(ReadOnlyAdmin):
    """回访记录 are written by ``actions.record_callback`` only."""

    list_display = ("ticket", "round", "satisfaction", "result", "department", "at")
    list_filter = ("satisfaction", "result")
    list_select_related = ("ticket", "department")
    search_fields = ("ticket__number",)
