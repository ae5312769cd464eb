"""Multi-tenancy: every route and API endpoint, used by organization A against the
objects of organization B, answers 404 or 403 and changes nothing of B.

The test walks ``app.url_map``, so a route added later is covered automatically; a
route whose parameters it does not know fails the test until it is taught them.
"""

import pytest
from sqlalchemy import select

from hub.models import (
    ApiKey,
    Course,
    CourseRole,
    Enrollment,
    EnrollmentRule,
    Group,
    GroupMember,
    ImportJob,
    LtiScoreOutbox,
    Organization,
    OrgRole,
    Package,
    PackageVersion,
    Platform,
    Registration,
    ScoAttempt,
    User,
)
from hub.schemas import RuleCreate
from hub.services import commits, enrollments
from tests.factories import (
    PASSWORD,
    make_api_key,
    make_course,
    make_enrollment,
    make_group,
    make_org,
    make_user,
)

# Routes that take no object id: they are checked for leaks in their listings instead.
NO_OBJECT_ROUTES = {
    "/",
    "/dashboard",
    "/login",
    "/logout",
    "/forgot-password",
    "/reset-password/<token>",
    "/launch/<token>",
    "/api/v1/registrations",
    "/healthz",
    "/readyz",
    "/static/<path:filename>",
    "/api/v1/openapi.json",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/import",
    "/admin/courses",
    "/admin/courses/new",
    "/admin/groups",
    "/admin/api-keys",
    "/api/v1/users",
    "/api/v1/users/bulk",
    "/api/v1/courses",
    "/api/v1/enrollments",
    "/api/v1/groups",
    "/api/v1/enrollment-rules",
    "/admin/packages",
    "/admin/packages/upload",
    "/api/v1/packages",
    "/lti/jwks.json",
    "/lti/login",
    "/lti/launch",
    "/lti/launch/check",
    "/lti/deep-link",
    "/lti/register",
    "/lti/session",
    "/admin/lti/platforms",
    "/admin/lti/scores",
    "/api/v1/lti/platforms",
}


@pytest.fixture
def tenants(session, settings):
    a, b = make_org(session, slug="org-a"), make_org(session, slug="org-b")
    make_user(
        session,
        a,
        settings=settings,
        email="admin@a.example",
        role=OrgRole.ADMIN,
        password=PASSWORD,
    )
    make_user(
        session,
        a,
        settings=settings,
        email="teacher@a.example",
        role=OrgRole.INSTRUCTOR,
        password=PASSWORD,
    )
    _, key_a = make_api_key(session, a)
    b_user = make_user(
        session,
        b,
        settings=settings,
        email="victim@b.example",
        attributes={"department": "Secret"},
    )
    b_course = make_course(session, b, code="B-SECRET", title="B secret course")
    b_enrollment = make_enrollment(session, b_user, b_course)
    b_group = make_group(session, b, name="B cohort")
    enrollments.add_group_member(
        session, org_id=b.id, group_id=b_group.id, user_id=b_user.id
    )
    b_rule = enrollments.create_rule(
        session,
        org_id=b.id,
        data=RuleCreate(course_id=b_course.id, attribute="department", value="Secret"),
    )
    b_key, _ = make_api_key(session, b)
    b_package = Package(
        org_id=b.id, title="B package", standard="scorm12", latest_version=1
    )
    session.add(b_package)
    session.flush()
    b_version = PackageVersion(
        org_id=b.id,
        package_id=b_package.id,
        version=1,
        standard="scorm12",
        title="B package",
        storage_key="v-b",
        sha256="0" * 64,
        launch_url="index.html",
    )
    b_job = ImportJob(
        id="b-job", org_id=b.id, package_id=b_package.id, filename="b.zip"
    )
    session.add_all([b_version, b_job])
    session.flush()
    b_registration = Registration(
        org_id=b.id,
        user_id=b_user.id,
        course_id=b_course.id,
        package_version_id=b_version.id,
    )
    session.add(b_registration)
    session.flush()
    b_attempt = ScoAttempt(
        org_id=b.id,
        registration_id=b_registration.id,
        activity_id="sco",
        number=1,
        version="1.2",
        state={},
    )
    session.add(b_attempt)
    b_platform_id, b_launch_id = _b_deep_linking_launch(session, b)
    b_delivery_id, b_context_id = _b_score_delivery(
        session, b, b_platform_id, b_user, b_course
    )
    session.commit()
    return {
        "key_a": key_a,
        "ids": {
            "user_id": b_user.id,
            "course_id": b_course.id,
            "enrollment_id": b_enrollment.id,
            "group_id": b_group.id,
            "rule_id": b_rule.id,
            "key_id": b_key.id,
            "package_id": b_package.id,
            "version_id": b_version.id,
            "job_id": b_job.id,
            "relpath": "index.html",
            "registration_id": b_registration.id,
            "attempt_id": b_attempt.id,
            "launch_id": b_launch_id,
            "platform_id": b_platform_id,
            "delivery_id": b_delivery_id,
            "context_id": b_context_id,
        },
        "b_id": b.id,
    }


