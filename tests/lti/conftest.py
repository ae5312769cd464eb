"""A fake LTI platform (its own RSA keys, JWKS, signed id_tokens) and tool wiring."""

import functools
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import jwt
import pytest
import responses
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

from lti import claims
from lti.access_token import PlatformServiceConnector
from lti.http import build_session
from lti.jwks import PlatformKeySets
from lti.keys import ToolKeyring, rotate_keys
from lti.launch import LaunchValidator
from lti.oidc_login import initiate_login
from lti.stores import (
    InMemoryAccessTokenCache,
    InMemoryKeyStore,
    InMemoryLaunchDataStore,
    InMemoryNonceStore,
    InMemoryRegistrationStore,
    PlatformRegistration,
)

ISSUER = "https://platform.example"
CLIENT_ID = "tool-client-1"
DEPLOYMENT_ID = "deployment-1"
AUTH_URL = ISSUER + "/auth"
TOKEN_URL = ISSUER + "/token"
JWKS_URL = ISSUER + "/jwks"
TOOL = "https://tool.example"
LOGIN_URL = TOOL + "/lti/login"
LAUNCH_URL = TOOL + "/lti/launch"
CHECK_URL = TOOL + "/lti/launch/check"


class FakeClock:
    """A settable clock starting at the real current time."""

    def __init__(self) -> None:
        self.now = datetime.fromtimestamp(int(time.time()), UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass(frozen=True)
class PlatformKey:
    kid: str
    private_pem: bytes
    jwk: dict[str, Any]


@functools.cache
def make_key(kid: str) -> PlatformKey:
    """One RSA key per kid for the whole run (generation is the slow part)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jwk = JWK.from_pyca(private.public_key()).export_public(as_dict=True)
    jwk.update(kid=kid, alg="RS256", use="sig")
    return PlatformKey(kid=kid, private_pem=pem, jwk=jwk)


@dataclass
class FakePlatform:
    """Signs id_tokens and serves its JWKS through ``responses``."""

    clock: FakeClock
    keys: list[PlatformKey] = field(default_factory=lambda: [make_key("platform-k1")])
    jwks_calls: int = 0

    @property
    def key(self) -> PlatformKey:
        return self.keys[-1]

    def rotate(self) -> PlatformKey:
        new = make_key(f"platform-k{len(self.keys) + 1}")
        self.keys = [new]  # the old key is gone from the JWKS
        return new

    def jwks_callback(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.jwks_calls += 1
        body = json.dumps({"keys": [k.jwk for k in self.keys]})
        return 200, {"Content-Type": "application/json"}, body

    def serve(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback(responses.GET, JWKS_URL, callback=self.jwks_callback)

    def claims(self, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(self.clock().timestamp())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "user-42",
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_RESOURCE_LINK,
            claims.VERSION: "1.3.0",
            claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims.TARGET_LINK_URI: LAUNCH_URL,
            claims.RESOURCE_LINK: {"id": "rl-1", "title": "Unit 1"},
            claims.ROLES: [claims.ROLE_LEARNER],
            claims.CONTEXT: {"id": "ctx-1", "title": "Biology", "label": "BIO"},
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def sign(
        self,
        body: dict[str, Any],
        *,
        key: PlatformKey | None = None,
        alg: str = "RS256",
        kid: str | None = None,
    ) -> str:
        key = key or self.key
        headers = {"kid": kid or key.kid}
        return jwt.encode(body, key.private_pem, algorithm=alg, headers=headers)


@dataclass
class Tool:
    clock: FakeClock
    platform: FakePlatform
    registrations: InMemoryRegistrationStore
    nonces: InMemoryNonceStore
    launch_data: InMemoryLaunchDataStore
    validator: LaunchValidator

    def login(self, **params: str):
        base = {
            "iss": ISSUER,
            "login_hint": "hint-1",
            "target_link_uri": LAUNCH_URL,
            "client_id": CLIENT_ID,
        }
        base.update(params)
        return initiate_login(
            {k: v for k, v in base.items() if v},
            registrations=self.registrations,
            launch_data=self.launch_data,
            launch_url=LAUNCH_URL,
            login_url=LOGIN_URL,
            clock=self.clock,
        )

    def launch(self, token: str, state: str, *, cookie: bool = True):
        cookies = {f"lti1p3-state-{state}": state} if cookie else {}
        return self.validator.validate(
            {"id_token": token, "state": state}, cookies, storage_check_url=CHECK_URL
        )

    def login_and_launch(self, *, cookie: bool = True, **overrides: Any):
        login = self.login()
        token = self.platform.sign(self.platform.claims(login.nonce, **overrides))
        return self.launch(token, login.state, cookie=cookie)


def registration(**overrides: Any) -> PlatformRegistration:
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "auth_login_url": AUTH_URL,
        "auth_token_url": TOKEN_URL,
        "jwks_url": JWKS_URL,
        "deployment_ids": (DEPLOYMENT_ID,),
    }
    values.update(overrides)
    return PlatformRegistration(**values)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def platform(clock: FakeClock, rsps: responses.RequestsMock) -> FakePlatform:
    fake = FakePlatform(clock)
    fake.serve(rsps)
    return fake


@pytest.fixture
def tool(clock: FakeClock, platform: FakePlatform) -> Tool:
    registrations = InMemoryRegistrationStore([registration()])
    nonces = InMemoryNonceStore(clock)
    launch_data = InMemoryLaunchDataStore(clock)
    session = build_session()
    validator = LaunchValidator(
        registrations=registrations,
        nonces=nonces,
        launch_data=launch_data,
        key_sets=PlatformKeySets(session, clock=clock),
        session=session,
        clock=clock,
    )
    return Tool(clock, platform, registrations, nonces, launch_data, validator)


@pytest.fixture
def keyring(clock: FakeClock):
    ring = ToolKeyring(InMemoryKeyStore(), Fernet.generate_key(), clock=clock)
    rotate_keys(ring, clock=clock)
    return ring


class TokenEndpoint:
    """The platform's OAuth 2 token endpoint: checks the assertion, counts calls."""

    def __init__(self, keyring, expires_in: int | None = 3600) -> None:
        self.keyring = keyring
        self.expires_in = expires_in
        self.calls: list[dict[str, str]] = []
        self.assertions: list[dict[str, Any]] = []
        self.status = 200

    def callback(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = dict(parse_qsl(request.body))
        self.calls.append(form)
        if self.status != 200:
            return self.status, {}, '{"error": "invalid_client"}'
        header = jwt.get_unverified_header(form["client_assertion"])
        jwk = next(k for k in self.keyring.jwks()["keys"] if k["kid"] == header["kid"])
        payload = jwt.decode(
            form["client_assertion"],
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            # Times are checked by the tests against the fake clock instead.
            options={"verify_aud": False, "verify_iat": False, "verify_exp": False},
        )
        self.assertions.append(payload)
        assert payload["iss"] == payload["sub"] == CLIENT_ID
        body: dict[str, Any] = {
            "access_token": f"token-{len(self.calls)}",
            "token_type": "Bearer",
            "scope": form["scope"],
        }
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


@pytest.fixture
def token_endpoint(rsps: responses.RequestsMock, keyring) -> TokenEndpoint:
    endpoint = TokenEndpoint(keyring)
    rsps.add_callback(responses.POST, TOKEN_URL, callback=endpoint.callback)
    return endpoint


@pytest.fixture
def connector(clock: FakeClock, keyring, token_endpoint):
    return PlatformServiceConnector(
        registration(),
        keyring=keyring,
        token_cache=InMemoryAccessTokenCache(),
        session=build_session(),
        clock=clock,
    )
