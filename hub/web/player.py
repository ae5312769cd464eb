"""The player: launch a course, run a SCO with the API adapter, take its commits;
and the staff's preview of a package, which records nothing."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Annotated, Any

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hub.errors import AuthenticationRequiredError, HubError, NotFoundError
from hub.extensions import csrf, db, limiter
from hub.services import commits, packages, registrations, runtime
from hub.services.activities import Activity
from hub.web.security import (
    checks_own_session,
    current_actor,
    login_required,
    session_claim,
    sign_in,
    sign_out,
    staff_required,
)

bp = Blueprint("player", __name__)

Element = Annotated[str, StringConstraints(max_length=255)]


class BatchIn(BaseModel):
    """One batch of the adapter's SetValue calls (see hub/static/js/scorm-api.js)."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=1)
    tab: Annotated[str, StringConstraints(max_length=64)] = ""
    changes: list[
        tuple[Element, Annotated[str, StringConstraints(max_length=70000)]]
    ] = Field(default_factory=list, max_length=20000)
    terminate: bool = False

    def to_batch(self) -> commits.Batch:
        return commits.Batch(self.seq, self.tab, self.changes, self.terminate)


class CommitIn(BatchIn):
    """A commit: one batch, or (a closing page's beacon) the whole queue as
    ``batches``, which are applied in sequence order (``commits.commit_all``)."""

    key: Annotated[str, StringConstraints(max_length=128)]
    seq: int | None = Field(default=None, ge=1)
    batches: list[BatchIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_batch_or_a_queue(self) -> CommitIn:
        if self.batches and (self.seq is not None or self.changes or self.terminate):
            raise ValueError("send either one batch (seq, changes) or batches")
        if not self.batches and self.seq is None:
            raise ValueError("seq is required (or batches)")
        return self

    def to_batches(self) -> list[commits.Batch]:
        return [b.to_batch() for b in self.batches or [self]]


#: Queued batches a launch takes per attempt (player.js sends at most as many).
MAX_LEFTOVER_BATCHES = 1000


class LeftoverIn(BaseModel):
    """Batches that a closed page left queued on the device for one attempt."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: int
    # A page offline for hours autocommits a batch a minute.
    batches: list[BatchIn] = Field(max_length=MAX_LEFTOVER_BATCHES)


class LaunchIn(BaseModel):
    """The player page starting its SCO (see hub/static/js/player.js)."""

    model_config = ConfigDict(extra="forbid")

    activity: Annotated[str, StringConstraints(max_length=255)] | None = None
    leftovers: list[LeftoverIn] = Field(default_factory=list, max_length=50)
    # The learner left a review for a new attempt (course.review_when_finished).
    new_attempt: bool = False

    def leftover_batches(self) -> dict[int, list[commits.Batch]]:
        found: dict[int, list[commits.Batch]] = {}
        for leftover in self.leftovers:
            batches = found.setdefault(leftover.attempt_id, [])
            batches += [b.to_batch() for b in leftover.batches]
        return found


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _attempt_key(attempt_id: int) -> str:
    """Names the attempt's queue and tab lock in the browser's localStorage."""
    return f"hub-attempt-{attempt_id}"


def _claim() -> commits.SessionClaim:
    claim = session_claim()
    if claim is None:
        raise AuthenticationRequiredError("your session has ended: sign in again")
    return claim


def _own_registration(registration_id: int):
    """The signed-in user's own registration: nobody plays another's attempt."""
    actor = current_actor()
    registration = registrations.get_registration(
        db.session, actor=actor, registration_id=registration_id
    )
    if registration.user_id != actor.user_id:
        raise NotFoundError(f"no registration {registration_id}")
    return registration


@limiter.request_filter
def _commits_skip_the_limiter() -> bool:
    # An exempt view still pays for Flask-Limiter's lookup of its limits on every
    # request; a request filter ends the check first thing. Commits carry a key only
    # the player page knows, and every learner sends many a minute.
    return request.endpoint == "player.commit"


@bp.get("/courses/<int:course_id>/play")
@login_required
def play_course(course_id: int):
    registration = registrations.registration_for_launch(
        db.session, actor=current_actor(), course_id=course_id
    )
    return redirect(url_for("player.play", registration_id=registration.id))


@bp.get("/launch/<token>")
def launch_link(token: str):
    """A one-time link from the API: sign the learner in and open the player."""
    link = registrations.redeem_launch_link(db.session, token=token)
    sign_in(link.user)
    return redirect(
        url_for(
            "player.play",
            registration_id=link.registration.id,
            activity=link.activity_id,
            new_attempt=1 if link.new_attempt else None,
        )
    )


def _activity_urls(registration_id: int) -> Callable[[str], str]:
    """The player page of each activity of the registration."""
    return lambda identifier: url_for(
        "player.play", registration_id=registration_id, activity=identifier
    )


def _neighbours(toc: list[Activity], activity: Activity) -> dict[str, Any]:
    """The launchable activities before and after ``activity`` (the player's
    Previous and Next)."""
    launchable = [a for a in toc if a.launchable]
    index = launchable.index(activity)
    return {
        "previous": launchable[index - 1] if index > 0 else None,
        "next": launchable[index + 1] if index + 1 < len(launchable) else None,
    }


@bp.get("/play/<int:registration_id>")
@login_required
def play(registration_id: int):
    """The player page. It starts the SCO itself (``start``), once it has handed
    over what a closed page of this learner left queued on the device: launching
    first would resume from older data and shut those batches out."""
    registration = _own_registration(registration_id)
    plan = runtime.plan_launch(
        db.session,
        registration=registration,
        activity_id=request.args.get("activity") or None,
    )
    boot = {
        "launchUrl": url_for("player.start", registration_id=registration.id),
        "activity": plan.activity.identifier,
        "attemptKeys": {
            str(attempt_id): _attempt_key(attempt_id)
            for attempt_id in runtime.attempt_ids(db.session, registration=registration)
        },
        "csrfToken": generate_csrf(),
        "maxLeftoverBatches": MAX_LEFTOVER_BATCHES,
        # The course's "launch in a new window": the SCO gets a window of its own.
        "newWindow": plan.course.launch_new_window,
        "newAttempt": request.args.get("new_attempt") == "1",
    }
    return render_template(
        "player.html",
        plan=plan,
        boot=boot,
        **_neighbours(plan.toc, plan.activity),
        statuses=runtime.activity_statuses(db.session, registration=registration),
        locked=runtime.locked_activities(
            db.session, registration=registration, toc=plan.toc
        ),
        activity_url=_activity_urls(registration.id),
        exit_url=url_for("dashboard.home"),
        exit_label="Back to my courses",
        # The launch's notice replaces it when the session records nothing.
        not_recorded="Nothing you do here is recorded.",
    )


def _adapter_config(
    launch: runtime.PlayerLaunch | runtime.PreviewLaunch,
    *,
    activity_url: Callable[[str], str],
    exit_url: str,
    attempt_key: str,
    review: bool = False,
    commit_url: str | None = None,
    commit_key: str | None = None,
) -> dict[str, Any]:
    """What player.js hands the adapter: the definitions, the state, where commits go
    (nowhere when ``commit_url`` is None: nothing is recorded) and the navigation."""
    path, sep, query = (launch.activity.url or "").partition("?")
    content_url = url_for("content.file", version_id=launch.version.id, relpath=path)
    launchable = [a for a in launch.toc if a.launchable]
    return {
        "definitions": json.loads(launch.definitions_json),
        "state": launch.state,
        "review": review,
        "record": commit_url is not None,
        "commitUrl": commit_url,
        "commitKey": commit_key,
        "attemptKey": attempt_key,
        "contentUrl": content_url + (sep + query if sep else ""),
        "exitUrl": exit_url,
        "activityUrls": {a.identifier: activity_url(a.identifier) for a in launchable},
        "order": [a.identifier for a in launchable],
        "current": launch.activity.identifier,
    }


@bp.post("/play/<int:registration_id>/launch")
@login_required
def start(registration_id: int):
    """Store the batches a closed page left queued (``leftovers``), then start or
    resume the SCO; answers the adapter's configuration."""
    registration = _own_registration(registration_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise HubError("the launch body must be a JSON object")
    body = LaunchIn.model_validate(data)
    delivered = commits.deliver_leftovers(
        db.session,
        claim=_claim(),
        registration_id=registration.id,
        leftovers=body.leftover_batches(),
    )
    launch = runtime.launch(
        db.session,
        registration=registration,
        activity_id=body.activity,
        user=g.user,
        new_attempt=body.new_attempt,
    )
    # A review session stores nothing: it gets no commit endpoint and no key.
    review = launch.review
    config = _adapter_config(
        launch,
        activity_url=_activity_urls(registration.id),
        exit_url=url_for("dashboard.home"),
        attempt_key=_attempt_key(launch.attempt.id),
        review=review,
        commit_url=None
        if review
        else url_for(
            "player.commit",
            registration_id=registration.id,
            attempt_id=launch.attempt.id,
        ),
        commit_key=None
        if review
        else commits.commit_key(_secret(), launch.attempt.id, g.user.id),
    )
    if review:
        title = launch.activity.title
        config["notice"] = (
            f"You have finished “{title}”: this is your last attempt, for review."
            if launch.may_start_new_attempt
            else f"You have used all the attempts of “{title}”: this is your last "
            "attempt, for review."
        ) + " Nothing you do here is recorded."
        if launch.may_start_new_attempt:
            config["newAttemptUrl"] = url_for(
                "player.play",
                registration_id=registration.id,
                activity=launch.activity.identifier,
                new_attempt=1,
            )
    return jsonify({"config": config, "delivered": delivered})


@bp.post("/play/<int:registration_id>/attempts/<int:attempt_id>/commit")
@checks_own_session  # in the commit's own query (hub/services/commits.py)
@csrf.exempt  # authenticated by the session and the page's commit key (see below)
def commit(registration_id: int, attempt_id: int):
    claim = _claim()
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise HubError("the commit body must be a JSON object")
    batch = CommitIn.model_validate(data)
    expected = commits.commit_key(_secret(), attempt_id, claim.user_id)
    # A cross-site page can make the browser send the cookie, but it cannot know the
    # key printed into the player page, so it cannot forge tracking data.
    if not hmac.compare_digest(batch.key, expected):
        raise AuthenticationRequiredError("the commit key does not match this attempt")
    try:
        outcome = commits.commit_all(
            db.session,
            claim=claim,
            registration_id=registration_id,
            attempt_id=attempt_id,
            batches=batch.to_batches(),
        )
    except AuthenticationRequiredError:
        sign_out()
        raise
    return jsonify(
        {
            "ok": True,
            "duplicate": outcome.duplicate,
            "errors": outcome.errors,
            "registration": {
                "completion": outcome.rollup.completion,
                "success": outcome.rollup.success,
                "score_scaled": outcome.rollup.scaled,
            },
        }
    )


@bp.get("/preview/<int:version_id>")
@staff_required
def preview(version_id: int):
    """A package version's SCO run by staff in browse mode, outside any course:
    the adapter answers the SCO as in a course, and nothing is recorded."""
    version = packages.get_version(
        db.session, org_id=current_actor().org_id, version_id=version_id
    )
    strict = request.args.get("strict") == "1"
    launch = runtime.preview(
        version=version,
        activity_id=request.args.get("activity") or None,
        user=g.user,
        strict=strict,
    )

    def activity_url(identifier: str, *, strict: bool = strict) -> str:
        extra = {"strict": "1"} if strict else {}
        return url_for(
            "player.preview", version_id=version.id, activity=identifier, **extra
        )

    exit_url = url_for("admin.package_detail", package_id=version.package_id)
    config = _adapter_config(
        launch,
        activity_url=activity_url,
        exit_url=exit_url,
        attempt_key=f"hub-preview-{version.id}",
    )
    # The page needs no launch request: nothing queued on the device is involved.
    boot = {"config": config, "newWindow": False}
    return render_template(
        "player.html",
        plan=launch,
        boot=boot,
        **_neighbours(launch.toc, launch.activity),
        statuses={},
        locked=set(),
        activity_url=activity_url,
        exit_url=exit_url,
        exit_label="Back to the package",
        not_recorded="Preview, in browse mode: nothing you do here is recorded.",
        # The SCO's API calls, listed as they happen, for authors checking content.
        api_log={
            "strict": strict,
            "toggle_url": activity_url(launch.activity.identifier, strict=not strict),
        },
    )
