"""Display labels of ``TextChoices``, translated once per language rather than once per row.

``Model.get_FOO_display()`` hashes and translates every lazy choice label on each call, which
dominates rendering a list of fifty rows. Lists use ``label(Status, row.status)`` instead.
"""

from functools import lru_cache

from django.db.models import Choices
from django.utils.translation import get_language


def label(choices: type[Choices], value) -> str:
    """The label of ``value`` in the active language (the value itself when unknown)."""
    return _labels(choices, get_language()).get(value, value)


@lru_cache(maxsize=256)
def _labels(choices: type[Choices], language: str | None) -> dict:
    return {value: str(text) for value, text in choices.choices}
