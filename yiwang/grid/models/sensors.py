"""Sensor devices and every alert they sent, accepted or not."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .events import CityEvent
from .registry import Grid


class SensorType(models.TextChoices):
    WATERLOGGING = "waterlogging", _("Waterlogging monitor")
    MANHOLE = "manhole", _("Manhole cover displacement")
    SMOKE = "smoke", _("Smoke detector")
    NOISE = "noise", _("Noise monitor")


class SensorDevice(models.Model):
    device_id = models.CharField(_("device ID"), max_length=64, unique=True)
    sensor_type = models.CharField(
        pgettext_lazy("city event", "type"), max_length=20, choices=SensorType.choices
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("grid"),
    )
    active = models.BooleanField(pgettext_lazy("city event", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["device_id"]
        verbose_name = _("sensor device")
        verbose_name_plural = _("sensor devices")

    def __str__(self) -> str:
        return self.name or self.device_id


class AlertChannel(models.TextChoices):
    WEBHOOK = "webhook", _("HTTP webhook")
    MQTT = "mqtt", _("MQTT")
    OTHER = "other", _("Other")


class SensorAlert(models.Model):
    """Every alert received, accepted or not (rejected ones keep the error text)."""

    device = models.ForeignKey(
        SensorDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("device"),
    )
    device_ref = models.CharField(_("device ID as sent"), max_length=64, blank=True)
    sensor_type = models.CharField(pgettext_lazy("city event", "type"), max_length=20, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    channel = models.CharField(
        pgettext_lazy("city event", "channel"),
        max_length=10,
        choices=AlertChannel.choices,
        default=AlertChannel.OTHER,
    )
    event = models.ForeignKey(
        CityEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=pgettext_lazy("city event", "case"),
    )
    ticket = models.ForeignKey(
        "hotline.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sensor_alerts",
        verbose_name=_("12345 ticket"),
    )
    duplicate = models.BooleanField(_("linked to an open case"), default=False)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("sensor alert")
        verbose_name_plural = _("sensor alerts")

    def __str__(self) -> str:
        return f"{self.device_ref} · {self.sensor_type} · {self.received_at:%Y-%m-%d %H:%M}"
