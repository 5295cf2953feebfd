from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    label = "hotline"
    verbose_name = pgettext_lazy("hotline", "12345 hotline")
