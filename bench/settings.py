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
# The benchmark builds a throwaway database: fixed keys unless the environment (or
# var/secrets.env, which yiwang.settings has loaded into it) provides some.
SECRET_KEY = os.environ.get("YIWANG_SECRET_KEY") or (
    "bench-only-h1FzYubMKkDvlHQydWb5ifoy47p48CvLkmcr3wr40D676_8V6_wPqA"
)
YIWANG_SM4_KEY = os.environ.get("YIWANG_SM4_KEY") or "b9c4d461cdb708627bf51bd5cf9666c2"
YIWANG_BLIND_INDEX_KEY = (
    os.environ.get("YIWANG_BLIND_INDEX_KEY") or "de3ae460bc08dc69198aadbb9c23d9df"
)
YIWANG_AUDIT_KEY = os.environ.get("YIWANG_AUDIT_KEY") or "aae7b4c1671d6b9430e4acbffb750d53"
YIWANG_SIGNING_KEK = os.environ.get("YIWANG_SIGNING_KEK") or "61d2a0f4c89b3e7d05a6c1e8f2b47d93"
YIWANG_AUDIT_CHECKPOINT_FILE = VAR_DIR / "bench-audit-checkpoints.jsonl"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
