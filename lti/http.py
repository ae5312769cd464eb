"""The one HTTP session factory for every outgoing LTI call: timeouts and retries."""

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

#: (connect, read) seconds; pylti1p3 2.0.0 sets none, so a stalled platform hangs a
#: worker forever without this.
DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 10.0)
USER_AGENT = "InteropHub-LTI/1.0"
#: Statuses worth retrying at the transport level; the outbox retries the rest later.
RETRY_STATUSES = (429, 502, 503, 504)


class TimeoutSession(requests.Session):
    """A ``requests.Session`` that applies a default timeout to every request.

    pylti1p3 calls ``session.get``/``session.post`` without ``timeout``; setting the
    default here closes that gap for its code paths as well as ours.

    Args:
        timeout: The (connect, read) timeout used when a call passes none.
    """

    def __init__(self, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):  # type: ignore[override]
        """Send a request, filling in the default timeout when none is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def build_session(
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    retries: int = 2,
    backoff_factor: float = 0.3,
    user_agent: str = USER_AGENT,
) -> TimeoutSession:
    """Build the session used for JWKS, token, AGS, NRPS and registration calls.

    Retries cover connection errors and the ``RETRY_STATUSES`` for idempotent methods
    and for POST (score and token POSTs are safe to repeat: AGS §3.4 keeps the newest
    score by timestamp, and a token request has no side effect).

    Args:
        timeout: The (connect, read) timeout in seconds.
        retries: How many times a failed call is retried.
        backoff_factor: urllib3 exponential backoff factor between retries.
        user_agent: The User-Agent header value.

    Returns:
        A configured ``TimeoutSession``.
    """
    session = TimeoutSession(timeout)
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"}),
        raise_on_status=False,
        # A platform's Retry-After may say an hour; sleeping that long would pin a web
        # or Celery worker. Longer waits belong to the outbox's own backoff.
        respect_retry_after_header=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    return session
