"""Grade passback: a rollup change writes the score outbox in the same transaction,
Celery delivers it to the simulator's AGS endpoint; through an outage (503s) the
newest score lands exactly once and none is lost; admins see and re-send failures."""

# The simulator fixtures are imported from test_lti_launch; pytest injects them by name.
# ruff: noqa: F811

import pytest
from sqlalchemy import select

from hub.models import DeliveryState, LtiResourceLink, LtiScoreOutbox, Registration
from hub.services import lti_grades
from hub.tasks.lti import deliver_lti_score, sweep_lti_scores
from tests.hub.conftest import start_player
from tests.hub.functional.test_lti_launch import (  # noqa: F401 - fixtures
    HTTPS,
    course,
    custom,
    launch,
    platform,
    sim,
    tool,
)


@pytest.fixture
def launched(app, web, session, sim, tool, platform, course):
    """A learner launched from the simulator; the platform trusts the tool's keys."""
    app.extensions["celery"].set_current()
    jwks = web.client.get("/lti/jwks.json").json
    sim.state.tool_jwks = lambda: jwks
    response, _ = launch(web, sim, tool, **custom(course))
    assert response.status_code == 303
    return session.scalar(select(Registration))


def _score(session, registration, scaled, completion="completed", success="passed"):
    registration.completion, registration.success = completion, success
    registration.score_scaled = scaled
    session.commit()  # the outbox row commits with it; delivery runs after commit


def _platform_scores(sim):
    return {user: body for (_item, user), body in sim.state.scores.items()}


def test_lti_rollup_change_publishes_the_score(session, sim, launched):
    _score(session, launched, 0.8)
    row = session.scalar(select(LtiScoreOutbox))
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    body = _platform_scores(sim)["user-1"]
    assert body["scoreGiven"] == 80 and body["scoreMaximum"] == 100
    assert body["activityProgress"] == "Completed"
    assert body["gradingProgress"] == "FullyGraded"
    # The line item was created for the link (by resourceLinkId) and remembered.
    item = next(iter(sim.state.line_items.values()))
    assert item["resourceLinkId"] == "rl-1" and item["scoreMaximum"] == 100
    assert session.scalar(select(LtiResourceLink)).line_item_url == item["id"]
    assert sim.state.token_requests == 1


def test_lti_unchanged_rollup_writes_no_score(session, sim, launched):
    launched.completion = launched.completion  # same value: no change
    session.commit()
    assert session.scalar(select(LtiScoreOutbox)) is None


def test_lti_outage_then_recovery_delivers_the_newest_score_once(
    app, session, sim, tool, launched
):
    sim.state.fail_scores = 1000  # the platform answers 503 to every score
    _score(session, launched, 0.5, completion="incomplete", success="unknown")
    _score(session, launched, 0.9)
    rows = session.scalars(select(LtiScoreOutbox)).all()
    assert len(rows) == 1  # one row per user and line item: the newest replaced it
    row = rows[0]
    session.refresh(row)
    assert row.state is DeliveryState.PENDING and row.attempts == 1
    assert "503" in row.last_error
    assert sim.state.scores == {}
    sim.state.fail_scores = 0
    posts_before = sim.state.score_posts
    with app.app_context():
        assert sweep_lti_scores() == 1
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    assert _platform_scores(sim)["user-1"]["scoreGiven"] == 90
    assert sim.state.score_posts == posts_before + 1  # exactly once
    with app.app_context():
        assert deliver_lti_score(row.id) == "skipped"  # idempotent
    assert sim.state.score_posts == posts_before + 1


