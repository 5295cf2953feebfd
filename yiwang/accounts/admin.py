"""Admin for accounts: personal data is shown masked and never editable here; ciphertext never shown."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.audit.actions import record
from yiwang.orgs.models import Post

from . import actions
from .models import (
    Enterprise,
    EnterpriseAgent,
    Kind,
    User,
    normalise_phone,
    normalise_resident_id,
    normalise_uscc,
    validate_enterprise_uscc,
)
from .queries import is_locked


class AuditedAdminMixin(admin.ModelAdmin):
    """Changes made in the admin are appended to the audit chain in the same transaction.

    Put it before the admin class it extends (``class X(AuditedAdminMixin, SomeAdmin)``):
    its ``super()`` calls then reach that class, as the method resolution order puts every
    ``ModelAdmin`` subclass ahead of ``ModelAdmin`` itself.
    """

    audit_fields: tuple[str, ...] = ()

    def _snapshot(self, obj) -> dict:
        return {f: str(getattr(obj, f, "")) for f in self.audit_fields}

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,
                action=f"admin.{'change' if change else 'add'}",
                obj=obj,
                after=self._snapshot(obj),
                fields=sorted(form.changed_data),
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                record(
                    actor=request.user, action="admin.add", obj=obj, parent=str(form.instance.pk)
                )
            for obj, fields in formset.changed_objects:
                record(
                    actor=request.user,
                    action="admin.change",
                    obj=obj,
                    fields=sorted(fields),
                    parent=str(form.instance.pk),
                )
            for obj in formset.deleted_objects:
                record(
                    actor=request.user, action="admin.delete", obj=obj, parent=str(form.instance.pk)
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = self._snapshot(obj)
            record(actor=request.user, action="admin.delete", obj=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record(
                    actor=request.user, action="admin.delete", obj=obj, before=self._snapshot(obj)
                )
            super().delete_queryset(request, queryset)


class PostFormSet(BaseInlineFormSet):
    """Posts are granted and ended through ``accounts.actions``; a granted post is not edited."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not getattr(form, "cleaned_data", None):
                continue
            if form.instance.pk:
                if set(form.changed_data) - {"active"}:
                    form.add_error(
                        None,
                        _(
                            "A post cannot be edited: untick “active” to end it and "
                            "add a new post instead."
                        ),
                    )
                continue
            errors: dict = {}
            actions.clean_posts([{k: form.cleaned_data.get(k) for k in POST_FIELDS}], errors)
            for error in errors.get("posts", []):
                form.add_error(None, error)


POST_FIELDS = ("role", "department", "region", "hall", "window")


class PostInline(admin.TabularInline):
    model = Post
    formset = PostFormSet
    extra = 0
    fields = (*POST_FIELDS, "active")
    raw_id_fields = ("region",)
    can_delete = False


class AgentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        today = timezone.localdate()
        for form in self.forms:
            if not form.has_changed() or not getattr(form, "cleaned_data", None):
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            valid_until = form.cleaned_data.get("valid_until")
            if valid_until and valid_until < today and "valid_until" in form.changed_data:
                form.add_error("valid_until", _("The authorisation end date is in the past."))
            user = form.cleaned_data.get("user") or getattr(form.instance, "user", None)
            if isinstance(user, User) and user.kind == Kind.STAFF:
                form.add_error("user", _("Staff accounts cannot act for an enterprise."))


