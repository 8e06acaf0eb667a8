"""``manage.py runstack`` (``make run``): the whole application on one machine.

Migrates, loads the demo data, then runs the web server and a Celery worker with embedded
beat as child processes until Ctrl-C (SIGINT) or SIGTERM, and stops every process it
started: SIGTERM to each child's process group, a grace period, then SIGKILL. With the
default ``presales.settings.local`` it needs no servers (SQLite and a file-system broker);
with DATABASE_URL / CELERY_BROKER_URL set it uses PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.people import PASSWORD, USERS

GRACE_SECONDS = 15  # how long children get to shut down cleanly before SIGKILL
READY_SECONDS = 60  # how long the web server gets to accept connections


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


class Stop(Exception):
    """Raised by the signal handler to leave the supervision loop."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _child_setup() -> None:
    """In the child before exec: unblock the stop signals (blocked in the parent while it
    starts children) and ask Linux to SIGTERM the child if runstack dies, even by SIGKILL,
    so that no server is left behind."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Run the whole app here: migrate, load the demo data, start the web server and a Celery "
        "worker with embedded beat; Ctrl-C stops everything it started."
    )
    requires_system_checks = []  # checked below, once, before anything starts

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data.")
        parser.add_argument("--no-worker", action="store_true", help="Web server only, no Celery.")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        self.check(display_num_errors=False)
        if not _port_free(host, port):
            raise CommandError(f"{host}:{port} is already in use. Choose another port: PORT=8001 make run")

        self._section("Database")
        self.stdout.write(f"  {connection.vendor}: {connection.settings_dict['NAME']}")
        self.stdout.write(f"  broker: {self._broker_label()}")
        call_command("migrate", interactive=False, verbosity=1)
        if not options["no_demo"]:
            self._section("Demo data")
            call_command("load_demo")
        # The children open their own connections; do not share this one across fork/exec.
        connection.close()

        manage = str(Path(settings.BASE_DIR) / "manage.py")
        children = [Child("web", [sys.executable, manage, "runserver", f"{host}:{port}", "--noreload"])]
        if not options["no_worker"]:
            children.append(
                Child(
                    "worker",
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "presales",
                        "worker",
                        "--beat",
                        "--loglevel",
                        "info",
                        "--pool",
                        "solo",
                        # Every queue, the PDF documents' own included (issue 12).
                        "--queues",
                        "celery,documents",
                        "--hostname",
                        "presales@%h",
                    ],
                )
            )
        self._supervise(children, host, port)

    # --- process supervision -------------------------------------------------------------

    def _supervise(self, children: list[Child], host: str, port: int) -> None:
        def on_signal(signum, frame):
            raise Stop(signal.Signals(signum).name)

        previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
        exit_code = 0
        try:
            for child in children:
                self._start(child)
            self._wait_until_ready(children, host, port)
            self._banner(host, port, with_worker=len(children) > 1)
            while True:
                for child in children:
                    code = child.process.poll()
                    if code is not None:
                        self.stderr.write(f"{child.name} exited with code {code}; stopping the rest.")
                        exit_code = code or 1
                        raise Stop(child.name)
                time.sleep(0.5)
        except Stop as reason:
            self.stdout.write(f"\nStopping ({reason}) …")
        finally:
            # A second Ctrl-C while stopping must not leave children behind.
            for sig in previous:
                signal.signal(sig, signal.SIG_IGN)
            self._stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_code:
            raise CommandError(
                f"a process stopped unexpectedly (exit code {exit_code})", returncode=exit_code
            )
        self.stdout.write("Stopped: every process started by runstack has exited.")

    def _start(self, child: Child) -> None:
        # Own process group: the child (and anything it forks, such as embedded beat) is
        # signalled as a group, and a Ctrl-C meant for runstack is handled in one place.
        # Stop signals wait until the child is recorded, so none can be started untracked.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            child.process = subprocess.Popen(
                child.argv,
                cwd=settings.BASE_DIR,
                env=os.environ.copy(),
                start_new_session=True,
                preexec_fn=_child_setup,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        self.stdout.write(f"  started {child.name} (pid {child.process.pid}): {' '.join(child.argv[1:])}")

    def _wait_until_ready(self, children: list[Child], host: str, port: int) -> None:
        probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
        deadline = time.monotonic() + READY_SECONDS
        while not _accepts(probe_host, port):
            for child in children:
                if child.process.poll() is not None:
                    raise Stop(f"{child.name} exited during start-up")
            if time.monotonic() > deadline:
                raise Stop(f"the web server did not accept connections within {READY_SECONDS} s")
            time.sleep(0.2)

    def _stop_all(self, children: list[Child]) -> None:
        started = [c for c in children if c.process is not None]
        for child in started:
            if child.process.poll() is None:
                self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in started:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{child.name} did not stop within {GRACE_SECONDS} s: killing it.")
                self._signal_group(child, signal.SIGKILL)
                child.process.wait()
        # What the children forked (the worker's embedded beat) shares their process group:
        # it gets the rest of the grace period, then SIGKILL, and runstack returns only once
        # the group is empty.
        for child in started:
            if not self._group_gone(child, deadline):
                self.stderr.write(f"processes left in {child.name}'s group: killing them.")
                self._signal_group(child, signal.SIGKILL)
                self._group_gone(child, time.monotonic() + 5)

    @staticmethod
    def _group_gone(child: Child, deadline: float) -> bool:
        while True:
            try:
                os.killpg(child.process.pid, 0)
            except ProcessLookupError:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    @staticmethod
    def _signal_group(child: Child, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, sig)

    # --- output --------------------------------------------------------------------------

    def _broker_label(self) -> str:
        url = settings.CELERY_BROKER_URL
        if url.startswith("filesystem://"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            return f"file system ({Path(folder).parent})"
        return url.split("@")[-1]  # never print a password

    def _section(self, title: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(title))

    def _banner(self, host: str, port: int, *, with_worker: bool) -> None:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Presales CRM is running: http://{shown_host}:{port}/"))
        self.stdout.write(f"  API docs: http://{shown_host}:{port}/api/docs/")
        if with_worker:
            self.stdout.write(
                "  Celery worker with embedded beat (DatabaseScheduler) started; its log follows."
            )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"  E-mails are written to files in {settings.EMAIL_FILE_PATH}/")
        self.stdout.write(f"Demo logins (password {PASSWORD}):")
        for username, (display, role, *_rest) in USERS.items():
            self.stdout.write(f"  {username:<18} {role.label} — {display}")
        self.stdout.write("Press Ctrl-C to stop everything.")
