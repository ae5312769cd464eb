"""The REST API: authentication, CRUD, bulk upsert, pagination, one error format."""

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from hub.models import Enrollment, User
from tests.factories import make_api_key, make_course, make_user


@pytest.fixture
def client(api, session, org):
    _, secret = make_api_key(session, org)
    session.commit()

    class Client:
        def __getattr__(self, method):
            def call(url, **kwargs):
                headers = {
                    "Authorization": f"Bearer {secret}",
                    **kwargs.pop("headers", {}),
                }
                return getattr(api, method)(url, headers=headers, **kwargs)

            return call

    return Client()


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    if field is not None:
        assert field in [f["field"] for f in error["fields"]], error


def test_openapi_document_is_valid_openapi_31(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/api/v1/users/{user_id}" in document["paths"]
    assert set(document["paths"]["/api/v1/users/{user_id}"]) == {
        "get",
        "patch",
        "delete",
    }


def test_openapi_document_covers_every_api_route(app, api):
    documented = {
        (path, method.upper())
        for path, ops in api.get("/api/v1/openapi.json").json["paths"].items()
        for method in ops
    }
    for rule in app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/api/v1/")
            or rule.endpoint == "api.openapi_document"
        ):
            continue
        path = rule.rule
        for arg in rule.arguments:
            for form in (f"<int:{arg}>", f"<{arg}>"):
                path = path.replace(form, "{" + arg + "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "send an API key"),
        ("Basic abc", "send an API key"),
        ("Bearer nonsense", "malformed"),
        ("Bearer hubk_000000000000_wrong", "not valid"),
    ],
)
def test_api_requires_a_valid_key(api, header, message):
    headers = {"Authorization": header} if header else {}
    response = api.get("/api/v1/users", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert message in response.json["error"]["message"]


def test_api_revoked_key_is_refused(api, session, org):
    from hub.services.api_keys import revoke_api_key

    key, secret = make_api_key(session, org)
    revoke_api_key(session, org_id=org.id, key_id=key.id)
    session.commit()
    response = api.get("/api/v1/users", headers={"Authorization": f"Bearer {secret}"})
    assert_error(response, 401, "unauthorized")


def test_api_user_crud(client, session):
    response = client.post(
        "/api/v1/users",
        json={
            "email": "Ann@Example.com",
            "given_name": "Ann",
            "role": "instructor",
            "attributes": {"Department": "Sales"},
            "external_id": "E-1",
        },
    )
    assert response.status_code == 201, response.json
    user = response.json
    assert user["email"] == "ann@example.com"
    assert user["attributes"] == {"department": "Sales"}
    assert "password_hash" not in user
    uid = user["id"]
    assert client.get(f"/api/v1/users/{uid}").json["given_name"] == "Ann"
    response = client.patch(f"/api/v1/users/{uid}", json={"family_name": "Able"})
    assert (
        response.json["family_name"] == "Able" and response.json["given_name"] == "Ann"
    )
    response = client.delete(f"/api/v1/users/{uid}")
    assert response.json["is_active"] is False
    assert session.get(User, uid) is not None  # deactivated, never deleted


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "email"),
        ({"email": "nope"}, "email"),
        ({"email": "a@example.com", "role": "king"}, "role"),
        ({"email": "a@example.com", "unknown": 1}, "unknown"),
        ({"email": "a@example.com", "attributes": {"x": 5}}, "attributes.x"),
        ({"email": "a@example.com", "attributes": "flat"}, "attributes"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com", "given_name": "x" * 101}, "given_name"),
    ],
)
def test_api_create_user_validation_errors_are_422_with_fields(client, payload, field):
    assert_error(
        client.post("/api/v1/users", json=payload), 422, "validation_error", field
    )


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", ""])
def test_api_non_object_body_is_400(client, body):
    response = client.post("/api/v1/users", data=body, content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_api_duplicate_email_is_409(client):
    client.post("/api/v1/users", json={"email": "a@example.com"})
    assert_error(
        client.post("/api/v1/users", json={"email": "A@example.com"}),
        409,
        "conflict",
        "email",
    )


def test_api_unknown_ids_and_routes_are_404_json(client):
    assert_error(client.get("/api/v1/users/999999"), 404, "not_found")
    assert_error(client.get("/api/v1/users/abc"), 404, "not_found")
    # Beyond any id an Integer column holds: no such row, not a database error.
    assert_error(client.get("/api/v1/users/2147483648"), 404, "not_found")
    huge = "99999999999999999999999"
    assert_error(client.patch(f"/api/v1/courses/{huge}", json={}), 404, "not_found")
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.put("/api/v1/users"), 405, "method_not_allowed")


