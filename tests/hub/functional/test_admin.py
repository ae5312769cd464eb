"""Admin pages: users, CSV import, courses, enrollments, groups, rules, API keys."""

import io
import re

import pytest
from sqlalchemy import select

from hub.models import (
    ApiKey,
    Course,
    Enrollment,
    EnrollmentSource,
    Group,
    OrgRole,
    User,
)
from tests.factories import make_course, make_group, make_user


def _user(session, email):
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def test_admin_creates_user_with_attributes(admin_web, session):
    response = admin_web.post(
        "/admin/users/new",
        {
            "email": "New.Person@Example.com",
            "given_name": "New",
            "family_name": "Person",
            "role": "instructor",
            "attributes": "department=Sales\nlocation = Berlin",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = _user(session, "new.person@example.com")
    assert user.role is OrgRole.INSTRUCTOR
    assert user.attributes == {"department": "Sales", "location": "Berlin"}
    assert user.password_hash is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "a@example.com", "role": "superuser"}, "role", "admin"),
        ({"email": "a@example.com", "password": "short"}, "password", "at least 10"),
        (
            {"email": "a@example.com", "attributes": "no equals sign"},
            "attributes",
            "key=value",
        ),
        (
            {"email": "a@example.com", "attributes": "Bad Key=x"},
            "attributes",
            "must start with a letter",
        ),
    ],
)
def test_admin_user_form_rejects_bad_input_with_field_errors(
    admin_web, session, form, field, message
):
    response = admin_web.post("/admin/users/new", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _user(session, "a@example.com") is None


def test_admin_user_form_rejects_duplicate_email(admin_web):
    response = admin_web.post("/admin/users/new", {"email": "ADMIN@example.com"})
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_admin_edits_user_and_deactivates(admin_web, session, org, settings):
    user = make_user(session, org, settings=settings, email="bob@example.com")
    session.commit()
    response = admin_web.post(
        f"/admin/users/{user.id}",
        {
            "email": "bob@example.com",
            "given_name": "Robert",
            "role": "learner",
            "attributes": "department=HR",
        },
    )
    assert response.status_code == 302
    user = _user(session, "bob@example.com")
    assert user.given_name == "Robert"
    assert user.is_active is False  # the checkbox was not sent
    assert user.attributes == {"department": "HR"}


def test_admin_user_list_searches_and_filters(admin_web, session, org, settings):
    make_user(
        session, org, settings=settings, email="zed@example.com", given_name="Zed"
    )
    session.commit()
    page = admin_web.get("/admin/users?q=zed").get_data(as_text=True)
    assert ">zed@example.com</a>" in page and ">admin@example.com</a>" not in page
    page = admin_web.get("/admin/users?role=admin").get_data(as_text=True)
    assert ">admin@example.com</a>" in page and ">zed@example.com</a>" not in page


CSV_GOOD = (
    "email,given_name,family_name,role,external_id,department,groups\n"
    "ann@example.com,Ann,Able,learner,E1,Sales,Cohort A;Cohort B\n"
    "ben@example.com,Ben,Baker,instructor,E2,Training,\n"
)


def _upload(web, content: str | bytes, partial=False):
    data = {
        "file": (
            io.BytesIO(content.encode() if isinstance(content, str) else content),
            "users.csv",
        )
    }
    if partial:
        data["partial"] = "on"
    return web.post("/admin/users/import", data, content_type="multipart/form-data")


def test_csv_import_creates_users_groups_and_attributes(admin_web, session):
    response = _upload(admin_web, CSV_GOOD)
    assert response.status_code == 200
    assert "2 created" in response.get_data(as_text=True)
    ann = _user(session, "ann@example.com")
    assert ann.attributes == {"department": "Sales"} and ann.external_id == "E1"
    assert {g.name for g in session.scalars(select(Group))} == {"Cohort A", "Cohort B"}


def test_csv_import_updates_existing_users_by_external_id(admin_web, session):
    _upload(admin_web, CSV_GOOD)
    response = _upload(
        admin_web, "email,external_id,given_name\nann.new@example.com,E1,Anna\n"
    )
    assert "1 updated" in response.get_data(as_text=True)
    assert _user(session, "ann.new@example.com").given_name == "Anna"


def test_csv_import_is_all_or_nothing_with_row_errors(admin_web, session):
    content = (
        "email,role\n"
        "good@example.com,learner\n"
        "bad-email,learner\n"
        "other@example.com,wizard\n"
        "good@example.com,learner\n"
    )
    response = _upload(admin_web, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert '<td data-label="Row">3</td>' in page  # bad email on line 3
    assert "also appears on row 2" in page
    assert _user(session, "good@example.com") is None


def test_csv_import_partial_imports_good_rows(admin_web, session):
    content = "email,role\ngood@example.com,learner\nbad-email,learner\n"
    response = _upload(admin_web, content, partial=True)
    assert response.status_code == 200
    assert "1 created" in response.get_data(as_text=True)
    assert _user(session, "good@example.com") is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("name,role\nx,y\n", "no &#39;email&#39; column"),
        (b"email\n\xff\xfe@example.com\n", "not UTF-8"),
        ("email,email\na@example.com,b@example.com\n", "duplicate columns"),
        ("email,password\na@example.com,secret\n", "passwords never travel"),
        ("email,role\na@example.com,learner,extra\n", "3 cells for 2 columns"),
    ],
)
def test_csv_import_reports_malformed_files(admin_web, content, message):
    response = _upload(admin_web, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_csv_import_without_file_asks_for_one(admin_web):
    response = admin_web.post(
        "/admin/users/import", {}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "choose a CSV file" in response.get_data(as_text=True)


def test_admin_creates_course_and_rejects_duplicate_code(admin_web, session):
    response = admin_web.post(
        "/admin/courses/new",
        {"code": "SAFE-1", "title": "Safety", "is_published": "on"},
    )
    assert response.status_code == 302
    response = admin_web.post(
        "/admin/courses/new", {"code": "safe-1", "title": "Again"}
    )
    assert response.status_code == 409
    response = admin_web.post("/admin/courses/new", {"code": "has space", "title": "X"})
    assert response.status_code == 422
    assert (
        session.scalar(select(Course).where(Course.code == "SAFE-1")).title == "Safety"
    )


def test_admin_enrolls_user_and_deactivates_enrollment(
    admin_web, session, org, settings
):
    user = make_user(session, org, settings=settings)
    course = make_course(session, org)
    session.commit()
    response = admin_web.post(
        f"/admin/courses/{course.id}/enrollments",
        {"user_id": str(user.id), "role": "learner"},
    )
    assert response.status_code == 302
    enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == user.id))
    assert enrollment.course_id == course.id
    admin_web.post(f"/admin/enrollments/{enrollment.id}", {"status": "inactive"})
    session.expire_all()
    assert session.get(Enrollment, enrollment.id).status.value == "inactive"
    detail = admin_web.get(f"/admin/courses/{course.id}").get_data(as_text=True)
    assert user.email in detail


