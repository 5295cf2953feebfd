"""The CAPTCHA asked before anything that costs a text message or creates an account.

Built on django-simple-captcha: the picture is drawn by Pillow on this server and served
from ``/captcha/image/<key>/`` (same origin, so the CSP ``img-src 'self'`` allows it and
no outside service learns who visits). The answer is kept in the database, one try per
picture, for ``CAPTCHA_TIMEOUT`` minutes.

The characters avoid the pairs people confuse on a phone screen (0/O, 1/I/L, 2/Z, 5/S,
8/B) and are not case-sensitive. Instead of audio (the library's needs an English speech
synthesiser) the widget offers another picture, with htmx in place or, without JavaScript,
by reloading the page.
"""

from __future__ import annotations

import re
import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField as LibraryCaptchaField
from captcha.fields import CaptchaTextInput
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
_KEY = re.compile(r"[0-9a-f]{40}")
# Field names the refresh view may draw a widget for (a form's prefix, then "captcha").
FIELD_NAME = re.compile(r"(?:[a-z]{1,20}-)?captcha")


def challenge() -> tuple[str, str]:
    """``CAPTCHA_CHALLENGE_FUNCT``: (text drawn, expected answer)."""
    text = "".join(secrets.choice(ALPHABET) for _ in range(int(captcha_settings.CAPTCHA_LENGTH)))
    return text, text.lower()


class CaptchaWidget(CaptchaTextInput):
    template_name = "accounts/captcha_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["image_2x"] = reverse("captcha-image-2x", kwargs={"key": self._key})
        context["refresh"] = f"{reverse('accounts:captcha')}?name={name}"
        context["length"] = int(captcha_settings.CAPTCHA_LENGTH)
        answer = context["widget"]["subwidgets"][1]["attrs"]
        answer.update({"maxlength": "8", "size": "8", "class": "captcha-answer"})
        if context["widget"]["attrs"].get("id"):  # the hint inside the widget
            answer["aria-describedby"] = f"{context['widget']['attrs']['id']}-hint"
        return context


class CaptchaField(LibraryCaptchaField):
    """A CAPTCHA with specific errors: ``captcha_required`` and ``captcha_invalid``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Characters in the picture"))
        kwargs["widget"] = CaptchaWidget()
        super().__init__(**kwargs)

    def clean(self, value):
        key, answer = [*list(value or []), "", ""][:2]
        key, answer = (key or "").strip(), (answer or "").strip()
        if not answer:
            raise ValidationError(
                _("Type the characters shown in the picture."), code="captcha_required"
            )
        if not _KEY.fullmatch(key) or len(answer) > 32 or "\x00" in answer:
            raise ValidationError(self._wrong(), code="captcha_invalid")
        try:
            return super().clean([key, answer])
        except ValidationError as exc:
            raise ValidationError(self._wrong(), code="captcha_invalid") from exc

    @staticmethod
    def _wrong():
        return _(
            "The characters do not match the picture, or it is older than %(minutes)d "
            "minutes. Type the characters in the new picture."
        ) % {"minutes": int(captcha_settings.CAPTCHA_TIMEOUT)}


def render_widget(name: str) -> str:
    """A fresh widget for the field ``name`` (the refresh link swaps it in)."""
    return CaptchaWidget().render(name, None, attrs={"id": f"id_{name}"})
