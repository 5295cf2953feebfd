"""bench.settings with the cache switched off (DummyCache), for measuring /hotline/stats/.

The statistics page caches its figures for 60 s; with this settings module every request
computes them. Used only by the statistics server of ``bench/hotline.py`` (the intake and
dispatcher-list server keeps the normal cache, as in production).
"""

from bench.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