def _b_deep_linking_launch(session, b):
    """A platform of B and a validated deep linking request of B's instructor."""
    from datetime import timedelta

    from hub.db import utcnow
    from hub.services import lti_platforms
    from hub.services.lti_stores import SqlLaunchDataStore
    from lti import _state, claims

    platform = lti_platforms.create_platform(
        session,
        org_id=b.id,
        data=lti_platforms.PlatformIn(
            name="B LMS",
            issuer="https://lms.b.example",
            client_id="b-client",
            auth_login_url="https://lms.b.example/auth",
            auth_token_url="https://lms.b.example/token",
            jwks_url="https://lms.b.example/jwks",
            deployment_ids=["b-deployment"],
        ),
    )
    body = {
        "iss": "https://lms.b.example",
        "sub": "b-teacher",
        claims.DEPLOYMENT_ID: "b-deployment",
        claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_DEEP_LINKING,
        claims.TARGET_LINK_URI: "https://hub.example/lti/deep-link",
        claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.DL_SETTINGS: {
            "deep_link_return_url": "https://lms.b.example/return",
            "accept_types": [claims.DL_CONTENT_TYPE_RESOURCE_LINK],
        },
    }
    SqlLaunchDataStore(session).put(
        _state.launch_key("b-launch"),
        {"client_id": "b-client", "claims": body},
        utcnow() + timedelta(hours=1),
    )
    return platform.id, "b-launch"


def _b_score_delivery(session, b, platform_id, user, course):
    """A context of B with a roster URL, and a failed grade delivery of its link."""
    from hub.db import utcnow
    from hub.models import DeliveryState, LtiContext, LtiResourceLink, LtiScoreOutbox

    context = LtiContext(
        org_id=b.id,
        platform_id=platform_id,
        context_id="b-ctx",
        course_id=course.id,
        nrps_url="https://lms.b.example/memberships",
    )
    session.add(context)
    session.flush()
    link = LtiResourceLink(
        context_pk=context.id,
        org_id=b.id,
        platform_id=platform_id,
        resource_link_id="b-rl",
        course_id=course.id,
    )
    session.add(link)
    session.flush()
    row = LtiScoreOutbox(
        org_id=b.id,
        platform_id=platform_id,
        resource_link_pk=link.id,
        user_id=user.id,
        subject="b-sub",
        activity_progress="Completed",
        grading_progress="FullyGraded",
        score_timestamp=utcnow(),
        state=DeliveryState.FAILED,
        last_error="b secret error",
    )
    session.add(row)
    session.flush()
    return row.id, context.id


