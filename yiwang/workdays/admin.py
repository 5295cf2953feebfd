"""Django admin for holiday overrides; every write goes through the actions."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import HolidayOverride


class HolidayOverrideAdminForm(forms.ModelForm):
    class Meta:
        model = HolidayOverride
        fields = ["date", "is_workday", "name", "source_notice"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day = cleaned.get("date") or (self.instance.date if self.instance.pk else None)
        if day is None or self.errors:
            return cleaned
        try:
            actions.clean_override(
                date=day,
                is_workday=bool(cleaned.get("is_workday")),
                name=cleaned.get("name"),
                source_notice=cleaned.get("source_notice"),
                allow_existing=bool(self.instance.pk),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def validate_unique(self):
        # Duplicates are reported by actions.clean_override with a specific message.
        pass


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    form = HolidayOverrideAdminForm
    list_display = [
        "date",
        "weekday",
        "is_workday",
        "name",
        "source_notice",
        "created_by",
        "created_at",
    ]
    list_filter = ["is_workday"]
    list_select_related = ["created_by"]
    search_fields = ["name", "source_notice"]
    date_hierarchy = "date"
    ordering = ["-date"]
    list_per_page = 100
    readonly_fields = ["created_by", "created_at"]
    actions = ["delete_selected_overrides"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.insert(0, "date")  # to move a day, delete it and add the new one
        return fields

    def _can_edit(self, request) -> bool:
        return actions.can_edit_calendar(request.user)

    def has_view_permission(self, request, obj=None):
        return self._can_edit(request)

    def has_module_permission(self, request):
        return self._can_edit(request)

    def has_add_permission(self, request):
        return self._can_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._can_edit(request) and (obj is None or actions.is_editable_date(obj.date))

    def has_delete_permission(self, request, obj=None):
        return self._can_edit(request) and (obj is None or actions.is_editable_date(obj.date))

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # it would bypass the actions
        return found

    def save_model(self, request, obj, form, change):
        saved = actions.set_override(
            actor=request.user,
            date=obj.date,
            is_workday=obj.is_workday,
            name=obj.name,
            source_notice=obj.source_notice,
            replace=change,
        )
        obj.pk, obj.created_at, obj.created_by_id = saved.pk, saved.created_at, saved.created_by_id

    def delete_model(self, request, obj):
        actions.delete_override(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            actions.delete_override(actor=request.user, override=obj)

    @admin.action(description=_("Delete selected holiday overrides"))
    def delete_selected_overrides(self, request, queryset):
        deleted = 0
        for obj in queryset:
            try:
                actions.delete_override(actor=request.user, override=obj)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
            except PermissionDenied as exc:
                self.message_user(request, f"{obj}: {exc}", messages.ERROR)
            else:
                deleted += 1
        if deleted:
            self.message_user(
                request,
                _("Deleted %(count)d holiday overrides.") % {"count": deleted},
                messages.SUCCESS,
            )
