"""Admin for the hotline's reference data (categories, dispatch catalogue, time limits).

Tickets are changed only through ``yiwang.hotline.actions``; the admin shows them read-only.
"""

from django.contrib import admin

from .models import Category, DispatchRule, Ticket, TimeLimit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "default_urgent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("parent",)


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "region", "lead_department", "priority", "active")
    list_filter = ("active",)
    list_select_related = ("category", "region", "lead_department")
    autocomplete_fields = ("category",)
    filter_horizontal = ("co_departments",)


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ("type", "urgent", "days", "sign_days")
    list_editable = ("days", "sign_days")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "type", "category", "status", "lead_department", "due_at")
    list_filter = ("status", "type", "channel")
    search_fields = ("number",)
    list_select_related = ("category", "lead_department")
    exclude = ("caller_phone",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