def _snapshot(session, org_id):
    session.expire_all()
    rows = []
    for model in (
        User,
        Course,
        Enrollment,
        Group,
        EnrollmentRule,
        ApiKey,
        Package,
        PackageVersion,
        ImportJob,
        Registration,
        ScoAttempt,
        Platform,
        LtiScoreOutbox,
    ):
        for obj in session.scalars(select(model).where(model.org_id == org_id)):
            rows.append(
                {
                    c.key: getattr(obj, c.key)
                    for c in model.__mapper__.column_attrs
                    if c.key not in ("updated_at", "last_used_at")
                }
            )
    rows.append(
        sorted((m.group_id, m.user_id) for m in session.scalars(select(GroupMember)))
    )
    return rows


def _object_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule in NO_OBJECT_ROUTES:
            continue
        assert rule.arguments, (
            f"{rule.rule}: add it to NO_OBJECT_ROUTES or give it an id"
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, ids):
    unknown = set(rule.arguments) - set(ids)
    assert not unknown, f"{rule.rule}: teach this test the parameter(s) {unknown}"
    url = rule.rule
    for name in rule.arguments:
        for form in (f"<int:{name}>", f"<path:{name}>", f"<{name}>"):
            url = url.replace(form, str(ids[name]))
    return url


HOSTILE_FORM = {
    "email": "pwned@a.example",
    "title": "pwned",
    "code": "PWN",
    "name": "pwned",
    "user_id": "1",
    "group_id": "1",
    "status": "inactive",
    "role": "admin",
    "attribute": "department",
    "operator": "equals",
    "value": "Secret",
}


def _hostile_commit(app, session, attempt_id):
    admin_id = session.scalar(select(User.id).where(User.email == "admin@a.example"))
    key = commits.commit_key(app.config["SECRET_KEY"], attempt_id, admin_id)
    return {"key": key, "seq": 1, "changes": [["cmi.core.lesson_location", "pwned"]]}


def test_routes_with_ids_of_another_org_answer_404_or_403(
    app, web, api, session, tenants
):
    before = _snapshot(session, tenants["b_id"])
    assert web.login("admin@a.example", PASSWORD, "org-a").status_code == 302
    key = {"Authorization": f"Bearer {tenants['key_a']}"}
    checked = 0
    for rule, method in _object_routes(app):
        url = _url(rule, tenants["ids"])
        if rule.rule.startswith("/api/"):
            response = api.open(url, method=method, headers=key, json=HOSTILE_FORM)
        elif method == "GET":
            response = web.get(url)
        elif rule.endpoint == "player.commit":
            # A JSON body with a commit key that A's admin could mint for the id.
            response = web.client.post(
                url,
                json=_hostile_commit(app, session, tenants["ids"]["attempt_id"]),
            )
        else:
            response = web.post(url, HOSTILE_FORM) if method == "POST" else None
        assert response.status_code in (403, 404), (method, url, response.status_code)
        checked += 1
    assert checked >= 20
    assert _snapshot(session, tenants["b_id"]) == before


def test_ids_of_another_org_in_request_bodies_are_404(web, api, session, tenants):
    """Routes whose own id is A's, but whose body names B's objects."""
    ids = tenants["ids"]
    key = {"Authorization": f"Bearer {tenants['key_a']}"}
    a_org = session.scalar(select(User).where(User.email == "admin@a.example")).org_id
    org_a = session.get(Organization, a_org)
    a_course = make_course(session, org_a)
    a_group = make_group(session, org_a)
    session.commit()
    before = _snapshot(session, tenants["b_id"])
    cases = [
        ("/api/v1/enrollments", {"user_id": ids["user_id"], "course_id": a_course.id}),
        ("/api/v1/enrollments", {"user_id": 1, "course_id": ids["course_id"]}),
        (f"/api/v1/groups/{a_group.id}/members", {"user_id": ids["user_id"]}),
        (f"/api/v1/groups/{a_group.id}/courses", {"course_id": ids["course_id"]}),
        (
            "/api/v1/courses",
            {"code": "STEAL", "title": "x", "package_id": ids["package_id"]},
        ),
        (
            "/api/v1/enrollment-rules",
            {
                "course_id": ids["course_id"],
                "attribute": "department",
                "value": "Secret",
            },
        ),
    ]
    for url, payload in cases:
        response = api.post(url, headers=key, json=payload)
        assert response.status_code == 404, (url, response.json)
    assert web.login("admin@a.example", PASSWORD, "org-a").status_code == 302
    for url, form in [
        (f"/admin/courses/{a_course.id}/enrollments", {"user_id": str(ids["user_id"])}),
        (f"/admin/courses/{a_course.id}/groups", {"group_id": str(ids["group_id"])}),
        (f"/admin/groups/{a_group.id}/members", {"user_id": str(ids["user_id"])}),
    ]:
        page = web.post(url, form, follow_redirects=True).get_data(as_text=True)
        assert "flash-error" in page and "no " in page, url
    assert _snapshot(session, tenants["b_id"]) == before
    assert (
        session.scalars(
            select(Enrollment).where(Enrollment.course_id == a_course.id)
        ).all()
        == []
    )


