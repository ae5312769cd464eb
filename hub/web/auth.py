"""Sign-in, sign-out and password reset pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from hub.extensions import db, limiter
from hub.services import organizations, signin
from hub.web.forms import FormState
from hub.web.security import sign_in, sign_out

bp = Blueprint("auth", __name__)

_GENERIC_FAILURE = (
    "The organization, email or password is not right, or the account is locked."
)


def _settings():
    return current_app.config["HUB_SETTINGS"]


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect a signed-in user elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("dashboard.home")


def _login_rate_limit() -> str:
    return _settings().security.login_rate_limit


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if g.get("user") is not None and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    only_org = organizations.only_organization(db.session)
    form = FormState.from_request(request.form)
    if request.method == "POST":
        org_slug = only_org.slug if only_org else form.get("organization").strip()
        result = signin.authenticate(
            db.session,
            org_slug=org_slug,
            email=form.get("email"),
            password=form.get("password"),
            settings=_settings(),
        )
        if result.user is not None:
            sign_in(result.user)
            return redirect(_safe_next(request.args.get("next")))
        form.message = _GENERIC_FAILURE
        form.status = 401
    form.values.pop("password", None)
    return render_template("auth/login.html", form=form, only_org=only_org), form.status


@bp.post("/logout")
def logout():
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password():
    only_org = organizations.only_organization(db.session)
    form = FormState.from_request(request.form)
    if request.method == "POST":
        org_slug = only_org.slug if only_org else form.get("organization").strip()
        signin.request_password_reset(
            db.session, org_slug=org_slug, email=form.get("email"), settings=_settings()
        )
        flash("If that account exists, a reset link is on its way by mail.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form, only_org=only_org)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def reset_password(token: str):
    form = FormState()
    if signin.find_reset_token(db.session, token) is None:
        form.message = "This reset link is invalid, used or expired; ask for a new one."
        return render_template("auth/reset.html", form=form, valid=False), 404
    if request.method == "POST":
        if request.form.get("password") != request.form.get("confirm"):
            form.errors["confirm"] = "the two passwords differ"
            form.status = 422
        else:
            with form.handling():
                signin.reset_password(
                    db.session,
                    token=token,
                    new_password=request.form.get("password", ""),
                    settings=_settings(),
                )
                flash("Your password is changed; sign in with it.", "info")
                return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, valid=True), form.status
