"""LTI 1.3 endpoints: JWKS, OIDC login initiation, launch, platform-storage check,
deep linking picker and response, dynamic registration (LTI 1.3 core §4–5; Security
Framework 1.0 §5–6; Deep Linking 2.0; Dynamic Registration 1.0).

The platform posts to these URLs cross-site, so they are CSRF-exempt: the id_token's
signature, the single-use state and nonce, or an unguessable launch id stand in for
the CSRF token. Every rejection answers the library's error page (4xx).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict

from hub.db import parse_row_id
from hub.errors import HubError
from hub.extensions import csrf, db
from hub.models import User
from hub.services import lti_deep_linking, lti_grades, lti_launch, lti_platforms
from hub.services.lti_stores import SqlLaunchDataStore, cached_registrations
from hub.services.lti_tool import LtiTool, build_tool, ensure_signing_key
from hub.web import CONTENT_SECURITY_POLICY, api
from hub.web.security import sign_in
from hub.web.sessions import HubSessionInterface
from lti import (
    DeepLinkingError,
    LaunchContext,
    LtiLaunchError,
    PendingLaunch,
    RegistrationError,
    accepts_multiple,
    close_page_html,
    initiate_login,
    register_with_platform,
)
from lti.flask_adapter import (
    clear_state_cookie,
    deep_linking_response,
    html_response,
    jwks_response,
    launch_error_response,
    login_response,
    pending_launch_response,
    request_cookies,
    request_params,
)

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti")

#: Session flag of a browser session started by a launch (it lives in an iframe).
LTI_SESSION_KEY = "lti"
REGISTRATION_SALT = "lti-dynamic-registration"
REGISTRATION_MAX_AGE = 7 * 24 * 3600
#: Pages the platform frames or that post to it: inline scripts of the library's
#: auto-submitting forms, forms posting to the platform, any framing ancestor.
LTI_PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; form-action *; frame-ancestors *; base-uri 'none'"
)


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["hub.lti"] = build_tool(state.app.config["HUB_SETTINGS"])
    lti_grades.install()  # rollup changes write the score outbox
    if type(state.app.session_interface) is HubSessionInterface:
        state.app.session_interface = EmbeddedSessionInterface()


def _tool() -> LtiTool:
    return current_app.extensions["hub.lti"]


def _lti_page(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = LTI_PAGE_POLICY
    return response


def _rejected(error: LtiLaunchError) -> Response:
    return _lti_page(launch_error_response(error))


def _hub_error_page(error: HubError) -> Response:
    # Rendered, not raised: the launch's nonce and state stay consumed (committed).
    log.warning("LTI launch refused by the hub: %s (%s)", error.code, error.message)
    body = render_template("lti/error.html", error=error)
    return _lti_page(html_response(body, status=error.status))


def registration_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], REGISTRATION_SALT)


@bp.get("/jwks.json")
def jwks():
    """The tool's public keys (Security §6.3), with ``kid``."""
    keyring = _tool().keyring(db.session)
    ensure_signing_key(keyring)
    return jwks_response(keyring.jwks())


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """Third-party initiated login (core §4.1), by GET or POST."""
    tool = _tool()
    try:
        result = initiate_login(
            request_params(request),
            registrations=cached_registrations(db.session),
            launch_data=SqlLaunchDataStore(db.session),
            launch_url=tool.info.launch_url,
            login_url=tool.info.login_url,
        )
    except LtiLaunchError as error:
        return _rejected(error)
    return _lti_page(login_response(result))


@bp.post("/launch")
@bp.post("/deep-link")
@csrf.exempt
def launch():
    """The id_token POST (redirect URI) of resource link and deep linking launches."""
    tool = _tool()
    try:
        result = tool.validator(db.session).validate(
            request_params(request),
            request_cookies(request),
            storage_check_url=tool.storage_check_url,
        )
    except LtiLaunchError as error:
        return _rejected(error)
    if isinstance(result, PendingLaunch):
        return _lti_page(pending_launch_response(result))
    return clear_state_cookie(_enter(result), request.form["state"])


@bp.post("/launch/check")
@csrf.exempt
def storage_check():
    """The platform-storage check page posts the state and nonce it read back."""
    form = request.form
    try:
        context = (
            _tool()
            .validator(db.session)
            .complete_storage_check(
                form.get("launch_id", ""), form.get("state", ""), form.get("nonce", "")
            )
        )
    except LtiLaunchError as error:
        return _rejected(error)
    return _enter(context)


