"""The player: launch a course, run a SCO with the API adapter, take its commits."""

from __future__ import annotations

import hmac
import json
from typing import Annotated

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
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hub.errors import AuthenticationRequiredError, HubError, NotFoundError
from hub.extensions import csrf, db, limiter
from hub.services import commits, registrations, runtime
from hub.web.security import (
    checks_own_session,
    current_actor,
    login_required,
    session_claim,
    sign_in,
    sign_out,
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
        sent = self.batches or [self]
        return [commits.Batch(b.seq, b.tab, b.changes, b.terminate) for b in sent]


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


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
    registration, user = registrations.redeem_launch_link(db.session, token=token)
    sign_in(user)
    return redirect(url_for("player.play", registration_id=registration.id))


@bp.get("/play/<int:registration_id>")
@login_required
def play(registration_id: int):
    registration = _own_registration(registration_id)
    launch = runtime.launch(
        db.session,
        registration=registration,
        activity_id=request.args.get("activity") or None,
        user=g.user,
    )
    path, sep, query = (launch.activity.url or "").partition("?")
    content_url = url_for("content.file", version_id=launch.version.id, relpath=path)
    launchable = [a for a in launch.toc if a.launchable]
    index = launchable.index(launch.activity)
    config = {
        "definitions": json.loads(launch.definitions_json),
        "state": launch.state,
        "commitUrl": url_for(
            "player.commit",
            registration_id=registration.id,
            attempt_id=launch.attempt.id,
        ),
        "commitKey": commits.commit_key(_secret(), launch.attempt.id, g.user.id),
        "attemptKey": f"hub-attempt-{launch.attempt.id}",
        "contentUrl": content_url + (sep + query if sep else ""),
        "exitUrl": url_for("dashboard.home"),
        "activityUrls": {
            a.identifier: url_for(
                "player.play", registration_id=registration.id, activity=a.identifier
            )
            for a in launchable
        },
        "order": [a.identifier for a in launchable],
        "current": launch.activity.identifier,
    }
    return render_template(
        "player.html",
        launch=launch,
        config=config,
        previous=launchable[index - 1] if index > 0 else None,
        next=launchable[index + 1] if index + 1 < len(launchable) else None,
        statuses=runtime.activity_statuses(db.session, registration=registration),
        locked=runtime.locked_activities(
            db.session, registration=registration, toc=launch.toc
        ),
    )


@bp.post("/play/<int:registration_id>/attempts/<int:attempt_id>/commit")
@checks_own_session  # in the commit's own query (hub/services/commits.py)
@csrf.exempt  # authenticated by the session and the page's commit key (see below)
def commit(registration_id: int, attempt_id: int):
    claim = session_claim()
    if claim is None:
        raise AuthenticationRequiredError("your session has ended: sign in again")
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
