"""Fail when an app's own translation is overridden at run time by another catalogue.

Django merges every catalogue; the project's and earlier apps' translations win. When two apps
use one English msgid for different things ("Case", "Approve"), the loser must give its string
a context (pgettext) instead. This lists every msgid whose run-time translation differs from
the app's own.
"""

import gettext
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")

import django

django.setup()

from django.utils import translation  # noqa: E402
from django.utils.translation import pgettext  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "yiwang"


def clashes():
    translation.activate("zh-hans")
    for mo in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo")):
        with mo.open("rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
        for key, own in catalog.items():
            if not key or isinstance(key, tuple):
                continue
            context, _, msgid = key.rpartition("\x04")
            runtime = pgettext(context, msgid) if context else translation.gettext(msgid)
            if runtime != own:
                yield mo.relative_to(ROOT.parent), key.replace("\x04", " | "), own, runtime


def main() -> int:
    found = list(clashes())
    for path, msgid, own, runtime in found:
        print(f"{path}: {msgid!r} is {own!r} there but {runtime!r} at run time; give it a context")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
