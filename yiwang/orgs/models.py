"""Departments, halls, windows and staff posts (role × department × region scope)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code (check digit or format is wrong)."
            ),
            code="invalid_uscc",
            params={"value": value},
        ) from exc


class Role(models.TextChoices):
    WINDOW = "window", _("Window staff")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    DEPT_ADMIN = "dept_admin", _("Department administrator")
    AUTHORITY = "authority", _("Data authority administrator")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Auditor")
    AGENT = "agent", _("12345 agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    GRID_WORKER = "grid_worker", _("Grid worker")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    phone = models.CharField(_("consultation phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Hall(models.Model):
    """A service hall (政务服务中心 / 镇便民服务中心)."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    hall = models.ForeignKey(
        Hall, on_delete=models.CASCADE, related_name="windows", verbose_name=_("hall")
    )
    number = models.CharField(_("window number"), max_length=10)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["hall", "number"]
        unique_together = [("hall", "number")]
        verbose_name = _("window")
        verbose_name_plural = _("windows")

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number}号窗口"


class Post(models.Model):
    """A staff member's post. Scope = department (None: all departments) × region subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("department"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("region scope")
    )
    hall = models.ForeignKey(
        Hall, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("hall")
    )
    window = models.ForeignKey(
        Window, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("window")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        dept = self.department.name if self.department else _("All departments")
        return f"{self.get_role_display()} · {dept} · {self.region.name}"
