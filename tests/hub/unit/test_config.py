"""Settings: environment variables, defaults and the production safety checks."""

import pydantic
import pytest

from hub.config import DEFAULT_SECRET_KEY, Settings


def test_settings_defaults_need_no_environment(tmp_path):
    settings = Settings(instance_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'hub.db'}"
    assert settings.embedded_tasks
    assert settings.content_path == (tmp_path / "content").resolve()


def test_settings_read_hub_environment_variables(monkeypatch):
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://u@db:5432/hub")
    monkeypatch.setenv("HUB_BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("HUB_SECURITY__MAX_FAILED_LOGINS", "3")
    settings = Settings()
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@db:5432/hub"
    assert not settings.embedded_tasks
    assert settings.security.max_failed_logins == 3


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET_KEY, "short"])
def test_production_refuses_missing_default_or_short_secret(monkeypatch, secret):
    monkeypatch.setenv("HUB_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("HUB_SECRET_KEY", secret)
    with pytest.raises(pydantic.ValidationError, match="HUB_SECRET_KEY"):
        Settings()


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.setenv("HUB_SECRET_KEY", "x" * 48)
    assert Settings().is_production


def test_invalid_setting_value_names_the_field(monkeypatch):
    monkeypatch.setenv("HUB_API_PAGE_SIZE", "lots")
    with pytest.raises(pydantic.ValidationError, match="api_page_size"):
        Settings()
