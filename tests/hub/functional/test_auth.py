"""Local sign-in, lockout, sign-out, password reset and CSRF."""

import re

import pytest
from sqlalchemy import select

from hub.models import OrgRole, PasswordResetToken, User
from tests.factories import PASSWORD, make_org, make_user


@pytest.fixture
def alice(session, org, settings):
    user = make_user(
        session, org, settings=settings, email="alice@example.com", password=PASSWORD
    )
    session.commit()
    return user


def test_login_with_right_password_signs_in_and_redirects(web, alice):
    response = web.login("alice@example.com", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert "Hello, Given" in web.get("/dashboard").get_data(as_text=True)


def test_login_email_is_case_insensitive(web, alice):
    assert web.login("ALICE@Example.com", PASSWORD).status_code == 302


def test_login_with_wrong_password_is_401_with_generic_message(web, alice):
    response = web.login("alice@example.com", "wrong password!")
    assert response.status_code == 401
    assert "not right, or the account is locked" in response.get_data(as_text=True)


def test_login_unknown_email_gives_same_message(web, alice):
    response = web.login("nobody@example.com", PASSWORD)
    assert response.status_code == 401
    assert "not right, or the account is locked" in response.get_data(as_text=True)


def test_login_locks_account_after_repeated_failures(web, alice, session, settings):
    for _ in range(settings.security.max_failed_logins):
        assert web.login("alice@example.com", "wrong password!").status_code == 401
    session.expire_all()
    assert session.get(User, alice.id).locked_until is not None
    # Even the right password is refused while locked.
    assert web.login("alice@example.com", PASSWORD).status_code == 401


def test_login_with_two_orgs_requires_the_organization(web, alice, session, settings):
    other = make_org(session, slug="globex")
    make_user(
        session,
        other,
        settings=settings,
        email="alice@example.com",
        password="another long password",
    )
    session.commit()
    page = web.get("/login").get_data(as_text=True)
    assert 'name="organization"' in page
    assert (
        web.login("alice@example.com", PASSWORD, organization="globex").status_code
        == 401
    )
    assert (
        web.login("alice@example.com", PASSWORD, organization="acme").status_code == 302
    )


def test_inactive_user_cannot_sign_in(web, alice, session):
    alice.is_active = False
    session.commit()
    assert web.login("alice@example.com", PASSWORD).status_code == 401


def test_login_next_parameter_refuses_other_sites(web, alice):
    web._token = None
    token = web.token()
    response = web.client.post(
        "/login?next=//evil.example/steal",
        data={"csrf_token": token, "email": "alice@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/dashboard")


def test_login_next_parameter_keeps_local_paths(web, alice):
    token = web.token()
    response = web.client.post(
        "/login?next=/admin/users",
        data={"csrf_token": token, "email": "alice@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/users"


def test_post_without_csrf_token_is_rejected(web, alice):
    response = web.client.post(
        "/login", data={"email": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


def test_logout_ends_the_session(web, alice):
    web.login("alice@example.com", PASSWORD)
    web.post("/logout")
    response = web.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_pages_require_sign_in(web):
    response = web.get("/admin/users")
    assert response.status_code == 302
    assert "/login?next=/admin/users" in response.headers["Location"]


def test_learner_cannot_open_admin_pages(web, alice):
    web.login("alice@example.com", PASSWORD)
    assert web.get("/admin/users").status_code == 403


def test_password_change_ends_other_sessions(web, alice, session, settings):
    web.login("alice@example.com", PASSWORD)
    from hub.schemas import UserUpdate
    from hub.services.accounts import update_user

    update_user(
        session,
        org_id=alice.org_id,
        user_id=alice.id,
        data=UserUpdate(password="a brand new password"),
        settings=settings,
    )
    session.commit()
    assert web.get("/dashboard").status_code == 302


def _reset_link(caplog) -> str:
    text = "\n".join(r.getMessage() for r in caplog.records)
    match = re.search(r"/reset-password/(\S+)", text)
    assert match, "no reset mail in the log"
    return match.group(1)


def test_password_reset_by_mailed_token(web, alice, caplog, session):
    caplog.set_level("INFO")
    response = web.post("/forgot-password", {"email": "alice@example.com"})
    assert response.status_code == 302
    token = _reset_link(caplog)
    page = web.get(f"/reset-password/{token}")
    assert page.status_code == 200
    web._token = None
    web.get(f"/reset-password/{token}")
    response = web.post(
        f"/reset-password/{token}",
        {"password": "my new secret phrase", "confirm": "my new secret phrase"},
    )
    assert response.status_code == 302
    assert web.login("alice@example.com", "my new secret phrase").status_code == 302
    # The token works once.
    assert web.get(f"/reset-password/{token}").status_code == 404


def test_password_reset_rejects_short_password_and_mismatch(web, alice, caplog):
    caplog.set_level("INFO")
    web.post("/forgot-password", {"email": "alice@example.com"})
    token = _reset_link(caplog)
    response = web.post(
        f"/reset-password/{token}", {"password": "short", "confirm": "short"}
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    response = web.post(
        f"/reset-password/{token}",
        {"password": "long enough one", "confirm": "long enough two"},
    )
    assert response.status_code == 422
    assert "the two passwords differ" in response.get_data(as_text=True)


def test_password_reset_unknown_email_says_the_same_and_sends_nothing(
    web, alice, caplog, session
):
    caplog.set_level("INFO")
    response = web.post("/forgot-password", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert session.scalars(select(PasswordResetToken)).all() == []


def test_password_reset_with_forged_token_is_404(web):
    assert web.get("/reset-password/not-a-real-token").status_code == 404


def test_login_is_rate_limited(web, alice, app):
    from hub.extensions import limiter

    app.config["HUB_SETTINGS"].security.login_rate_limit = "3 per minute"
    limiter.reset()
    try:
        codes = [
            web.login("alice@example.com", "wrong password!").status_code
            for _ in range(4)
        ]
    finally:
        app.config["HUB_SETTINGS"].security.login_rate_limit = "1000 per minute"
    assert codes[-1] == 429


def test_admin_role_sees_admin_navigation(web, session, org, settings):
    make_user(
        session,
        org,
        settings=settings,
        email="boss@example.com",
        role=OrgRole.ADMIN,
        password=PASSWORD,
    )
    session.commit()
    web.login("boss@example.com", PASSWORD)
    page = web.get("/dashboard").get_data(as_text=True)
    assert "API keys" in page and "active users" in page