def _enter(context: LaunchContext) -> Response:
    """Provision the launch, sign the user in, and send the browser on."""
    try:
        # A refusal writes nothing (provisioning checks first, or undoes its writes
        # in a SAVEPOINT): the request still commits the consumed state and nonce.
        user, target, new_window = _provision(context)
    except lti_launch.LinkNotConnectedError as error:
        if not lti_launch.is_staff(context):
            return _hub_error_page(error)
        # An instructor opening an unconnected link (a course navigation placement,
        # say) picks the hub course it delivers: the picker reads the launch back.
        _tool().validator(db.session).keep_launch(context)
        return redirect(url_for("lti.connect", launch_id=context.launch_id), 303)
    except HubError as error:
        return _hub_error_page(error)
    sign_in(user)
    session[LTI_SESSION_KEY] = True
    if new_window is not None:
        # In the platform's iframe the session cookie may be blocked (Safari, or
        # third-party cookies off): the page checks, and offers a new window whose
        # one-time link signs the learner in first-party.
        page = render_template(
            "lti/enter.html",
            player_url=target,
            session_url=url_for("lti.session_check"),
            new_window_url=url_for("player.launch_link", token=new_window),
        )
        return _lti_page(html_response(page))
    response = redirect(target, code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _provision(context: LaunchContext) -> tuple[User, str, str | None]:
    """The launch's user, where to go next, and a new-window token for the player
    when the launch happens inside a frame."""
    if context.is_deep_linking:
        user = lti_launch.provision_deep_linking(db.session, context=context)
        # The picker and its response read the request back: the response goes to
        # its return URL and echoes its data (DL §4.5.4).
        _tool().validator(db.session).keep_launch(context)
        return user, url_for("lti.pick", launch_id=context.launch_id), None
    outcome = lti_launch.provision_launch(db.session, context=context)
    if outcome.registration_id is None:  # staff: the course's roster and grades
        return (
            outcome.user,
            url_for("dashboard.roster", course_id=outcome.course_id),
            None,
        )
    target = url_for("player.play", registration_id=outcome.registration_id)
    if request.headers.get("Sec-Fetch-Dest") != "iframe":
        return outcome.user, target, None
    token = lti_launch.new_window_link(
        db.session, registration_id=outcome.registration_id
    )
    return outcome.user, target, token


@bp.get("/connect/<launch_id>")
def connect(launch_id: str):
    """Pick the hub course an unconnected link delivers (staff launches only)."""
    context = lti_launch.load_unconnected_launch(
        db.session,
        validator=_tool().validator(db.session),
        launch_id=launch_id,
        user_id=_user_id(),
    )
    page = render_template(
        "lti/connect.html",
        launch_id=launch_id,
        context=context,
        courses=lti_deep_linking.pickable_courses(db.session, context=context),
    )
    response = html_response(page)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'self'", "frame-ancestors *"
    )
    return response


@bp.post("/connect/<launch_id>")
@csrf.exempt
def connect_done(launch_id: str):
    """Bind the link to the chosen course, then continue as the launch would."""
    context = lti_launch.load_unconnected_launch(
        db.session,
        validator=_tool().validator(db.session),
        launch_id=launch_id,
        user_id=_user_id(),
    )
    course_id = request.form.get("course_id", "")
    outcome = lti_launch.connect_link(
        db.session,
        context=context,
        course_id=parse_row_id(course_id) or 0,
    )
    sign_in(outcome.user)
    session[LTI_SESSION_KEY] = True
    return redirect(url_for("dashboard.roster", course_id=outcome.course_id), 303)


@bp.get("/session")
def session_check():
    """Whether this browser context sends the hub's session cookie (the launch page
    asks from inside the platform's frame before it opens the player there)."""
    signed_in = g.get("user") is not None
    return jsonify({"signed_in": signed_in}), 200 if signed_in else 401


@bp.get("/deep-link/<launch_id>")
def pick(launch_id: str):
    """The content picker of a deep linking request."""
    context = lti_deep_linking.load_request(
        db.session, tool=_tool(), launch_id=launch_id, user_id=_user_id()
    )
    courses = lti_deep_linking.pickable_courses(db.session, context=context)
    page = render_template(
        "lti/pick.html",
        launch_id=launch_id,
        courses=courses,
        multiple=accepts_multiple(context),
        context=context,
    )
    response = html_response(page)
    # The picker opens in the platform's frame, possibly before any hub session.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'self'", "frame-ancestors *"
    )
    return response