def test_listings_never_show_another_orgs_objects(web, api, session, tenants):
    key = {"Authorization": f"Bearer {tenants['key_a']}"}
    for url in (
        "/api/v1/users",
        "/api/v1/courses",
        "/api/v1/enrollments",
        "/api/v1/groups",
        "/api/v1/enrollment-rules",
        "/api/v1/users?q=victim",
        "/api/v1/lti/platforms",
        "/api/v1/courses?archived=1",
    ):
        body = api.get(url, headers=key).get_data(as_text=True)
        assert "victim@b.example" not in body and "B-SECRET" not in body, url
        assert "B cohort" not in body and "B LMS" not in body, url
    assert web.login("admin@a.example", PASSWORD, "org-a").status_code == 302
    for url in (
        "/dashboard",
        "/admin/users",
        "/admin/users?q=victim",
        "/admin/courses",
        "/admin/courses?archived=1",
        "/admin/groups",
        "/admin/api-keys",
        "/admin/lti/platforms",
        "/admin/lti/scores",
    ):
        page = web.get(url).get_data(as_text=True)
        assert "victim@b.example" not in page and "B-SECRET" not in page, url
        assert "B cohort" not in page, url
        assert "B LMS" not in page and "b secret error" not in page, url


def test_instructor_sees_only_courses_they_teach(web, session, tenants, settings):
    teacher = session.scalar(select(User).where(User.email == "teacher@a.example"))
    org_a = session.get(Organization, teacher.org_id)
    taught, other = (
        make_course(session, org_a, title="Taught"),
        make_course(session, org_a, title="Other"),
    )
    make_enrollment(session, teacher, taught, role=CourseRole.INSTRUCTOR)
    session.commit()
    assert web.login("teacher@a.example", PASSWORD, "org-a").status_code == 302
    page = web.get("/dashboard").get_data(as_text=True)
    assert "Taught" in page and ">Other<" not in page
    assert web.get(f"/teaching/courses/{taught.id}").status_code == 200
    assert web.get(f"/teaching/courses/{other.id}").status_code == 403
    assert (
        web.get(f"/teaching/courses/{tenants['ids']['course_id']}").status_code == 404
    )


def test_upload_as_new_version_of_another_orgs_package_is_404(
    web, api, session, tenants
):
    import io

    key = {"Authorization": f"Bearer {tenants['key_a']}"}
    package_id = str(tenants["ids"]["package_id"])
    response = api.post(
        "/api/v1/packages",
        headers=key,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"PK"), "x.zip"), "package_id": package_id},
    )
    assert response.status_code == 404
    assert web.login("admin@a.example", PASSWORD, "org-a").status_code == 302
    response = web.post(
        "/admin/packages/upload",
        {"file": (io.BytesIO(b"PK"), "x.zip"), "package_id": package_id},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert (
        session.scalars(
            select(ImportJob).where(ImportJob.org_id != tenants["b_id"])
        ).all()
        == []
    )