def test_lti_a_score_queued_while_an_older_one_fails_is_not_marked_failed(
    app, session, sim, tool, launched, monkeypatch
):
    from lti.errors import ServiceError

    publish = lti_grades.AgsClient.publish_score
    calls = []

    def refuse_the_first(client, line_item_url, score):
        calls.append(score.score_given)
        if len(calls) == 1:
            # While the platform refuses the older score, the learner's newer one
            # is queued by another request (and, in this eager set-up, delivered
            # at once).
            other = app.extensions["hub.db"].session_factory()
            try:
                _score(other, other.get(Registration, launched.id), 0.9)
            finally:
                other.close()
            raise ServiceError("refused", status=400)
        return publish(client, line_item_url, score)

    monkeypatch.setattr(lti_grades.AgsClient, "publish_score", refuse_the_first)
    _score(session, launched, 0.5, completion="incomplete", success="unknown")
    assert calls == [50, 90]
    row = session.scalar(select(LtiScoreOutbox))
    session.refresh(row)
    # The refusal of the older score is not written over the newer one's row.
    assert row.state is DeliveryState.DELIVERED, row.last_error
    assert row.score_given == 90 and row.attempts == 0 and row.last_error == ""
    assert _platform_scores(sim)["user-1"]["scoreGiven"] == 90


def test_lti_a_platform_that_is_down_costs_a_batch_one_call(
    app, web, session, sim, tool, course, launched
):
    for sub in ("user-2", "user-3"):
        response, _ = launch(web, sim, tool, sub=sub, **custom(course))
        assert response.status_code == 303
    sim.state.fail_scores = 1000  # 503 to every score
    posts = sim.state.score_posts
    for registration in session.scalars(select(Registration)).all():
        registration.completion, registration.success = "completed", "passed"
        registration.score_scaled = 0.8
    session.commit()  # one batch of three rows
    # One score tried: its POST and the transport's two retries (lti/http.py), not
    # three for each of the three rows.
    assert sim.state.score_posts == posts + 3
    rows = session.scalars(select(LtiScoreOutbox).order_by(LtiScoreOutbox.id)).all()
    for row in rows:
        session.refresh(row)
    assert {row.state for row in rows} == {DeliveryState.PENDING}
    assert [row.attempts for row in rows] == [1, 0, 0]  # only one was tried
    sim.state.fail_scores = 0
    with app.app_context():
        assert sweep_lti_scores() == 3
    for row in rows:
        session.refresh(row)
    assert {row.state for row in rows} == {DeliveryState.DELIVERED}
    assert set(sim.state.score_counts.values()) == {1}


def test_lti_no_transaction_is_open_while_the_platform_is_called(
    app, session, sim, tool, launched, monkeypatch
):
    from hub.extensions import db

    publish = lti_grades.AgsClient.publish_score
    open_during_post = []

    def watched(client, line_item_url, score):
        open_during_post.append(db.session.in_transaction())
        return publish(client, line_item_url, score)

    monkeypatch.setattr(lti_grades.AgsClient, "publish_score", watched)
    _score(session, launched, 0.6)
    assert open_during_post == [False]  # the task's delivery: read, send, record
    assert _platform_scores(sim)["user-1"]["scoreGiven"] == 60
    row = session.scalar(select(LtiScoreOutbox))
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED


@pytest.fixture
def admin_browser(app, session, org, settings):
    """An admin in a browser of their own (the ``web`` client is the learner's)."""
    from hub.models import OrgRole
    from tests.factories import PASSWORD, make_user
    from tests.hub.conftest import WebClient

    make_user(
        session,
        org,
        settings=settings,
        email="lti-admin@example.com",
        role=OrgRole.ADMIN,
        password=PASSWORD,
    )
    session.commit()
    browser = WebClient(app.test_client())
    assert browser.login("lti-admin@example.com", PASSWORD).status_code == 302
    return browser


