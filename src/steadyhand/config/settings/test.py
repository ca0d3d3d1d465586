"""Test settings: fast hashing, tasks run immediately, database from DATABASE_URL or SQLite."""

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_env

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEMO_MODE = True
DATABASES = {"default": database_from_env(VAR_DIR / "test.sqlite3")}
# Argon2 stays the production hasher; tests use MD5 only so thousands of logins stay quick.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the apps (no collectstatic step for the embedded default).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