def _reset_change_log(formset) -> None:
    """The admin's change message reads these lists, which ``formset.save()`` normally fills."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def save_agent_formset(request, formset, *, enterprise=None, user=None) -> None:
    """Route inline agent changes through the actions."""
    _reset_change_log(formset)
    for form in formset.forms:
        if not getattr(form, "cleaned_data", None):
            continue
        data = form.cleaned_data
        instance = form.instance
        if data.get("DELETE") and instance.pk:
            actions.remove_agent(
                actor=request.user, enterprise=instance.enterprise, user=instance.user
            )
            formset.deleted_objects.append(instance)
        elif not form.has_changed():
            continue
        elif instance.pk:
            agent = actions.update_agent(
                actor=request.user,
                agent=instance,
                is_legal_representative=data.get("is_legal_representative", False),
                valid_until=data.get("valid_until"),
            )
            formset.changed_objects.append((agent, form.changed_data))
        else:
            agent = actions.add_agent(
                actor=request.user,
                enterprise=enterprise or data["enterprise"],
                user=user or data["user"],
                is_legal_representative=data.get("is_legal_representative", False),
                valid_until=data.get("valid_until"),
            )
            formset.new_objects.append(agent)


class AgentOfInline(admin.TabularInline):
    model = EnterpriseAgent
    formset = AgentFormSet
    fk_name = "user"
    extra = 0
    raw_id_fields = ("enterprise",)
    verbose_name = _("enterprise the person acts for")
    verbose_name_plural = _("enterprises the person acts for")


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_fields = (
        "username",
        "kind",
        "real_name",
        "realname_level",
        "is_active",
        "is_staff",
        "is_superuser",
        "elder_mode",
    )
    list_display = (
        "username",
        "real_name",
        "kind",
        "masked_id",
        "masked_mobile",
        "realname_level",
        "is_active",
        "locked",
    )
    list_filter = ("kind", "realname_level", "is_active", "is_superuser")
    search_fields = ("username", "real_name")
    ordering = ("username",)
    readonly_fields = (
        "masked_id",
        "masked_mobile",
        "failed_logins",
        "locked_until",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Identity"),
            {
                "fields": (
                    "kind",
                    "real_name",
                    "masked_id",
                    "masked_mobile",
                    "realname_level",
                    "email",
                    "elder_mode",
                )
            },
        ),
        (
            _("Security"),
            {"fields": ("is_active", "failed_logins", "locked_until", "last_login", "date_joined")},
        ),
        (_("Permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "real_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = (PostInline, AgentOfInline)
    actions = ("unlock_accounts",)

    def save_formset(self, request, form, formset, change):
        user = form.instance
        if formset.model is Post:
            _reset_change_log(formset)
            for post_form in formset.forms:
                if not post_form.has_changed() or not getattr(post_form, "cleaned_data", None):
                    continue
                data = post_form.cleaned_data
                if post_form.instance.pk:
                    post = actions.set_post_active(
                        actor=request.user,
                        post=post_form.instance,
                        active=data.get("active", False),
                    )
                    formset.changed_objects.append((post, post_form.changed_data))
                else:
                    post = actions.add_post(
                        actor=request.user, user=user, **{k: data.get(k) for k in POST_FIELDS}
                    )
                    if not data.get("active", True):
                        post = actions.set_post_active(actor=request.user, post=post, active=False)
                    formset.new_objects.append(post)
        elif formset.model is EnterpriseAgent:
            save_agent_formset(request, formset, user=user)
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number or "—"

    @admin.display(description=_("mobile phone"))
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_phone or "—"

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, obj: User) -> bool:
        return is_locked(obj)

    def get_search_results(self, request, queryset, search_term):
        """Exact search by resident ID number or mobile number through the blind indexes."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        number = normalise_resident_id(term)
        if len(number) == 18:
            results |= queryset.filter(id_number_index=actions.id_number_index(number))
        phone = normalise_phone(term)
        if len(phone) == 11 and phone.isdigit():
            results |= queryset.filter(phone_index=actions.phone_index(phone))
        return results, may_have_duplicates

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock_accounts(self, request, queryset):
        count = 0
        try:
            for user in queryset:
                if user.locked_until or user.failed_logins:
                    actions.unlock_account(actor=request.user, user=user)
                    count += 1
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request, _("%(count)d accounts unlocked.") % {"count": count}, messages.SUCCESS
        )


class EnterpriseAgentInline(admin.TabularInline):
    model = EnterpriseAgent
    formset = AgentFormSet
    extra = 0
    raw_id_fields = ("user",)


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ("name", "uscc", "legal_representative", "region", "address")

    def clean_uscc(self) -> str:
        code = normalise_uscc(self.cleaned_data["uscc"])
        validate_enterprise_uscc(code)
        return code


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = EnterpriseForm
    audit_fields = ("name", "uscc", "legal_representative", "region_id", "address")
    list_display = ("name", "uscc", "legal_representative", "region")
    list_select_related = ("region",)
    search_fields = ("name", "uscc", "legal_representative")
    raw_id_fields = ("region",)
    inlines = (EnterpriseAgentInline,)

    def save_formset(self, request, form, formset, change):
        save_agent_formset(request, formset, enterprise=form.instance)


@admin.register(EnterpriseAgent)
class EnterpriseAgentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "user", "is_legal_representative", "valid_until")
    list_select_related = ("enterprise", "user")
    list_filter = ("is_legal_representative",)
    search_fields = ("enterprise__name", "enterprise__uscc", "user__username", "user__real_name")
    raw_id_fields = ("enterprise", "user")
    list_per_page = 100

    # Agents are authorised on the enterprise's (or the person's) page, through the actions.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
