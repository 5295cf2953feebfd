"""Settings for the benchmark: production settings with cheap password hashing.

DEBUG stays off (no query log), tasks run inline (ImmediateBackend, as a single
machine without a worker would), MD5 hashing so that creating the world is quick,
and the extra baseline views of ``bench/urls.py``.
"""

import os

from yiwang.settings import *  # noqa: F403
from yiwang.settings import INSTALLED_APPS, VAR_DIR

DEBUG = False
ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # only for the unmanaged baseline model
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT", str(VAR_DIR / "bench-media"))
YIWANG_SMS_LOG = str(VAR_DIR / "bench-sms.log")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
