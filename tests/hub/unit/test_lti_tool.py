"""The tool's wiring: the key encryption key and the tool's URLs."""

import pytest
from cryptography.fernet import Fernet

from hub.config import LtiSettings, Settings
from hub.errors import ConflictError
from hub.services.lti_tool import build_tool, encryption_key

SECRET = "a-production-secret-that-is-long-enough-0123456789"


def test_lti_key_is_derived_from_the_secret_in_development():
    settings = Settings(env="development", secret_key=SECRET)
    key = encryption_key(settings)
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"
    assert key == encryption_key(Settings(env="development", secret_key=SECRET))
    other = Settings(env="development", secret_key=SECRET + "!")
    assert encryption_key(other) != key


def test_lti_production_refuses_a_missing_key():
    settings = Settings(env="production", secret_key=SECRET)
    with pytest.raises(ConflictError, match="HUB_LTI__KEY_ENCRYPTION_KEY"):
        encryption_key(settings)


def test_lti_production_uses_the_configured_key(monkeypatch):
    configured = Fernet.generate_key().decode()
    monkeypatch.setenv("HUB_LTI__KEY_ENCRYPTION_KEY", configured)
    settings = Settings(env="production", secret_key=SECRET)
    assert isinstance(settings.lti, LtiSettings)
    assert encryption_key(settings) == configured.encode()


def test_lti_tool_urls_follow_the_base_url():
    settings = Settings(base_url="https://hub.example.edu/", secret_key=SECRET)
    info = build_tool(settings).info
    assert info.login_url == "https://hub.example.edu/lti/login"
    assert info.launch_url == "https://hub.example.edu/lti/launch"
    assert info.jwks_url == "https://hub.example.edu/lti/jwks.json"
    assert info.deep_linking_url == "https://hub.example.edu/lti/deep-link"
    assert info.domain == "hub.example.edu"
