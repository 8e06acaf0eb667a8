"""Settings per environment, each loaded in a fresh interpreter with a controlled environment:
production passes Django's deploy checks and has no default for any secret; the local
settings of ``make run`` prepare SQLite and the file-system broker."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A repository .env (read by base.py) must not leak into these checks.
PRELUDE = "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None)\n"
SETTINGS_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_BROKER_FOLDER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by tests/conftest.py for Playwright; never in deployment
}
LOCAL_POSTGRES = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/presales")


def run_python(code: str, **env: str | None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


def production_env(**overrides: str | None) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "presales.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "ALLOWED_HOSTS": "crm.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
        "DATABASE_URL": LOCAL_POSTGRES,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        **overrides,
    }


CHECK_DEPLOY = (
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])\n"
)
SETUP = "import django; django.setup()\nfrom django.conf import settings\n"


@pytest.mark.subprocess
def test_production_passes_the_deploy_checks_with_real_looking_values():
    # when `manage.py check --deploy --fail-level WARNING` runs on production settings
    result = run_python(CHECK_DEPLOY, **production_env())
    # then there is no warning at all
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.subprocess
def test_deploy_checks_catch_a_weak_secret_key():
    # given a short, guessable key; then the same check fails on it (the check can fail)
    result = run_python(CHECK_DEPLOY, **production_env(SECRET_KEY="short-and-guessable"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


@pytest.mark.subprocess
def test_production_refuses_to_start_without_secret_key():
    # given no SECRET_KEY in the environment; when the settings load
    result = run_python(SETUP, **production_env(SECRET_KEY=None))
    # then Django stops and names the missing variable (no secret has a production default)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.subprocess
def test_production_refuses_to_start_without_database_url():
    result = run_python(SETUP, **production_env(DATABASE_URL=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL" in result.stderr


@pytest.mark.subprocess
def test_production_ignores_debug_from_the_environment():
    # given DEBUG=true leaked into a production environment; then DEBUG stays off
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)", **production_env(DEBUG="true")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.subprocess
def test_local_settings_prepare_sqlite_and_the_file_system_broker(tmp_path):
    """``make run``: no servers needed; the broker's folders exist before Celery starts."""
    # given the local settings with no DATABASE_URL or broker configured
    broker = tmp_path / "broker"
    code = SETUP + (
        "import json\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps({'engine': db['ENGINE'], 'options': db.get('OPTIONS', {}),"
        " 'broker': settings.CELERY_BROKER_URL, 'transport': settings.CELERY_BROKER_TRANSPORT_OPTIONS,"
        " 'scheduler': settings.CELERY_BEAT_SCHEDULER, 'debug': settings.DEBUG}))\n"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="presales.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_FOLDER=str(broker),
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    # then SQLite is set up for three processes writing to one file
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in loaded["options"]["init_command"]
    # and the file-system broker's folders exist and are the ones configured
    assert loaded["broker"] == "filesystem://"
    transport = loaded["transport"]
    assert transport["data_folder_in"] == transport["data_folder_out"] == str(broker / "queue")
    for key, sub in (
        ("data_folder_in", "queue"),
        ("processed_folder", "processed"),
        ("control_folder", "control"),
    ):
        assert transport[key] == str(broker / sub)
        assert (broker / sub).is_dir()
    # and beat keeps its schedule in the database
    assert loaded["scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert loaded["debug"] is True


def test_production_serves_the_api_as_json_only():
    """Issue 8 #18: no browsable API in production (local keeps it)."""
    code = SETUP + (
        "from rest_framework.settings import api_settings\n"
        "print([c.__name__ for c in api_settings.DEFAULT_RENDERER_CLASSES])\n"
    )
    production = run_python(code, **production_env())
    assert production.returncode == 0, production.stderr
    assert production.stdout.split()[-1] == "['JSONRenderer']"
    local = run_python(code, DJANGO_SETTINGS_MODULE="presales.settings.local")
    assert local.returncode == 0, local.stderr
    assert "BrowsableAPIRenderer" in local.stdout


@pytest.mark.subprocess
def test_local_settings_write_e_mails_to_files_not_the_console(tmp_path):
    """``make run``: the demo's e-mails go to one file each under var/mail/ (or
    EMAIL_FILE_PATH); the console stays quiet."""
    # given the local settings, with and without a mail folder configured
    code = SETUP + (
        "from django.core.mail import send_mail\n"
        "send_mail('Due soon', 'Body of the demo mail', 'crm@example.com', ['wang@example.com'])\n"
        "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)\n"
    )
    mail_dir = tmp_path / "mail"
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    configured = run_python(
        code, DJANGO_SETTINGS_MODULE="presales.settings.local", DATABASE_URL=db, EMAIL_FILE_PATH=str(mail_dir)
    )
    default = run_python(
        "from django.conf import settings\nprint(settings.EMAIL_FILE_PATH)\n",
        DJANGO_SETTINGS_MODULE="presales.settings.local",
        DATABASE_URL=db,
    )
    # when a mail is sent, then it is a file in the folder and not on the console
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split()[-2:] == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(mail_dir),
    ]
    assert "Body of the demo mail" not in configured.stdout + configured.stderr
    (written,) = mail_dir.iterdir()
    assert "Body of the demo mail" in written.read_text()
    # and by default the folder is var/mail/ of the checkout
    assert default.stdout.strip().splitlines()[-1] == str(ROOT / "var" / "mail")
