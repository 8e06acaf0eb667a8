"""``manage.py runstack`` (``make run``) end to end, in a scratch SQLite database and broker
folder: the web server serves signed-in pages, a Celery task sent from another process and a
task scheduled by beat (DatabaseScheduler) both run on the worker, and Ctrl-C stops every
process that was started."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from io import StringIO
from pathlib import Path

import pytest

from demo.management.commands.runstack import Command
from demo.people import USERS

# Every test here starts manage.py processes.
pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")
# Variables of the developer's or the test run's environment that must not reach the stack.
OUTSIDE = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_BROKER_FOLDER", "DEBUG", "SECRET_KEY"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def _process_groups() -> dict[int, int]:
    """pid -> process group id of every process on this machine."""
    groups = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        groups[int(stat.parent.name)] = int(fields[2])
    return groups


@pytest.fixture
def stack_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    env.update(
        DJANGO_SETTINGS_MODULE="presales.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


PREPARE = """
from django.contrib.auth.models import Group
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from presales.accounts.models import Team, User
from presales.core.roles import Role
user = User.objects.create_user("probe", password="probe-pass-123", team=Team.objects.create(name="T"))
user.groups.add(Group.objects.get(name=Role.PRESALES_ENGINEER))
every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.create(name="beat probe", task="celery.accumulate", args='["beat-probe"]', interval=every)
"""
SEND = """
import django; django.setup()
from presales.celery import app
print(app.send_task("celery.accumulate", args=("direct-probe",)).id)
"""


def _sign_in_and_get(base: str, path: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": "probe", "password": "probe-pass-123", "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form), timeout=30)
    response = opener.open(f"{base}{path}", timeout=30)
    return response.status, response.geturl()


def test_runstack_serves_runs_tasks_and_stops_everything_on_ctrl_c(stack_env, tmp_path):
    # given a migrated scratch database with a user and a beat schedule stored in the database
    _manage(stack_env, "migrate", "--noinput", "-v", "0")
    _manage(stack_env, "shell", "-c", PREPARE)
    port = _free_port()
    log_path = tmp_path / "runstack.log"
    # when runstack starts (as `make run` does, without the demo data to keep this quick)
    with log_path.open("w") as log:
        stack = subprocess.Popen(
            [sys.executable, MANAGE, "runstack", "--port", str(port), "--no-demo"],
            env=stack_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    log_text = log_path.read_text
    try:
        _wait_for(lambda: "Press Ctrl-C" in log_text() or stack.poll() is not None, "runstack to be ready")
        assert stack.poll() is None, log_text()
        children = {name: int(pid) for name, pid in re.findall(r"started (\w+) \(pid (\d+)\)", log_text())}
        assert set(children) == {"web", "worker"}
        # then the web server answers, and a signed-in user gets the dashboard
        base = f"http://127.0.0.1:{port}"
        assert urllib.request.urlopen(f"{base}/accounts/login/", timeout=30).status == 200
        assert _sign_in_and_get(base, "/accounts/profile/") == (200, f"{base}/accounts/profile/")
        # and a task sent from another process runs on the worker (through the file-system broker)
        task_id = subprocess.run(
            [sys.executable, "-c", SEND], env=stack_env, cwd=ROOT, capture_output=True, text=True, timeout=120
        ).stdout.strip()
        assert re.fullmatch(r"[0-9a-f-]{36}", task_id)
        _wait_for(lambda: f"celery.accumulate[{task_id}] succeeded" in log_text(), "the sent task to run")
        # and beat sends the task scheduled in the database, which the worker runs too
        _wait_for(lambda: "('beat-probe',)" in log_text(), "the scheduled task to run")
        assert "Sending due task beat probe" in log_text()
    finally:
        # when Ctrl-C reaches runstack
        if stack.poll() is None:
            stack.send_signal(signal.SIGINT)
        stack.wait(timeout=90)
    # then it exits cleanly, and no process of the web server or worker (beat included) is left
    assert stack.returncode == 0, log_text()
    assert "every process started by runstack has exited" in log_text()
    left = [
        pid
        for pid, group in _process_groups().items()
        if group in children.values() or pid in children.values()
    ]
    assert left == []


def test_runstack_refuses_a_port_in_use_before_starting_anything(stack_env):
    # given something already listening on the port
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # when runstack is asked to use it
        result = subprocess.run(
            [sys.executable, MANAGE, "runstack", "--port", str(port), "--no-demo"],
            env=stack_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    # then it stops at once with a hint, before migrating or starting a process
    assert result.returncode != 0
    assert "already in use" in result.stderr
    assert "started" not in result.stdout


def test_the_banner_lists_every_demo_login_and_the_mail_folder(settings):
    """Every user of demo/people.py USERS is listed (README "Demo logins" names them all),
    and the folder the demo's e-mails are written to."""
    # given the local settings' file-based mail
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/srv/crm/var/mail"
    out = StringIO()
    # when runstack prints its banner
    Command(stdout=out)._banner("127.0.0.1", 8000, with_worker=True)
    text = out.getvalue()
    # then every demo login is on it, and where the mails are
    logins = text.split("Demo logins", 1)[1]
    listed = re.findall(r"^  (\w+) +", logins, flags=re.MULTILINE)
    assert listed == list(USERS)
    assert "E-mails are written to files in /srv/crm/var/mail/" in text
