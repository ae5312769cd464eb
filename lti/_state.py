"""The OIDC login state record: written by ``oidc_login``, read by ``launch``."""

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

#: How long a login may take before its launch arrives (Security §5.1.1.2: state and
#: nonce are short-lived).
STATE_TTL = timedelta(minutes=10)
#: How long a validated launch waits for its client-side storage check.
PENDING_TTL = timedelta(minutes=5)
#: How long a validated launch's claims stay available (deep linking response).
LAUNCH_TTL = timedelta(hours=24)
COOKIE_PREFIX = "lti1p3-state-"
STORAGE_STATE_PREFIX = "lti1p3_state_"
STORAGE_NONCE_PREFIX = "lti1p3_nonce_"


@dataclass(frozen=True)
class LoginState:
    """What the tool remembers about one login initiation until its launch."""

    state: str
    nonce: str
    issuer: str
    client_id: str
    target_link_uri: str
    platform_origin: str
    storage_target: str | None = None
    #: The login initiation URL to reopen first-party when the frame's launch cannot
    #: be bound to this browser (None when the login already came in a new window).
    new_window_url: str | None = None

    def to_record(self) -> dict[str, Any]:
        """Return the JSON-serialisable record to store."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: Any) -> "LoginState":
        """Rebuild from a stored record."""
        return cls(**{name: record.get(name) for name in cls.__dataclass_fields__})


def state_key(state: str) -> str:
    """Return the ``LaunchDataStore`` key of a login state."""
    return f"lti-state:{state}"


def pending_key(launch_id: str) -> str:
    """Return the ``LaunchDataStore`` key of a launch awaiting its storage check."""
    return f"lti-pending:{launch_id}"


def launch_key(launch_id: str) -> str:
    """Return the ``LaunchDataStore`` key of a validated launch's claims."""
    return f"lti-launch:{launch_id}"


def cookie_name(state: str) -> str:
    """Return the name of the cookie binding ``state`` to the browser."""
    return COOKIE_PREFIX + state


def origin_of(url: str) -> str:
    """Return ``scheme://host[:port]`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
