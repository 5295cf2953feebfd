"""Settings for 一网.

Everything a deployment changes comes from environment variables (prefix
``YIWANG_`` or the conventional ``DATABASE_URL`` / ``REDIS_URL``); the defaults
give a working embedded installation with nothing but Python.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("YIWANG_DEBUG", False)
SECRET_KEY = os.environ.get(
    "YIWANG_SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = os.environ.get("YIWANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("YIWANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # shared kernel
    "yiwang.web",
    "yiwang.gmcrypto",
    "yiwang.audit",
    "yiwang.regions",
    "yiwang.orgs",
    "yiwang.accounts",
    "yiwang.workdays",
    "yiwang.notify",
    "yiwang.search",
    # domain
    "yiwang.catalog",
    "yiwang.cases",
    "yiwang.knowledge",
    "yiwang.hotline",
    "yiwang.hotline.open311",
    "yiwang.grid",
    "yiwang.demo",
    # After our apps, so that our translations win over the admin's (退出, not 注销).
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yiwang.web.middleware.SecurityHeadersMiddleware",
    "yiwang.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.web.context_processors.site",
            ],
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("YIWANG_SQLITE_PATH", str(VAR_DIR / "yiwang.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background jobs ------------------------------------------------------
if env_bool("YIWANG_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What `yiwang worker` runs periodically: task path → interval in seconds.
YIWANG_SWEEP_INTERVAL = int(os.environ.get("YIWANG_SWEEP_INTERVAL", "300"))
YIWANG_PERIODIC_TASKS = {
    "yiwang.cases.tasks.sweep_deadlines": YIWANG_SWEEP_INTERVAL,
    "yiwang.knowledge.tasks.sync_article_validity": 6 * 3600,
    "yiwang.grid.tasks.sweep_deadlines": YIWANG_SWEEP_INTERVAL,
    "yiwang.hotline.tasks.supervise_overdue": YIWANG_SWEEP_INTERVAL,
}

# --- grid governance and sensors -----------------------------------------------
# Sensor webhook: clients send this token in X-Yiwang-Token (empty: the webhook refuses all).
YIWANG_SENSOR_TOKEN = os.environ.get("YIWANG_SENSOR_TOKEN", "")
# MQTT sensor intake, started by `yiwang worker`, e.g. mqtt://user:pass@127.0.0.1:1883/yiwang/sensors/%23
YIWANG_MQTT_URL = os.environ.get("YIWANG_MQTT_URL", "")
YIWANG_MQTT_TOPIC = os.environ.get("YIWANG_MQTT_TOPIC", "")
# Sensor types whose alerts become 12345 tickets (dispatched through the 派单目录) rather than
# city-management cases: type → ticket category code and ticket type. A noise monitor's alert is
# the complaint residents would otherwise phone in.
YIWANG_SENSOR_TICKETS = {"noise": {"category": "010103", "type": "report"}}
# Map tiles (e.g. the county's own tile server); empty = offline GeoJSON on a plain background.
YIWANG_MAP_TILE_URL = os.environ.get("YIWANG_MAP_TILE_URL", "")

# --- identity -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiwang.accounts.passwords.CharacterClassValidator"},
]
# Lockout after repeated failures (per account).
YIWANG_LOGIN_MAX_FAILURES = int(os.environ.get("YIWANG_LOGIN_MAX_FAILURES", "5"))
YIWANG_LOGIN_LOCK_MINUTES = int(os.environ.get("YIWANG_LOGIN_LOCK_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("YIWANG_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("YIWANG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# SMS gateway: dotted path to a class with ``send(phone, text)``.
YIWANG_SMS_GATEWAY = os.environ.get("YIWANG_SMS_GATEWAY", "yiwang.notify.sms.ConsoleFileGateway")
YIWANG_SMS_LOG = os.environ.get("YIWANG_SMS_LOG", str(VAR_DIR / "sms.log"))

# 国密 keys for personal data at rest (hex, 16 bytes each). Derived from
# SECRET_KEY when unset, which is fine for a demo and wrong for production.
YIWANG_SM4_KEY = os.environ.get("YIWANG_SM4_KEY", "")
YIWANG_BLIND_INDEX_KEY = os.environ.get("YIWANG_BLIND_INDEX_KEY", "")

# --- files ----------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("YIWANG_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
YIWANG_UPLOAD_MAX_BYTES = int(os.environ.get("YIWANG_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- locale ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# The UI is Chinese whatever the browser asks for; English exists for developers and tests.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- security -------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Public address used in QR codes on receipts and documents.
YIWANG_PUBLIC_URL = os.environ.get("YIWANG_PUBLIC_URL", "http://127.0.0.1:8000")
YIWANG_COUNTY_CODE = "441422"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YIWANG_LOG_LEVEL", "WARNING")},
    "loggers": {"yiwang": {"level": os.environ.get("YIWANG_LOG_LEVEL", "INFO")}},
}
