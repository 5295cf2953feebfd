"""Text shown to the public: redacted, except the county's own published numbers.

``gmcrypto.masking.redact_text`` masks every phone, ID, USCC and card number in free text.
The consultation lines of departments and halls are public by design (FAQ answers and
replies quote them), so ``publish_text`` keeps them, plus ``YIWANG_REDACTION_KEEP``. The
list is cached for a few minutes and dropped when a department or hall is saved.
"""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yiwang.gmcrypto.masking import redact_text
from yiwang.orgs.models import Department, Hall

CACHE_KEY = "web:official-numbers"
CACHE_SECONDS = 300
_NUMBER = re.compile(r"\+?\d[\d\- ()]{5,}\d")


def official_numbers() -> tuple[str, ...]:
    """Phone numbers of departments and halls (a field may hold several)."""
    numbers = cache.get(CACHE_KEY)
    if numbers is None:
        values = [
            *Department.objects.exclude(phone="").values_list("phone", flat=True),
            *Hall.objects.exclude(phone="").values_list("phone", flat=True),
        ]
        numbers = tuple(sorted({n for v in values for n in _NUMBER.findall(v)}))
        cache.set(CACHE_KEY, numbers, CACHE_SECONDS)
    return numbers


def publish_text(text: str | None) -> str:
    """``text`` as the public may see it (see the module docstring)."""
    if not text:
        return ""
    return redact_text(text, keep=official_numbers)


@receiver(post_save, sender=Department)
@receiver(post_delete, sender=Department)
@receiver(post_save, sender=Hall)
@receiver(post_delete, sender=Hall)
def _forget(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
