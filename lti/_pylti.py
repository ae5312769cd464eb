"""Adapters of pylti1p3's request, cookie, session and redirect extension points."""

from collections.abc import Mapping
from typing import Any

from pylti1p3.cookie import CookieService
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService


class ParamsRequest(Request):
    """A pylti1p3 ``Request`` over a plain mapping of parameters."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self._params = params

    @property
    def session(self) -> dict[str, Any]:
        return {}

    def is_secure(self) -> bool:
        return True

    def get_param(self, key: str) -> str:
        return self._params.get(key) or ""


class RecordingCookies(CookieService):
    """Reads no cookie; records the one pylti1p3 sets at login (the state)."""

    def __init__(self) -> None:
        self.state: str | None = None

    def get_cookie(self, name: str) -> str | None:
        return None

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        # pylti1p3 sets exactly one cookie at login: the state, named by its value.
        self.state = str(value)


class RecordingSession(SessionService):
    """Records the nonce pylti1p3 generates instead of keeping it in a session."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.nonce: str | None = None

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce


class UrlRedirect(Redirect[str]):
    """A pylti1p3 ``Redirect`` that only carries its URL."""

    def __init__(self, url: str) -> None:
        self._url = url

    def do_redirect(self) -> str:
        return self._url

    def do_js_redirect(self) -> str:
        return self._url

    def set_redirect_url(self, location: str) -> None:
        self._url = location

    def get_redirect_url(self) -> str:
        return self._url
