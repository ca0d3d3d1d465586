"""Production: PostgreSQL via DATABASE_URL, a real secret, HTTPS-only cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        "Production needs DATABASE_URL=postgresql://… (SQLite is for demos)."
    )
SECRET_KEY = os.environ.get("STEADYHAND_SECRET_KEY", "")
if len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("Set STEADYHAND_SECRET_KEY to a random string of 40+ characters.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("Set STEADYHAND_ALLOWED_HOSTS, e.g. steadyhand.example.gov.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("STEADYHAND_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
