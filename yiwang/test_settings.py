"""Settings for the test suite: the same as production but fast and deterministic."""

from .settings import *  # noqa: F403
from .settings import VAR_DIR

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
YIWANG_SMS_LOG = str(VAR_DIR / "test-sms.log")
# Fixed keys, published here: for tests only (a deployment generates its own, see
# docs/dev/operations.md#keys). Set explicitly so that a local var/secrets.env never applies.
SECRET_KEY = "test-only-Df6QcftWR4aGnw-sYmeBmQAcitCMaEBESWcDCy7i8O7g72utOAybl2fO5Z3"  # noqa: S105
YIWANG_SM4_KEY = "9178e11a599808809f96a37724ca1df0"
YIWANG_SM4_OLD_KEYS = ""
YIWANG_BLIND_INDEX_KEY = "07bf6d79b25861d5f6784fd8b925b4da"
YIWANG_AUDIT_KEY = "676c04ec82ec117b196128da6d9919d8"
YIWANG_SIGNING_KEK = "3a5f0c9e7b21d84466f1c0b2e95d7a18"
YIWANG_AUDIT_CHECKPOINT_FILE = VAR_DIR / "test-audit-checkpoints.jsonl"
YIWANG_EXCHANGE_CHECKPOINT_FILE = VAR_DIR / "test-exchange-checkpoints.jsonl"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