def test_api_pagination_walks_all_users_once(client, session, org, settings):
    for n in range(7):
        make_user(session, org, settings=settings, email=f"p{n}@example.com")
    session.commit()
    seen, cursor = [], None
    while True:
        url = "/api/v1/users?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json
        seen += [u["email"] for u in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"p{n}@example.com" for n in range(7))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("limit=99999999999", "limit"),
        ("cursor=@@@", "cursor"),
        ("cursor=eyJhZnRlciI6LTF9", "cursor"),
        ("role=king", "role"),
    ],
)
def test_api_bad_list_parameters_are_422(client, query, field):
    response = client.get(f"/api/v1/users?{query}")
    assert_error(response, 422, "validation_error", field)
    if field == "limit":  # one message, whatever is wrong with it
        assert "from 1 to 500" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url", "payload", "field"),
    [
        ("POST", "/api/v1/users", {"email": "a\u0000@example.com"}, "email"),
        ("POST", "/api/v1/registrations",
         {"course_id": 1, "learner": {"email": "n@example.com", "given_name": "\0"}},
         "learner.given_name"),
        ("POST", "/api/v1/users/bulk",
         {"users": [{"email": "a@example.com"}, {"email": "b\0@example.com"}]},
         "users.1.email"),
        ("GET", "/api/v1/users?q=a%00b", None, "q"),
    ],
)  # fmt: skip
def test_api_nul_characters_are_422_naming_the_field(
    client, session, method, url, payload, field
):
    """PostgreSQL text cannot hold U+0000: refused before it gets there."""
    users = session.scalar(select(func.count()).select_from(User))
    response = client.open(url, method=method, json=payload)
    assert_error(response, 422, "validation_error", field)
    assert session.scalar(select(func.count()).select_from(User)) == users


def test_request_bodies_past_the_cap_are_413_but_uploads_are_not(
    client, settings, monkeypatch
):
    """HUB_SECURITY__MAX_REQUEST_MB caps JSON and form bodies; uploads keep theirs."""
    monkeypatch.setattr(settings.security, "max_request_mb", 1)
    big = {"email": "a@example.com", "given_name": "x" * (1024 * 1024)}
    response = client.post("/api/v1/users", json=big)
    assert_error(response, 413, "request_entity_too_large")
    small = client.post("/api/v1/users", json={"email": "a@example.com"})
    assert small.status_code == 201
    # Encoded here: the test client would spool a body this size to a file it
    # leaves open.
    boundary = "hub-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        + b"x" * (2 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = client.post(
        "/api/v1/packages",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert upload.status_code == 202  # a 2 MB upload gets past the 1 MB cap


def test_sign_in_form_with_a_nul_character_is_refused(web):
    response = web.post("/login", {"email": "a\0@example.com", "password": "x"})
    assert response.status_code == 422
    assert "must not contain the NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url", "payload", "field"),
    [
        ("GET", "/api/v1/registrations?course_id=2147483648", None, "course_id"),
        ("GET", "/api/v1/enrollments?user_id=%C2%B2", None, "user_id"),
        ("POST", "/api/v1/registrations", {"course_id": 2**70}, "course_id"),
        ("POST", "/api/v1/enrollments", {"user_id": 2**31, "course_id": 1}, "user_id"),
        ("POST", "/api/v1/courses", {"code": "C1", "title": "T", "package_id": 2**63},
         "package_id"),
    ],
)  # fmt: skip
def test_api_ids_beyond_any_row_are_422_naming_the_field(
    client, method, url, payload, field
):
    response = client.open(url, method=method, json=payload)
    assert_error(response, 422, "validation_error", field)


