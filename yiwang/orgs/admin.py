"""Admin for departments, halls, windows and posts. Changes go through ``orgs.actions``."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import actions
from .models import Department, Hall, Post, Window


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = list(actions.DEPARTMENT_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            try:
                actions.clean_department(
                    {f: data.get(f) for f in actions.DEPARTMENT_FIELDS},
                    exclude_pk=self.instance.pk,
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "short_name", "uscc", "region", "phone"]
    list_select_related = ["region"]
    list_filter = ["region__level"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["region"]
    list_per_page = 100

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in actions.DEPARTMENT_FIELDS}
        if change:
            saved = actions.update_department(actor=request.user, department=obj, **data)
        else:
            saved = actions.create_department(actor=request.user, **data)
        obj.pk = saved.pk


class HallForm(forms.ModelForm):
    class Meta:
        model = Hall
        fields = list(actions.HALL_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            try:
                actions.clean_hall(
                    {f: data.get(f) for f in actions.HALL_FIELDS}, exclude_pk=self.instance.pk
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class WindowInline(admin.TabularInline):
    model = Window
    fields = ["number", "name"]
    extra = 1
    can_delete = False


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    form = HallForm
    inlines = [WindowInline]
    list_display = ["name", "region", "address", "opening_hours", "phone"]
    list_select_related = ["region"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    list_per_page = 100

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in actions.HALL_FIELDS}
        if change:
            saved = actions.update_hall(actor=request.user, hall=obj, **data)
        else:
            saved = actions.create_hall(actor=request.user, **data)
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        for window_form in formset.forms:
            if not window_form.has_changed() or not window_form.cleaned_data:
                continue
            number = window_form.cleaned_data.get("number")
            name = window_form.cleaned_data.get("name")
            if window_form.instance.pk:
                actions.update_window(
                    actor=request.user, window=window_form.instance, number=number, name=name
                )
            else:
                actions.create_window(
                    actor=request.user, hall=form.instance, number=number, name=name
                )


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name"]
    list_select_related = ["hall"]
    search_fields = ["name", "hall__name"]
    list_filter = ["hall"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # windows are added on their hall's page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-only: posts are granted with the staff account (``accounts.actions``)."""

    list_display = ["user", "role", "department", "region", "hall", "window", "active"]
    list_select_related = ["user", "department", "region", "hall", "window__hall"]
    list_filter = ["role", "active", "department"]
    search_fields = ["user__username", "user__real_name", "department__name", "region__name"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
