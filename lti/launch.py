"""id_token launch validation (LTI 1.3 core §5; Security Framework 1.0 §5.1.3).

Built on pylti1p3's ``MessageLaunch``: its JWT parsing, registration and deployment
lookups (through ``StoreToolConf``) and message validators are reused, and the steps
pylti1p3 2.0.0 gets wrong or skips are overridden: RS256 only, ``aud``/``azp``, exp/iat
with leeway, single-use nonces across processes, JWKS refetch on an unknown ``kid``,
state bound to the browser by cookie or platform storage. Every rejection raises
``LtiLaunchError`` with a ``LaunchErrorReason``.
"""

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.session import SessionService

from lti import _state, claims, platform_storage
from lti._checks import require_claims
from lti._pylti import ParamsRequest, RecordingCookies
from lti.context import LaunchContext
from lti.errors import JwksFetchError, LaunchErrorReason, LtiLaunchError
from lti.http import TimeoutSession
from lti.jwks import PlatformKeySets
from lti.stores import (
    Clock,
    LaunchDataStore,
    NonceStore,
    RegistrationStore,
    utc_now,
)
from lti.tool_config import StoreToolConf

R = LaunchErrorReason
#: Security §5.1.3 step 6: the only algorithm accepted; ``none`` and HS* never are.
ALLOWED_ALGORITHMS = ("RS256",)
DEFAULT_LEEWAY = timedelta(seconds=60)
MAX_NONCE_RETENTION = timedelta(hours=1)
DEFAULT_MESSAGE_TYPES = frozenset(
    {claims.MESSAGE_TYPE_RESOURCE_LINK, claims.MESSAGE_TYPE_DEEP_LINKING}
)
_JWT_ERRORS: tuple[tuple[type[Exception], LaunchErrorReason], ...] = (
    (jwt.InvalidSignatureError, R.BAD_SIGNATURE),
    (jwt.InvalidAudienceError, R.WRONG_AUDIENCE),
    (jwt.InvalidIssuerError, R.WRONG_ISSUER),
    (jwt.MissingRequiredClaimError, R.MISSING_CLAIM),
    (jwt.InvalidAlgorithmError, R.DISALLOWED_ALGORITHM),
)


@dataclass(frozen=True)
class PendingLaunch:
    """A valid launch whose state must still be read back from platform storage.

    Render ``html``; it posts to the ``storage_check_url`` given to ``validate``.
    """

    launch_id: str
    html: str


@contextmanager
def _translated(reason: LaunchErrorReason) -> Iterator[None]:
    """Translate pylti1p3's free-text ``LtiException`` into ``LtiLaunchError``."""
    try:
        yield
    except LtiException as exc:
        raise LtiLaunchError(reason, str(exc)) from exc


