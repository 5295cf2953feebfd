from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiwang.web.errors import register_format

from .formats import errors


def _prefix() -> str:
    return reverse("open311:services", args=["json"]).rsplit("v2/", 1)[0]


def _render_error(request, status: int, code: str, messages: list[str]):
    """Every error under /open311/ (unknown paths, 500s, refused input) in the spec's format."""
    return errors("xml" if request.path.endswith(".xml") else "json", status, messages)


class Open311Config(AppConfig):
    name = "yiwang.hotline.open311"
    label = "open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self) -> None:
        register_format(_prefix, _render_error)
