"""Django settings for EduPulse, made from the environment (see docs/architecture.md#settings).

Every variable is declared, parsed and typed once in ``edupulse.utilities.config``; this module only turns
the parsed values into Django settings. The embedded default needs nothing: SQLite under ./var/ and DuckDB
beside it. Production sets ``DATABASE_URL`` (PostgreSQL) and ``EDUPULSE_REDIS_URL``. Any malformed variable
stops start-up with a message naming it.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from edupulse.utilities.config import current

# Lower-case, so that Django does not take it for a setting.
_env = current()

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = _env.var_dir

DEBUG = _env.debug
# Production refuses the development secret key (utilities/config.py) and serves hashed, compressed static files.
PRODUCTION = _env.production
SECRET_KEY = _env.secret_key
# Key for the audit hash chain; separate so that rotating SECRET_KEY does not break verification.
AUDIT_KEY = _env.audit_key
# Key for keyed-HMAC pseudonyms of personal identifiers (students are minors).
PSEUDONYM_KEY = _env.pseudonym_key

ALLOWED_HOSTS = list(_env.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(_env.csrf_trusted_origins)

INSTALLED_APPS = [
    "edupulse.core.adminsite.EduPulseAdminConfig",  # the Django admin, for the province admin only
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
    "edupulse.plans",
    "edupulse.basedata",
    "edupulse.indicators",
    "edupulse.reports",
    "edupulse.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the WSGI server (gunicorn, `edupulse serve`): right after SecurityMiddleware so
    # that they get its headers (HSTS, nosniff) but skip sessions, locale and the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edupulse.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a user whose password an officer chose reaches only the password change page.
    "edupulse.accounts.middleware.PasswordChangeRequiredMiddleware",
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
    "default": _env.database(),
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
DUCKDB_PATH = _env.duckdb_path
BASEDATA_DUCKDB_PATH = _env.basedata_duckdb_path
REDIS_URL = _env.redis_url

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
LOGIN_FAILURE_LIMIT = _env.login_failure_limit
LOGIN_FAILURE_WINDOW_SECONDS = _env.login_failure_window

SECURE_COOKIES = _env.secure_cookies
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _env.session_seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if SECURE_COOKIES else 0
# Served over HTTPS at all means over HTTPS everywhere below this host name too (the deploy checks ask for both).
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_COOKIES
SECURE_HSTS_PRELOAD = SECURE_COOKIES
SECURE_SSL_REDIRECT = _env.ssl_redirect
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _env.behind_proxy else None
# Only trust X-Forwarded-For (for the audit's "from where") behind a proxy we were told about.
BEHIND_PROXY = _env.behind_proxy

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = _env.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise indexes STATIC_ROOT when the middleware starts and warns when it is missing; before the first
# collectstatic (tests, a fresh clone) it is simply empty.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: file names with a content hash (cached for ever by browsers and proxies) and gzip/brotli copies,
    # made by collectstatic (`edupulse serve` runs it). Elsewhere the plain storage, so that tests and the demo's
    # runserver render `{% static %}` without a manifest.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Pages use their own static files only; other sites have no reason to read them (WhiteNoise's default is `*`).
WHITENOISE_ALLOW_ALL_ORIGINS = False

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
    "root": {"handlers": ["console"], "level": _env.log_level},
}

# Raise when an audited model is written outside an action (always on in the test suite).
EDUPULSE_ENFORCE_ACTIONS = _env.enforce_actions

# Background tasks (issue 4): the django-tasks backport of Django 6's django.tasks. "db" (default,
# embedded) keeps the queue in the database (django-tasks-db, worker: `edupulse worker`); "rq" puts it
# on Redis (django-tasks-rq) for several workers on several machines and needs EDUPULSE_REDIS_URL
# (utilities/config.py refuses "rq" without it).
TASK_BACKEND = _env.task_backend
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend" if TASK_BACKEND == "db" else "django_tasks_rq.RQBackend",
        "QUEUES": ["default", "monitoring"],
    }
}
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}
             for name in ("default", "monitoring")}
# A sweep batch whose worker has not reported for this long is given to another worker.
SWEEP_LEASE_SECONDS = _env.sweep_lease_seconds
# What sweeps and notice re-probes call to probe sites (monitoring/runners.py): a dotted path or the runner
# itself. Not an environment variable: it is swapped by code (tests, a deployment's own probe farm).
PROBE_RUNNER = "edupulse.monitoring.runners.EngineRunner"
# A list export with more rows than this runs as a background task with a progress page (core/exports.py);
# smaller ones are answered in the request. Not an environment variable: tests lower it.
EXPORT_INLINE_ROWS = 5000
# Uploaded files (rectification evidence of notices) live in the data directory, never served raw.
MEDIA_ROOT = VAR_DIR / "media"

# Periodic monitoring jobs (monitoring/scheduling.py), run by whichever `edupulse worker` (or
# `edupulse scheduler`) ticks first; minutes between runs, 0 switches a job off.
SCHEDULE_MINUTES = {
    # Every check on every active site (TLS, content and the IPv6 link sample included).
    "full_sweep": _env.full_sweep_minutes,
    # Availability, DNS and IPv6 only: how fast an outage is noticed (a finding opens after two failures).
    "quick_sweep": _env.quick_sweep_minutes,
    # The dashboard's per-region roll-up of today, overdue notice items, retention.
    "rollup": _env.rollup_minutes,
    "escalate": _env.escalate_minutes,
    "purge": _env.purge_minutes,
    # Tampering baselines for sites that have none yet (a background task).
    "baseline": _env.baseline_minutes,
}