@pytest.mark.parametrize("user_id", ["", "abc", "-1", "999999"])
def test_admin_enroll_with_bad_user_id_flashes_error(admin_web, session, org, user_id):
    course = make_course(session, org)
    session.commit()
    response = admin_web.post(
        f"/admin/courses/{course.id}/enrollments",
        {"user_id": user_id, "role": "learner"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert session.scalars(select(Enrollment)).all() == []


def test_group_enrollment_covers_current_and_future_members(
    admin_web, session, org, settings
):
    first = make_user(session, org, settings=settings)
    later = make_user(session, org, settings=settings)
    course = make_course(session, org)
    session.commit()
    admin_web.post("/admin/groups", {"name": "Cohort 1"})
    group = session.scalar(select(Group).where(Group.name == "Cohort 1"))
    admin_web.post(f"/admin/groups/{group.id}/members", {"user_id": str(first.id)})
    admin_web.post(f"/admin/courses/{course.id}/groups", {"group_id": str(group.id)})
    admin_web.post(f"/admin/groups/{group.id}/members", {"user_id": str(later.id)})
    enrolled = {e.user_id: e for e in session.scalars(select(Enrollment))}
    assert set(enrolled) == {first.id, later.id}
    assert enrolled[later.id].source is EnrollmentSource.GROUP
    # Removing a member keeps the enrollment and its progress.
    admin_web.post(f"/admin/groups/{group.id}/members/{later.id}/remove")
    assert session.scalar(select(Enrollment).where(Enrollment.user_id == later.id))


def test_rule_enrolls_existing_and_new_matching_users(
    admin_web, session, org, settings
):
    sales = make_user(
        session, org, settings=settings, attributes={"department": "Sales"}
    )
    make_user(session, org, settings=settings, attributes={"department": "HR"})
    course = make_course(session, org)
    session.commit()
    response = admin_web.post(
        f"/admin/courses/{course.id}/rules",
        {"attribute": "department", "operator": "equals", "value": "sales"},
    )
    assert response.status_code == 302
    enrolled = {e.user_id for e in session.scalars(select(Enrollment))}
    assert enrolled == {sales.id}
    admin_web.post(
        "/admin/users/new",
        {
            "email": "newsales@example.com",
            "attributes": "department=SALES",
            "is_active": "on",
        },
    )
    new = _user(session, "newsales@example.com")
    assert (
        session.scalar(select(Enrollment).where(Enrollment.user_id == new.id)).source
        is EnrollmentSource.RULE
    )


def test_rule_with_bad_operator_is_refused(admin_web, session, org):
    course = make_course(session, org)
    session.commit()
    response = admin_web.post(
        f"/admin/courses/{course.id}/rules",
        {"attribute": "department", "operator": "regex", "value": ".*"},
        follow_redirects=True,
    )
    assert "flash-error" in response.get_data(as_text=True)


def test_admin_creates_api_key_shown_once_and_revokes_it(admin_web, session):
    response = admin_web.post("/admin/api-keys", {"name": "HR sync"})
    page = response.get_data(as_text=True)
    assert "hubk_" in page and "not shown again" in page
    key = session.scalar(select(ApiKey))
    assert key.key_hash not in page
    listing = admin_web.get("/admin/api-keys").get_data(as_text=True)
    # hubk_<prefix>_<secret>: the secret itself may contain "_" (URL-safe base64).
    secret_tail = page.split('id="new-key">')[1].split("<")[0].split("_", 2)[2]
    assert secret_tail not in listing
    admin_web.post(f"/admin/api-keys/{key.id}/revoke")
    session.expire_all()
    assert session.get(ApiKey, key.id).revoked_at is not None


def test_archiving_a_course_keeps_enrollments(admin_web, session, org, settings):
    user = make_user(session, org, settings=settings)
    course = make_course(session, org)
    group = make_group(session, org)
    session.commit()
    admin_web.post(f"/admin/courses/{course.id}/enrollments", {"user_id": str(user.id)})
    admin_web.post(f"/admin/courses/{course.id}/archive")
    session.expire_all()
    assert session.get(Course, course.id).is_archived
    assert session.scalar(select(Enrollment).where(Enrollment.course_id == course.id))
    listing = admin_web.get("/admin/courses").get_data(as_text=True)
    assert f'<td data-label="Code">{course.code}</td>' not in listing
    assert group.id


def test_course_delivery_settings_round_trip(admin_web, session):
    response = admin_web.post(
        "/admin/courses/new",
        {
            "code": "SET-1",
            "title": "Settings",
            "max_attempts": "3",
            "grading_method": "average",
            "launch_new_window": "on",
            "review_when_finished": "on",
            "rt_strict": "",
            "rt_scores_as_points_12": "on",
            "rt_suspend_data_limit_12": "128000",
            "rt_autocommit_seconds": "30",
            "rt_missing_finish": "finish",
        },
    )
    assert response.status_code == 302
    course = session.scalar(select(Course).where(Course.code == "SET-1"))
    assert course.max_attempts == 3 and course.grading_method == "average"
    assert course.launch_new_window is True and course.review_when_finished is True
    assert course.runtime_settings == {
        "scores_as_points_12": True,
        "suspend_data_limit_12": 128000,
        "autocommit_seconds": 30,
        "missing_finish": "finish",
    }
    page = admin_web.get(f"/admin/courses/{course.id}").get_data(as_text=True)
    assert 'value="128000"' in page
    assert 'name="rt_scores_as_points_12" checked' in page.replace("\n", " ")
    admin_web.post(
        f"/admin/courses/{course.id}",
        {
            "code": "SET-1",
            "title": "Settings",
            "max_attempts": "",
            "rt_strict": "on",
            "grading_method": "last",
        },
    )
    session.expire_all()
    course = session.get(Course, course.id)
    assert course.max_attempts is None and course.grading_method == "last"
    assert course.review_when_finished is False  # an unticked box
    assert course.runtime_settings["strict"] is True


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("max_attempts", "0", "max_attempts"),
        ("max_attempts", "many", "max_attempts"),
        ("grading_method", "median", "grading_method"),
        ("rt_suspend_data_limit_12", "10", "rt_suspend_data_limit_12"),
        ("rt_missing_finish", "explode", "rt_missing_finish"),
    ],
)
def test_course_settings_are_validated(admin_web, session, field, value, error_field):
    response = admin_web.post(
        "/admin/courses/new", {"code": "BAD", "title": "Bad", field: value}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'has-error">\s*<label for="f-{error_field}"', page), page
    assert session.scalar(select(Course).where(Course.code == "BAD")) is None