@bp.post("/deep-link/<launch_id>")
@csrf.exempt
def pick_done(launch_id: str):
    """Sign the Deep Linking response and post it back to the platform (DL §4.5)."""
    tool = _tool()
    try:
        context = lti_deep_linking.load_request(
            db.session, tool=tool, launch_id=launch_id, user_id=_user_id()
        )
        course_ids = [
            number
            for number in map(parse_row_id, request.form.getlist("course_ids"))
            if number is not None
        ]
        score = request.form.get("score_maximum", "100")
        result = lti_deep_linking.respond(
            db.session,
            tool=tool,
            context=context,
            course_ids=course_ids,
            score_maximum=float(score) if _is_number(score) else 0.0,
        )
    except DeepLinkingError as error:
        log.warning("deep linking response refused: %s", error)
        return _lti_page(html_response(str(error), status=400))
    except HubError as error:
        return _hub_error_page(error)
    return _lti_page(deep_linking_response(result))


def _user_id() -> int | None:
    user = g.get("user")
    return user.id if user is not None else None


def _is_number(value: str) -> bool:
    return re.fullmatch(r"\d{1,6}(\.\d{1,4})?", value) is not None


@bp.get("/register")
def register():
    """LTI Dynamic Registration (DR §3.3): the platform opens this URL in a window."""
    settings = current_app.config["HUB_SETTINGS"]
    try:
        org_id = registration_serializer().loads(
            request.args.get("org", ""), max_age=REGISTRATION_MAX_AGE
        )
    except BadSignature:
        return _lti_page(
            html_response("This registration link is invalid or expired.", 400)
        )
    tool = _tool()
    try:
        ensure_signing_key(tool.keyring(db.session))
        registration = register_with_platform(
            tool.http,
            request.args.get("openid_configuration", ""),
            request.args.get("registration_token") or None,
            tool=tool.info,
            allow_insecure=settings.lti.allow_insecure_platforms,
            trusted_issuers=settings.lti.trusted_issuers,
        )
        lti_platforms.save_dynamic_registration(
            db.session, org_id=int(org_id), registration=registration
        )
    except RegistrationError as error:
        log.warning("dynamic registration failed: %s [%s]", error, error.status)
        return _lti_page(html_response(f"Registration failed: {error}", 400))
    except HubError as error:
        return _hub_error_page(error)
    return _lti_page(html_response(close_page_html()))


@bp.after_app_request
def _embeddable(response: Response) -> Response:
    """A launched session lives in the platform's iframe: let its pages be framed."""
    has_cookie = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    # Reading the session marks the response "Vary: Cookie"; skip it where no
    # session can be involved, so static files stay cacheable.
    if request.endpoint == "static" or not (has_cookie or request.blueprint == "lti"):
        return response
    if not session.get(LTI_SESSION_KEY):
        return response
    policy = response.headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    schemes = "https:" if request.is_secure else "https: http:"
    response.headers["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'self'", f"frame-ancestors 'self' {schemes}"
    )
    return response


def _embedded_session() -> bool:
    return (
        has_request_context()
        and request.is_secure
        and bool(session.get(LTI_SESSION_KEY))
    )


class EmbeddedSessionInterface(HubSessionInterface):
    """Sends a launched session's cookie cross-site over https.

    The platform's iframe is a third-party context: the cookie must be
    ``SameSite=None; Secure`` to be sent at all, and ``Partitioned`` (CHIPS) for
    browsers that block unpartitioned third-party cookies. Other sessions keep the
    app's settings (``SameSite=Lax``).
    """

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if _embedded_session() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return _embedded_session() or super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return _embedded_session() or super().get_cookie_partitioned(app)


# -- REST API: /api/v1/lti/platforms (operations on the API blueprint) ---------------


class PlatformOut(BaseModel):
    """A platform registration as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    auth_audience: str | None
    deployment_ids: list[str]
    created_via: str
    allow_account_linking: bool
    is_active: bool
    created_at: datetime


@api.operation(
    "/lti/platforms",
    "GET",
    summary="List the organization's LTI 1.3 platforms",
    tag="lti",
    response=PlatformOut,
    many=True,
)
def api_list_platforms():
    found = lti_platforms.list_platforms(db.session, org_id=api.actor().org_id)
    data = [PlatformOut.model_validate(p).model_dump(mode="json") for p in found]
    return jsonify({"data": data, "next_cursor": None})


@api.operation(
    "/lti/platforms",
    "POST",
    summary="Register an LTI 1.3 platform by hand (or update its registration)",
    tag="lti",
    body=lti_platforms.PlatformIn,
    response=PlatformOut,
    status=201,
)
def api_create_platform():
    platform = lti_platforms.create_platform(
        db.session,
        org_id=api.actor().org_id,
        data=api.body(lti_platforms.PlatformIn),
    )
    return api.one(platform, PlatformOut, 201)
