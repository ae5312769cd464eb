"""Root fixtures shared by every test package."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_hub_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's HUB_* settings by accident (flask conftest)."""
    for name in list(os.environ):
        if name.startswith("HUB_") and not name.startswith(("HUB_TEST_", "HUB_CORPUS")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist's worker name ('gw0', ...) or 'main' when tests run in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