class _HubMessageLaunch(MessageLaunch):
    """One launch request; ``LaunchValidator`` creates a fresh one per request."""

    def __init__(
        self,
        validator: "LaunchValidator",
        params: Mapping[str, str],
        login: _state.LoginState,
    ) -> None:
        request = ParamsRequest(params)
        super().__init__(
            request,
            validator.tool_conf,
            session_service=SessionService(request),
            cookie_service=RecordingCookies(),
            requests_session=validator.session,
        )
        self._validator = validator
        self._login = login
        self._launch_id = secrets.token_urlsafe(24)

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def get_client_id(self) -> str:
        # Security §5.1.3 step 4/5: with several audiences, azp names our client.
        body = self._jwt.get("body", {})
        aud, azp = body.get("aud"), body.get("azp")
        if isinstance(aud, list) and len(aud) > 1 and not azp:
            raise LtiLaunchError(R.WRONG_AZP, "aud has several values and no azp")
        if azp:
            return str(azp)
        return str(aud[0] if isinstance(aud, list) and aud else aud)

    def validate(self) -> "_HubMessageLaunch":
        self._validated = True  # pylti1p3 re-enters validate() on body access otherwise
        with _translated(R.MALFORMED_TOKEN):
            self.validate_jwt_format()
        if not all(
            isinstance(self._jwt.get(part), dict) for part in ("header", "body")
        ):
            raise LtiLaunchError(R.MALFORMED_TOKEN, "header and body must be objects")
        self._check_header()
        self._check_login_binding()
        with _translated(R.UNKNOWN_REGISTRATION):
            self.validate_registration()
        self.validate_jwt_signature()
        self.validate_nonce()
        self.validate_deployment()
        self.validate_message()
        return self

    def _check_header(self) -> None:
        header = self._jwt.get("header", {})
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise LtiLaunchError(R.DISALLOWED_ALGORITHM, str(header.get("alg")))
        if not header.get("kid"):
            raise LtiLaunchError(R.UNKNOWN_KEY, "no kid in the JWT header")

    def _check_login_binding(self) -> None:
        # The token must answer the login this state was created for.
        body = self._jwt.get("body", {})
        if body.get("iss") != self._login.issuer:
            raise LtiLaunchError(R.WRONG_ISSUER, str(body.get("iss")))
        if self.get_client_id() != self._login.client_id:
            raise LtiLaunchError(R.WRONG_AUDIENCE, "aud/azp is not this client")

    def validate_jwt_signature(self) -> "_HubMessageLaunch":
        registration = self._registration
        assert registration is not None  # set by validate_registration
        kid = self._jwt["header"]["kid"]
        try:
            key = self._validator.key_sets.find_key(
                str(registration.get_key_set_url()), kid
            )
        except JwksFetchError as exc:
            raise LtiLaunchError(R.JWKS_UNAVAILABLE, str(exc)) from exc
        if key is None or key.get("alg", "RS256") not in ALLOWED_ALGORITHMS:
            raise LtiLaunchError(R.UNKNOWN_KEY, kid)
        try:
            jwt.decode(
                self._get_id_token(),
                jwt.PyJWK(key, "RS256").key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=registration.get_client_id(),
                issuer=registration.get_issuer(),
                options={
                    "verify_exp": False,  # checked below against the injected clock
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["iss", "aud", "exp", "iat", "nonce"],
                },
            )
        except jwt.PyJWTError as exc:
            reason = next((r for t, r in _JWT_ERRORS if isinstance(exc, t)), None)
            raise LtiLaunchError(reason or R.MALFORMED_TOKEN, str(exc)) from exc
        self._check_times()
        return self

    def _check_times(self) -> None:
        body = self._jwt["body"]
        now = self._validator.clock().timestamp()
        leeway = self._validator.leeway.total_seconds()
        try:
            exp, iat = float(body["exp"]), float(body["iat"])
        except (TypeError, ValueError) as exc:
            raise LtiLaunchError(R.MALFORMED_TOKEN, "exp/iat not numeric") from exc
        if exp + leeway < now:
            raise LtiLaunchError(R.EXPIRED, f"exp {exp:.0f} < now {now:.0f}")
        if iat - leeway > now:
            raise LtiLaunchError(R.ISSUED_IN_FUTURE, f"iat {iat:.0f} > now {now:.0f}")
        nbf = body.get("nbf")
        if isinstance(nbf, int | float) and nbf - leeway > now:
            raise LtiLaunchError(R.ISSUED_IN_FUTURE, f"nbf {nbf:.0f} > now {now:.0f}")

    def validate_nonce(self) -> "_HubMessageLaunch":
        body = self._jwt["body"]
        nonce = body["nonce"]
        if not secrets.compare_digest(str(nonce), self._login.nonce):
            raise LtiLaunchError(R.NONCE_MISMATCH, "nonce differs from the login's")
        # Kept until the token expires, but no longer than MAX_NONCE_RETENTION: a
        # nonce only ever matches the one login state it was issued for, and states
        # live minutes, so a far-future exp must not grow the store without bound.
        expires_at = min(
            datetime.fromtimestamp(float(body["exp"]), UTC) + self._validator.leeway,
            self._validator.clock() + MAX_NONCE_RETENTION,
        )
        # Security §5.1.3 step 9: a nonce is used once, across every process.
        if not self._validator.nonces.consume(nonce, expires_at):
            raise LtiLaunchError(R.NONCE_REPLAYED, "nonce already used")
        return self

    def validate_deployment(self) -> "_HubMessageLaunch":
        if not self._jwt["body"].get(claims.DEPLOYMENT_ID):
            raise LtiLaunchError(R.MISSING_CLAIM, claims.DEPLOYMENT_ID)
        with _translated(R.UNKNOWN_DEPLOYMENT):
            super().validate_deployment()
        return self

    def validate_message(self) -> "_HubMessageLaunch":
        body = self._jwt["body"]
        if body.get(claims.VERSION) != claims.LTI_VERSION:
            raise LtiLaunchError(R.WRONG_VERSION, str(body.get(claims.VERSION)))
        message_type = body.get(claims.MESSAGE_TYPE)
        if message_type not in self._validator.message_types:
            raise LtiLaunchError(R.WRONG_MESSAGE_TYPE, str(message_type))
        require_claims(body, message_type)
        # Core §5.3.4: the claim must equal the login's target_link_uri.
        if body[claims.TARGET_LINK_URI] != self._login.target_link_uri:
            raise LtiLaunchError(
                R.INVALID_TARGET_LINK_URI, body[claims.TARGET_LINK_URI]
            )
        with _translated(R.INVALID_MESSAGE):
            super().validate_message()
        return self

    def body(self) -> dict[str, Any]:
        return dict(self._jwt["body"])


