"""Django settings for EduPulse, read from the environment (see docs/architecture.md#settings).

The embedded default needs nothing: SQLite under ./var/ and DuckDB beside it. Production sets
``DATABASE_URL`` (PostgreSQL) and ``EDUPULSE_REDIS_URL``. Any malformed variable stops start-up.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from edupulse.utilities.env import (
    SettingError,
    env_bool,
    env_choice,
    env_database_url,
    env_int,
    env_list,
    env_path,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = env_path("EDUPULSE_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("EDUPULSE_DEBUG", False)
_DEV_SECRET = "edupulse-insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("EDUPULSE_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET and env_bool("EDUPULSE_PRODUCTION", False):
    raise SettingError("EDUPULSE_SECRET_KEY", "(unset)", "a secret of your own when EDUPULSE_PRODUCTION=1")
if len(SECRET_KEY) < 32:
    raise SettingError("EDUPULSE_SECRET_KEY", "***", "at least 32 characters")
# Key for the audit hash chain; separate so that rotating SECRET_KEY does not break verification.
AUDIT_KEY = env_str("EDUPULSE_AUDIT_KEY", SECRET_KEY)
# Key for keyed-HMAC pseudonyms of personal identifiers (students are minors).
PSEUDONYM_KEY = env_str("EDUPULSE_PSEUDONYM_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("EDUPULSE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("EDUPULSE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "edupulse.core",
    "edupulse.orgs",
    "edupulse.accounts",
    "edupulse.collection",
    "edupulse.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edupulse.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "edupulse.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "edupulse.urls"
WSGI_APPLICATION = "edupulse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "edupulse.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env_database_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'edupulse.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default keeps its files in the data directory; a fresh clone does not have it yet.
    Path(str(DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while a worker writes; IMMEDIATE avoids "database is locked"
    # upgrades in the middle of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DUCKDB_PATH = env_path("EDUPULSE_DUCKDB_PATH", VAR_DIR / "analytics.duckdb")
REDIS_URL = env_str("EDUPULSE_REDIS_URL", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: this many failures per username or per address within the window lock it out.
LOGIN_FAILURE_LIMIT = env_int("EDUPULSE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("EDUPULSE_LOGIN_FAILURE_WINDOW", 900, minimum=10)

SECURE_COOKIES = env_bool("EDUPULSE_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("EDUPULSE_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if SECURE_COOKIES else 0
SECURE_SSL_REDIRECT = env_bool("EDUPULSE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("EDUPULSE_BEHIND_PROXY", False) else None
# Only trust X-Forwarded-For (for the audit's "from where") behind a proxy we were told about.
BEHIND_PROXY = env_bool("EDUPULSE_BEHIND_PROXY", False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("EDUPULSE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["edupulse.core.api.permissions.ScopedObjectPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "edupulse.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "edupulse.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EduPulse API",
    "DESCRIPTION": "Education informatization and cybersecurity platform. Every endpoint is limited to the caller's scope.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per shared choice set (used by several fields).
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "edupulse.monitoring.checks.Severity",
        "HarmObjectEnum": "edupulse.monitoring.grading.HarmObject",
        "HarmDegreeEnum": "edupulse.monitoring.grading.HarmDegree",
    },
}
DJANGO_TABLES2_TEMPLATE = "core/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("EDUPULSE_LOG_LEVEL", "INFO")},
}

# Raise when an audited model is written outside an action (always on in the test suite).
EDUPULSE_ENFORCE_ACTIONS = env_bool("EDUPULSE_ENFORCE_ACTIONS", False)

# Background tasks (issue 4): the django-tasks backport of Django 6's django.tasks. "db" (default,
# embedded) keeps the queue in the database (django-tasks-db, worker: `edupulse worker`); "rq" puts it
# on Redis (django-tasks-rq) for several workers on several machines and needs EDUPULSE_REDIS_URL.
TASK_BACKEND = env_choice("EDUPULSE_TASK_BACKEND", "db", ("db", "rq"))
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise SettingError("EDUPULSE_TASK_BACKEND", "rq", "EDUPULSE_REDIS_URL to be set as well")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend" if TASK_BACKEND == "db" else "django_tasks_rq.RQBackend",
        "QUEUES": ["default", "monitoring"],
    }
}
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}
             for name in ("default", "monitoring")}
# A sweep batch whose worker has not reported for this long is given to another worker.
SWEEP_LEASE_SECONDS = env_int("EDUPULSE_SWEEP_LEASE_SECONDS", 300, minimum=30)
# Uploaded files (rectification evidence of notices) live in the data directory, never served raw.
MEDIA_ROOT = VAR_DIR / "media"

# Periodic monitoring jobs (monitoring/scheduling.py), run by whichever `edupulse worker` (or
# `edupulse scheduler`) ticks first; minutes between runs, 0 switches a job off.
SCHEDULE_MINUTES = {
    # Every check on every active site (TLS, content and the IPv6 link sample included).
    "full_sweep": env_int("EDUPULSE_FULL_SWEEP_MINUTES", 24 * 60, minimum=0),
    # Availability, DNS and IPv6 only: how fast an outage is noticed (a finding opens after two failures).
    "quick_sweep": env_int("EDUPULSE_QUICK_SWEEP_MINUTES", 60, minimum=0),
    # The dashboard's per-region roll-up of today, overdue notice items, retention.
    "rollup": env_int("EDUPULSE_ROLLUP_MINUTES", 60, minimum=0),
    "escalate": env_int("EDUPULSE_ESCALATE_MINUTES", 60, minimum=0),
    "purge": env_int("EDUPULSE_PURGE_MINUTES", 24 * 60, minimum=0),
    # Tampering baselines for sites that have none yet (a background task).
    "baseline": env_int("EDUPULSE_BASELINE_MINUTES", 7 * 24 * 60, minimum=0),
}