def test_lti_refused_score_fails_at_once_and_can_be_resent(
    app, admin_browser, session, sim, tool, launched
):
    link = session.scalar(select(LtiResourceLink))
    link.line_item_url = sim.url + "/gone/lineitem"  # the platform answers 404
    session.commit()
    _score(session, launched, 0.7)
    row = session.scalar(select(LtiScoreOutbox))
    session.refresh(row)
    assert row.state is DeliveryState.FAILED and "404" in row.last_error
    page = admin_browser.get("/admin/lti/scores").get_data(as_text=True)
    assert "404" in page and "failed" in page
    link.line_item_url = None  # the admin's fix: let the hub find the line item
    session.commit()
    response = admin_browser.post(f"/admin/lti/scores/{row.id}/resend")
    assert response.status_code == 302
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED, row.last_error
    assert _platform_scores(sim)["user-1"]["scoreGiven"] == 70


def test_lti_score_fields_map_progress():
    registration = Registration(completion="incomplete", success="unknown")
    registration.score_scaled = None
    fields = lti_grades.score_fields(registration)
    assert fields == {
        "score_given": None,
        "score_maximum": None,
        "activity_progress": "InProgress",
        "grading_progress": "Pending",
    }


def test_lti_resend_grades_of_a_context_pushes_them_again(
    admin_browser, session, sim, launched
):
    from hub.models import LtiContext

    _score(session, launched, 0.6)
    posts = sim.state.score_posts
    context = session.scalar(select(LtiContext))
    response = admin_browser.post(f"/admin/lti/contexts/{context.id}/resend-grades")
    assert response.status_code == 302
    assert sim.state.score_posts == posts + 1
    assert _platform_scores(sim)["user-1"]["scoreGiven"] == 60


def test_lti_player_commit_sends_the_rollup_to_the_platform(
    web, session, sim, tool, platform, course, app
):
    """End to end: launch, play, commit; the runtime's rollup reaches the platform."""
    app.extensions["celery"].set_current()
    jwks = web.client.get("/lti/jwks.json").json
    sim.state.tool_jwks = lambda: jwks
    response, _ = launch(web, sim, tool, **custom(course))
    started = start_player(web.client, response.headers["Location"], base_url=HTTPS)
    assert started.status_code == 200, started.get_data(as_text=True)
    config = started.json["config"]
    committed = web.client.post(
        config["commitUrl"],
        json={
            "key": config["commitKey"],
            "seq": 1,
            "tab": "t1",
            "changes": [
                ["cmi.core.lesson_status", "completed"],
                ["cmi.core.score.raw", "80"],
            ],
            "terminate": True,
        },
        base_url=HTTPS,
    )
    assert committed.status_code == 200, committed.get_data(as_text=True)
    row = session.scalar(select(LtiScoreOutbox))
    assert row is not None and row.subject == "user-1"
    session.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    body = _platform_scores(sim)["user-1"]
    assert body["activityProgress"] in {"InProgress", "Completed"}
    assert body["userId"] == "user-1"


def test_lti_scores_of_one_transaction_go_in_one_batch_with_one_token(
    app, web, session, sim, tool, course, launched, monkeypatch
):
    from hub.tasks import lti as lti_tasks

    response, _ = launch(web, sim, tool, sub="user-2", **custom(course))
    assert response.status_code == 303
    batches = []
    batch_task = lti_tasks.deliver_lti_scores
    monkeypatch.setattr(
        batch_task, "delay", lambda ids: batches.append(ids) or batch_task(ids)
    )
    for registration in session.scalars(select(Registration)).all():
        # Twice in one transaction: the row is replaced and enqueued once.
        for value in (0.3, 0.75):
            registration.completion, registration.success = "completed", "passed"
            registration.score_scaled = value
            session.flush()
    session.commit()
    assert [len(ids) for ids in batches] == [2]
    rows = session.scalars(select(LtiScoreOutbox)).all()
    for row in rows:
        session.refresh(row)
    assert {row.state for row in rows} == {DeliveryState.DELIVERED}
    assert {u: b["scoreGiven"] for u, b in _platform_scores(sim).items()} == {
        "user-1": 75,
        "user-2": 75,
    }
    assert set(sim.state.score_counts.values()) == {1}  # each landed once
    assert sim.state.token_requests == 1  # one token for the whole batch
