"""No request a caller can make is answered with a server error: every route of the
app, fed ids that exist and ids that do not, junk queries and junk bodies, by an
anonymous caller, an API key and a signed-in admin (bad input gets a 4xx, never a 5xx).
"""

import json

from sqlalchemy import select

from hub.models import Registration, User
from tests.factories import make_api_key, make_course, make_enrollment, make_user
from tests.hub.functional.test_packages import SCORM12
from tests.hub.functional.test_player import import_demo, open_player, send

MISSING_ID = "999999999"
#: Beyond any row id (and what SQLite or PostgreSQL integers hold).
HUGE_ID = "99999999999999999999999"
QUERIES = [
    "",
    "?page=x&per_page=-1&cursor=%25%25&q=%00&since=never&status=bogus",
    f"?course_id={HUGE_ID}&user_id=%C2%B2&limit={HUGE_ID}",
]
BODIES = [
    b"not json",
    b"[]",
    b'{"a":',
    json.dumps(
        {
            "course_id": "x",
            "learner": 5,
            "email": ["a"],
            "title": None,
            "code": {"a": 1},
            "package_id": -1,
            "key": 1,
            "seq": "a",
            "changes": "x",
        }
    ).encode(),
    json.dumps(  # PostgreSQL text cannot hold U+0000
        dict.fromkeys(
            ("email", "title", "code", "name", "given_name", "activity"), "a\x00b"
        )
    ).encode(),
    json.dumps(
        {
            name: int(HUGE_ID)
            for name in ("course_id", "package_id", "user_id", "learner_id", "seq")
        }
    ).encode(),
]
#: The admin pages' form fields, each with junk (they read ``request.form``).
FORM = {
    name: value
    for names, value in (
        (("course_id", "package_id", "user_id", "group_id", "max_attempts"), HUGE_ID),
        (("course_ids", "deployment_ids", "score_maximum", "count"), "\u00b2"),
        (("email", "name", "role", "status", "operator", "attribute", "value"), "\0"),
        (("password", "code", "title", "q", "rt_autocommit_seconds"), "x" * 5000),
        (("rt_missing_finish", "strict", "partial", "confirm", "back"), "[]"),
    )
    for name in names
}
#: Routes that end the caller's own session or key, which the rest of the run needs.
SKIPPED = ("/logout", "/api-keys")


def _paths(rule, ids: dict[str, str]) -> list[str]:
    """The rule's path with each argument an id that exists, one that does not and
    one beyond any id."""
    paths = [rule.rule]
    for name in rule.arguments:
        values = [ids.get(name, "1"), MISSING_ID, HUGE_ID]
        paths = [
            path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
            for path in paths
            for value in values
        ]
    return paths


def test_no_route_answers_junk_with_a_server_error(
    app, api, admin_web, session, org, settings
):
    package_id = import_demo(app, session, org, SCORM12)
    course = make_course(session, org, code="JUNK", package_id=package_id)
    learner = make_user(session, org, settings=settings, email="l@example.com")
    make_enrollment(session, learner, course)
    admin = session.scalar(select(User).where(User.email == "admin@example.com"))
    make_enrollment(session, admin, course)
    _, secret = make_api_key(session, org)
    session.commit()
    config = open_player(admin_web, course)  # the admin's own registration
    send(admin_web, config, [["cmi.core.lesson_location", "p1"]], 1)
    registration = session.scalar(select(Registration))
    ids = {
        "course_id": str(course.id),
        "package_id": str(package_id),
        "user_id": str(learner.id),
        "registration_id": str(registration.id),
        "attempt_id": config["commitUrl"].split("/attempts/")[1].split("/")[0],
    }
    key = {"Authorization": f"Bearer {secret}"}
    csrf = {"X-CSRFToken": admin_web.token()}

    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or any(s in rule.rule for s in SKIPPED):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in _paths(rule, ids):
                reads = method == "GET"
                for suffix, body in (
                    [(q, None) for q in QUERIES]
                    if reads
                    else [("", b) for b in [*BODIES, FORM]]
                ):
                    for client, headers in (
                        (api, {}),
                        (api, key),
                        (admin_web.client, csrf),
                    ):
                        response = client.open(
                            path + suffix,
                            method=method,
                            headers=headers,
                            data=body,
                            content_type=None
                            if reads or isinstance(body, dict)
                            else "application/json",
                        )
                        if response.status_code >= 500:
                            failures.append(
                                (method, path + suffix, body, response.status_code)
                            )
    assert failures == []