class LaunchValidator:
    """Validates launches; one instance per process, shared across requests.

    Args:
        registrations: The registration store.
        nonces: The cross-process single-use nonce store.
        launch_data: Login state, pending launches and cached launch claims.
        key_sets: The platform JWKS cache.
        session: The HTTP session (``lti.http.build_session``) handed to pylti1p3.
        clock: Returns the current aware ``datetime``.
        leeway: Clock skew tolerated on ``exp`` and ``iat``.
        message_types: The message types this endpoint accepts.
    """

    def __init__(
        self,
        *,
        registrations: RegistrationStore,
        nonces: NonceStore,
        launch_data: LaunchDataStore,
        key_sets: PlatformKeySets,
        session: TimeoutSession,
        clock: Clock = utc_now,
        leeway: timedelta = DEFAULT_LEEWAY,
        message_types: frozenset[str] = DEFAULT_MESSAGE_TYPES,
    ) -> None:
        self.tool_conf = StoreToolConf(registrations)
        self.nonces = nonces
        self.launch_data = launch_data
        self.key_sets = key_sets
        self.session = session
        self.clock = clock
        self.leeway = leeway
        self.message_types = message_types

    def validate(
        self,
        params: Mapping[str, str],
        cookies: Mapping[str, str],
        *,
        storage_check_url: str,
    ) -> LaunchContext | PendingLaunch:
        """Validate a launch POST (``id_token`` and ``state`` form fields).

        Args:
            params: The form fields of the launch request.
            cookies: The request's cookies.
            storage_check_url: Where the platform-storage check page posts back.

        Returns:
            The ``LaunchContext`` (``keep_launch`` it for a later ``load_launch``),
            or a ``PendingLaunch`` when the state cookie is missing and the login
            used platform storage.

        Raises:
            LtiLaunchError: The launch is rejected; ``reason`` says why.
        """
        state, id_token = params.get("state"), params.get("id_token")
        if not state or not id_token:
            raise LtiLaunchError(R.MISSING_PARAMETER, "state and id_token are required")
        # Security §5.1.1.2: the state is single use and must be one the tool issued.
        record = self.launch_data.pop(_state.state_key(state))
        if record is None:
            raise LtiLaunchError(R.STATE_UNKNOWN, "state unknown, used or expired")
        login = _state.LoginState.from_record(record)
        launch = _HubMessageLaunch(self, params, login).validate()
        body = launch.body()
        cookie = cookies.get(_state.cookie_name(state), "")
        if cookie and secrets.compare_digest(cookie, state):
            return LaunchContext.from_claims(
                launch.get_launch_id(), login.client_id, body
            )
        if login.storage_target:
            return self._pend(launch.get_launch_id(), login, body, storage_check_url)
        raise LtiLaunchError(
            R.STATE_NOT_BOUND, "no state cookie and no platform storage"
        )

    def complete_storage_check(
        self, launch_id: str, state: str, nonce: str
    ) -> LaunchContext:
        """Finish a ``PendingLaunch`` with the values read from platform storage.

        Args:
            launch_id: The pending launch id posted by the check page.
            state: The state value the page read from platform storage.
            nonce: The nonce value the page read from platform storage.

        Returns:
            The ``LaunchContext`` (``keep_launch`` it for a later ``load_launch``).

        Raises:
            LtiLaunchError: Unknown or used launch id, or values that do not match.
        """
        pending = self.launch_data.pop(_state.pending_key(launch_id))
        if pending is None:
            raise LtiLaunchError(R.STATE_UNKNOWN, "pending launch unknown or used")
        if not (
            secrets.compare_digest(str(state), pending["state"])
            and secrets.compare_digest(str(nonce), pending["nonce"])
        ):
            raise LtiLaunchError(R.STATE_NOT_BOUND, "platform storage values differ")
        return LaunchContext.from_claims(
            launch_id, pending["client_id"], pending["claims"]
        )

    def keep_launch(self, context: LaunchContext) -> None:
        """Keep a validated launch's claims for ``load_launch`` (``LAUNCH_TTL``).

        Only the pages that come after the launch request need them (the deep
        linking picker and response, DL §4.4; an instructor connecting a link):
        most launches (a learner sent to the player) never read them back, so
        ``validate`` does not write them. Every check has run by then: what is kept
        is the validated payload, and ``load_launch`` does not validate it again.

        Args:
            context: A context returned by ``validate`` or ``complete_storage_check``.
        """
        record = {"client_id": context.client_id, "claims": dict(context.claims)}
        self.launch_data.put(
            _state.launch_key(context.launch_id),
            record,
            self.clock() + _state.LAUNCH_TTL,
        )

    def load_launch(self, launch_id: str) -> LaunchContext:
        """Return a launch validated earlier (e.g. for the deep linking response).

        Raises:
            LtiLaunchError: The launch is unknown or expired.
        """
        record = self.launch_data.get(_state.launch_key(launch_id))
        if record is None:
            raise LtiLaunchError(R.STATE_UNKNOWN, "launch unknown or expired")
        return LaunchContext.from_claims(
            launch_id, record["client_id"], record["claims"]
        )

    def _pend(
        self,
        launch_id: str,
        login: _state.LoginState,
        body: Mapping[str, Any],
        storage_check_url: str,
    ) -> PendingLaunch:
        record = {
            "client_id": login.client_id,
            "claims": dict(body),
            "state": login.state,
            "nonce": login.nonce,
        }
        self.launch_data.put(
            _state.pending_key(launch_id), record, self.clock() + _state.PENDING_TTL
        )
        html = platform_storage.storage_check_page(
            storage_target=login.storage_target or "",
            platform_origin=login.platform_origin,
            state=login.state,
            nonce=login.nonce,
            complete_url=storage_check_url,
            launch_id=launch_id,
            new_window_url=login.new_window_url,
        )
        return PendingLaunch(launch_id=launch_id, html=html)