def test_api_courses_and_enrollments(client, session):
    course = client.post(
        "/api/v1/courses", json={"code": "API-1", "title": "Via API"}
    ).json
    user = client.post("/api/v1/users", json={"email": "e@example.com"}).json
    response = client.post(
        "/api/v1/enrollments", json={"user_id": user["id"], "course_id": course["id"]}
    )
    assert response.status_code == 201
    again = client.post(
        "/api/v1/enrollments", json={"user_id": user["id"], "course_id": course["id"]}
    )
    assert again.status_code == 200 and again.json["id"] == response.json["id"]
    listing = client.get(f"/api/v1/enrollments?course_id={course['id']}").json["data"]
    assert [e["user_id"] for e in listing] == [user["id"]]
    assert listing[0]["progress_status"] == "not_started"
    deactivated = client.delete(f"/api/v1/enrollments/{response.json['id']}").json
    assert deactivated["status"] == "inactive"
    archived = client.delete(f"/api/v1/courses/{course['id']}").json
    assert archived["is_archived"] is True
    assert_error(
        client.post(
            "/api/v1/enrollments",
            json={"user_id": user["id"], "course_id": course["id"]},
        ),
        409,
        "conflict",
        "course_id",
    )


def test_api_enrollment_with_unknown_course_is_404(client):
    user = client.post("/api/v1/users", json={"email": "e@example.com"}).json
    assert_error(
        client.post(
            "/api/v1/enrollments", json={"user_id": user["id"], "course_id": 424242}
        ),
        404,
        "not_found",
    )


def test_api_groups_and_rules(client, session):
    course = client.post(
        "/api/v1/courses", json={"code": "G-1", "title": "Group course"}
    ).json
    user = client.post(
        "/api/v1/users",
        json={"email": "g@example.com", "attributes": {"site": "Berlin"}},
    ).json
    group = client.post("/api/v1/groups", json={"name": "Cohort"}).json
    client.post(f"/api/v1/groups/{group['id']}/members", json={"user_id": user["id"]})
    assert client.post(
        f"/api/v1/groups/{group['id']}/courses", json={"course_id": course["id"]}
    ).json == {"created": 1}
    members = client.get(f"/api/v1/groups/{group['id']}/members").json["data"]
    assert [m["id"] for m in members] == [user["id"]]
    assert (
        client.delete(f"/api/v1/groups/{group['id']}/members/{user['id']}").status_code
        == 204
    )
    rules_course = client.post(
        "/api/v1/courses", json={"code": "R-1", "title": "Rules"}
    ).json
    rule = client.post(
        "/api/v1/enrollment-rules",
        json={
            "course_id": rules_course["id"],
            "attribute": "site",
            "operator": "in",
            "value": "Berlin, Paris",
        },
    )
    assert rule.status_code == 201
    enrolled = session.scalars(
        select(Enrollment.user_id).where(Enrollment.course_id == rules_course["id"])
    ).all()
    assert enrolled == [user["id"]]
    assert (
        client.delete(f"/api/v1/enrollment-rules/{rule.json['id']}").json["is_active"]
        is False
    )


def test_api_bulk_upsert_creates_and_updates(client, session):
    response = client.post(
        "/api/v1/users/bulk",
        json={
            "users": [
                {
                    "email": "b1@example.com",
                    "external_id": "H1",
                    "attributes": {"dept": "Ops"},
                    "groups": ["Night shift"],
                },
                {"email": "b2@example.com", "external_id": "H2"},
            ]
        },
    )
    assert response.status_code == 200
    assert response.json["created"] == 2
    response = client.post(
        "/api/v1/users/bulk",
        json={"users": [{"email": "b1.renamed@example.com", "external_id": "H1"}]},
    )
    assert response.json == {
        "total": 1,
        "created": 0,
        "updated": 1,
        "failed_rows": 0,
        "applied": True,
        "errors": [],
    }
    renamed = session.scalar(select(User).where(User.external_id == "H1"))
    assert renamed.email == "b1.renamed@example.com"
    assert renamed.attributes == {"dept": "Ops"}


