"""Admin for administrative divisions. Every change goes through ``regions.actions``."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Region


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]

    def validate_unique(self):
        # Duplicate codes are reported by the action's clearer message (retired codes included).
        pass

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk is None and not self.errors:
            try:
                actions.validate_region_code(
                    code=(data.get("code") or "").strip(),
                    name=(data.get("name") or "").strip(),
                    level=data["level"],  # a required field, and there are no errors
                    parent=data.get("parent"),
                )
                existing = Region.objects.filter(code=(data.get("code") or "").strip()).first()
                if existing is not None:
                    raise ValidationError(
                        {
                            "code": _(
                                "Code %(code)s is already used by %(name)s (retired codes are "
                                "never reused). Use a different code."
                            )
                            % {"code": existing.code, "name": existing.name}
                        }
                    )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent", "retired"]
    list_select_related = ["parent"]
    list_filter = ["level", "retired"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_per_page = 100
    ordering = ["code"]
    actions = ["retire_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["code", "level", "parent", "retired"]
        return ["retired"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            # Codes are searched by prefix: "441422" finds the county and everything below it.
            return queryset.filter(code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None):
        # Divisions are retired, never deleted: their codes must stay reserved.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            region = actions.rename_region(actor=request.user, region=obj, name=obj.name)
        else:
            region = actions.create_region(
                actor=request.user, code=obj.code, name=obj.name, level=obj.level, parent=obj.parent
            )
        obj.pk, obj.path = region.pk, region.path

    @admin.action(description=_("Retire selected divisions"), permissions=["change"])
    def retire_selected(self, request, queryset):
        done = 0
        for region in queryset.order_by("-level", "code"):
            try:
                actions.retire_region(actor=request.user, region=region)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
                )
        if done:
            self.message_user(
                request,
                ngettext("Retired %(count)d division.", "Retired %(count)d divisions.", done)
                % {"count": done},
                messages.SUCCESS,
            )
