"""The session cookie slides its expiry but is re-signed at most every few minutes."""

from datetime import timedelta

import pytest

from hub.web import sessions
from tests.factories import PASSWORD, make_user

COOKIE = "hub_session"


@pytest.fixture
def signed_in(web, session, org, settings):
    make_user(session, org, settings=settings, email="s@example.com", password=PASSWORD)
    session.commit()
    response = web.login("s@example.com", PASSWORD)
    assert COOKIE in response.headers.get("Set-Cookie", "")  # a new session: sent
    return web


def _sets_cookie(response) -> bool:
    return any(
        value.startswith(COOKIE + "=")
        for value in response.headers.getlist("Set-Cookie")
    )


def test_a_fresh_cookie_is_not_signed_again_on_each_request(signed_in):
    signed_in.get("/dashboard")  # the first page adds the CSRF token: a change
    for _ in range(3):
        response = signed_in.get("/dashboard")
        assert response.status_code == 200
        assert not _sets_cookie(response)


def test_an_older_cookie_is_refreshed_so_the_lifetime_slides(signed_in, monkeypatch):
    monkeypatch.setattr(sessions, "REFRESH_AFTER", timedelta(0))
    response = signed_in.get("/dashboard")
    assert response.status_code == 200
    assert _sets_cookie(response)


def test_a_changed_session_is_always_sent(signed_in):
    response = signed_in.post("/logout")
    assert _sets_cookie(response)  # cleared: the browser must forget it
    assert signed_in.get("/dashboard").status_code == 302  # signed out


def test_a_tampered_cookie_is_an_anonymous_session(signed_in):
    cookie = signed_in.client.get_cookie(COOKIE)
    signed_in.client.delete_cookie(COOKIE, domain=cookie.domain, path=cookie.path)
    signed_in.client.set_cookie(
        COOKIE, cookie.value[:-2] + "xx", domain=cookie.domain, path=cookie.path
    )
    assert signed_in.get("/dashboard").status_code == 302  # to the sign-in page