def test_api_bulk_upsert_all_or_nothing_and_partial(client, session):
    users = [
        {"email": "ok@example.com"},
        {"email": "broken"},
        {"email": "ok@example.com"},
    ]
    response = client.post("/api/v1/users/bulk", json={"users": users})
    assert_error(response, 422, "validation_error", "users.1.email")
    assert "users.2.email" in [f["field"] for f in response.json["error"]["fields"]]
    assert session.scalar(select(User).where(User.email == "ok@example.com")) is None
    response = client.post(
        "/api/v1/users/bulk", json={"users": users[:2], "partial": True}
    )
    assert response.status_code == 200
    assert response.json["created"] == 1 and response.json["failed_rows"] == 1


def test_api_bulk_upsert_bad_groups_value(client):
    response = client.post(
        "/api/v1/users/bulk",
        json={"users": [{"email": "x@example.com", "groups": "A"}]},
    )
    assert_error(response, 422, "validation_error", "users.0.row")


def test_api_does_not_accept_a_browser_session(web, session, org, settings):
    from hub.models import OrgRole
    from tests.factories import PASSWORD

    make_user(
        session,
        org,
        settings=settings,
        email="adm@example.com",
        role=OrgRole.ADMIN,
        password=PASSWORD,
    )
    session.commit()
    web.login("adm@example.com", PASSWORD)
    assert web.get("/api/v1/users").status_code == 401


def test_api_course_validation(client):
    assert_error(
        client.post("/api/v1/courses", json={"code": "", "title": "x"}),
        422,
        "validation_error",
        "code",
    )
    assert_error(
        client.post("/api/v1/courses", json={"code": "OK", "title": ""}),
        422,
        "validation_error",
        "title",
    )
    course = client.post("/api/v1/courses", json={"code": "DUP", "title": "x"}).json
    assert_error(
        client.post("/api/v1/courses", json={"code": "dup", "title": "y"}),
        409,
        "conflict",
        "code",
    )
    assert_error(
        client.patch(f"/api/v1/courses/{course['id']}", json={"is_published": "x"}),
        422,
        "validation_error",
    )


def test_make_course_factory_is_unused_guard(session, org):
    # The factory makes a course the API can read back (keeps factories honest).
    course = make_course(session, org, code="FACT-1")
    assert course.id and course.code == "FACT-1"


def test_api_course_runtime_settings_scores_as_points(client, session):
    from hub.models import Course

    assert_error(
        client.post(
            "/api/v1/courses",
            json={
                "code": "PTS",
                "title": "Points",
                "runtime_settings": {"scores_as_points_12": "sometimes"},
            },
        ),
        422,
        "validation_error",
        "runtime_settings.scores_as_points_12",
    )
    created = client.post(
        "/api/v1/courses",
        json={
            "code": "PTS",
            "title": "Points",
            "runtime_settings": {"scores_as_points_12": True},
        },
    )
    assert created.status_code == 201, created.json
    course = session.get(Course, created.json["id"])
    assert course.runtime_settings["scores_as_points_12"] is True


def test_api_course_review_when_finished(client, session):
    from hub.models import Course

    assert_error(
        client.post(
            "/api/v1/courses",
            json={"code": "REV", "title": "Review", "review_when_finished": "maybe"},
        ),
        422,
        "validation_error",
        "review_when_finished",
    )
    created = client.post(
        "/api/v1/courses",
        json={"code": "REV", "title": "Review", "review_when_finished": True},
    )
    assert created.status_code == 201, created.json
    assert created.json["review_when_finished"] is True
    assert session.get(Course, created.json["id"]).review_when_finished is True
    changed = client.patch(
        f"/api/v1/courses/{created.json['id']}", json={"review_when_finished": False}
    )
    assert changed.status_code == 200 and changed.json["review_when_finished"] is False
