"""Settings shared by every environment. Environment variables override the embedded defaults."""

import os
from pathlib import Path
from typing import Any

import dj_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[4]
# Where the embedded SQLite database and uploads live when nothing else is configured.
VAR_DIR = Path(os.environ.get("STEADYHAND_VAR_DIR", PROJECT_ROOT / "var"))

SECRET_KEY = os.environ.get("STEADYHAND_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("STEADYHAND_ALLOWED_HOSTS", "").split(",") if h]
# Demo mode prints and shows demo passwords; never set it in production.
DEMO_MODE = os.environ.get("STEADYHAND_DEMO_MODE", "") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "steadyhand.core",
    "steadyhand.agencies",
    "steadyhand.accounts",
    "steadyhand.access",
    "steadyhand.audit",
    "steadyhand.jobs",
    "steadyhand.policy",
    "steadyhand.training",
    "steadyhand.incidents",
    "steadyhand.complaints",
    "steadyhand.evaluations",
    "steadyhand.imports",
    "steadyhand.demo",
    "steadyhand.scenarios",
    "steadyhand.api",
    "steadyhand.exports",
    "steadyhand.reviews",
    "steadyhand.aar",
    "steadyhand.recognition",
    "steadyhand.intervention",
    "steadyhand.backup",
    "steadyhand.stats",
    "steadyhand.dashboard",
    "steadyhand.transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "steadyhand.accounts.middleware.ActorMiddleware",
    "steadyhand.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steadyhand.config.urls"
WSGI_APPLICATION = "steadyhand.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "steadyhand.accounts.context_processors.navigation",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """``DATABASE_URL`` selects PostgreSQL; the default is an embedded SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" half-way through (the audit chain head needs this).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_from_env(VAR_DIR / "steadyhand.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one username from one address locks it for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions end after eight idle hours (a shift) and when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# The REST API (steadyhand.api): token or session authentication (session requests keep CSRF),
# permissions from the one registry, JSON only, errors keyed by field.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "steadyhand.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["steadyhand.api.permissions.RegistryPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "steadyhand.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "steadyhand.api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Steadyhand API",
    "DESCRIPTION": "Incidents, complaints, members and imports of one agency (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "steadyhand.incidents.models.IncidentStatus",
        "ComplaintStatusEnum": "steadyhand.complaints.models.ComplaintStatus",
        "MemberStatusEnum": "steadyhand.agencies.models.MemberStatus",
        "ImportStatusEnum": "steadyhand.imports.models.BatchStatus",
        "ImportKindEnum": "steadyhand.imports.models.ImportKind",
        "EventKindEnum": "steadyhand.incidents.models.EVENT_KIND_CHOICES",
        "ForceLevelEnum": "steadyhand.incidents.models.FORCE_LEVEL_CHOICES",
        "ResistanceEnum": "steadyhand.incidents.models.RESISTANCE_CHOICES",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: str | None = os.environ.get("STEADYHAND_STATIC_ROOT", str(VAR_DIR / "static"))

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STEADYHAND_LOG_LEVEL", "WARNING")},
}
