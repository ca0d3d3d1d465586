"""The embedded default: SQLite in ``var/``, debug on localhost, demo passwords shown."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("STEADYHAND_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("STEADYHAND_SECRET_KEY") or "dev-only-not-secret-steadyhand"
ALLOWED_HOSTS = os.environ.get("STEADYHAND_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
DEMO_MODE = os.environ.get("STEADYHAND_DEMO_MODE", "1") == "1"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Static files straight from the apps (no collectstatic step for the embedded default).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
