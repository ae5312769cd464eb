"""The browser session cookie: Flask's signed cookie, re-signed only now and then.

Sessions are permanent with a sliding lifetime (``SESSION_REFRESH_EACH_REQUEST``), so
Flask signs and sends the cookie again on every response. The player commits many
times a minute per learner; re-signing on each of those was a tenth of a commit's cost
(``benchmarks/runtime_bench.py``). The cookie is re-sent when the session changed, or
when the one the browser holds was signed more than :data:`REFRESH_AFTER` ago: the
lifetime still slides, to within that much.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: A cookie older than this is signed and sent again (sliding expiry).
REFRESH_AFTER = timedelta(minutes=5)


class HubSession(SecureCookieSession):
    """A session that knows when the browser's cookie was signed (None: new)."""

    signed_at: datetime | None = None


class HubSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, refreshed at most every :data:`REFRESH_AFTER`."""

    session_class = HubSession

    def open_session(self, app: Flask, request: Request) -> HubSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(
                value, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SecureCookieSession) -> bool:
        if not super().should_set_cookie(app, session):
            return False
        if session.modified:
            return True
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at >= REFRESH_AFTER
