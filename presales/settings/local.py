"""Zero-setup development settings used by ``make run``: SQLite and a file-system broker.

Set DATABASE_URL / CELERY_BROKER_URL to use PostgreSQL and Redis instead.
"""

import os
from pathlib import Path

VAR_DIR = Path(__file__).resolve().parent.parent.parent / "var"

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
os.environ.setdefault("CELERY_BROKER_URL", "filesystem://")
# The demo sends hundreds of notification e-mails: one file each under var/mail/ (runstack
# prints the folder) rather than pages of them on the console.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")

from .base import *  # noqa: E402,F403
from .base import CELERY_BROKER_URL, DATABASES, MIDDLEWARE  # noqa: E402

VAR_DIR.mkdir(exist_ok=True)

# DEBUG stays on (tracebacks of a 500), but a missing page shows the app's translated 404
# page, not Django's list of every route (presales.web.middleware.AppNotFoundPageMiddleware).
MIDDLEWARE = [*MIDDLEWARE, "presales.web.middleware.AppNotFoundPageMiddleware"]
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server, the worker and beat write to one file: WAL lets readers run during a
    # write, IMMEDIATE takes the write lock up front (no "database is locked" on upgrade),
    # and the timeout makes a writer wait for another instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

if CELERY_BROKER_URL.startswith("filesystem://"):
    # CELERY_BROKER_FOLDER lets a second checkout or a test use its own message folders.
    _broker_dir = Path(os.environ.get("CELERY_BROKER_FOLDER", VAR_DIR / "broker"))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
