"""``/api/v1/registrations``: a learner on a course, launch links, results, grades."""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from hub.extensions import db
from hub.services import courses, registrations, reports
from hub.web.api import (
    COURSE_USER_PARAMS,
    actor,
    body,
    int_arg,
    one,
    operation,
    page_args,
    paged,
)
from hub.web.api.openapi import Param
from hub.web.api.schemas import (
    ExtraAttemptsIn,
    GradeOut,
    LaunchLinkIn,
    LaunchLinkOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationReportOut,
)

TAG = "registrations"


@operation(
    "/registrations",
    "POST",
    summary="Register a learner on a course",
    tag=TAG,
    body=RegistrationIn,
    response=RegistrationOut,
    status=201,
)
def create_registration():
    data = body(RegistrationIn)
    org_id = actor().org_id
    courses.get_course(db.session, org_id=org_id, course_id=data.course_id)
    learner = registrations.find_or_create_learner(
        db.session,
        org_id=org_id,
        user_id=data.learner_id,
        learner=data.learner,
        settings=current_app.config["HUB_SETTINGS"],
    )
    registration, created = registrations.register_learner(
        db.session, org_id=org_id, user_id=learner.id, course_id=data.course_id
    )
    return one(registration, RegistrationOut, 201 if created else 200)


@operation(
    "/registrations",
    "GET",
    summary="List registrations",
    tag=TAG,
    response=RegistrationOut,
    many=True,
    query=COURSE_USER_PARAMS,
)
def list_registrations():
    page = registrations.list_registrations(
        db.session,
        org_id=actor().org_id,
        course_id=int_arg("course_id"),
        user_id=int_arg("user_id"),
        **page_args(),
    )
    return paged(page, RegistrationOut)


@operation(
    "/registrations/<int:registration_id>",
    "GET",
    summary="Results: completion, success, score, time, attempts, per activity",
    tag=TAG,
    response=RegistrationReportOut,
)
def get_registration(registration_id: int):
    registration = registrations.get_registration(
        db.session, actor=actor(), registration_id=registration_id
    )
    return one(
        reports.registration_report(db.session, registration=registration),
        RegistrationReportOut,
    )


@operation(
    "/registrations/<int:registration_id>/launch-link",
    "POST",
    summary="A one-time, short-lived URL that signs the learner in and opens the "
    "player",
    tag=TAG,
    body=LaunchLinkIn,
    response=LaunchLinkOut,
    status=201,
)
def create_launch_link(registration_id: int):
    registration = registrations.get_registration(
        db.session, actor=actor(), registration_id=registration_id
    )
    data = body(LaunchLinkIn) if request.content_length else LaunchLinkIn()
    link = registrations.create_launch_link(
        db.session,
        registration=registration,
        seconds=data.expires_in,
        activity_id=data.activity,
        new_attempt=data.new_attempt,
    )
    url = url_for("player.launch_link", token=link.token, _external=True)
    return one({"url": url, "expires_at": link.expires_at}, LaunchLinkOut, 201)


@operation(
    "/registrations/<int:registration_id>/extra-attempts",
    "POST",
    summary="Allow the learner more attempts on each SCO than the course does",
    tag=TAG,
    body=ExtraAttemptsIn,
    response=RegistrationOut,
)
def grant_attempts(registration_id: int):
    registration = registrations.grant_attempts(
        db.session,
        actor=actor(),
        registration_id=registration_id,
        count=body(ExtraAttemptsIn).count,
    )
    return one(registration, RegistrationOut)


@operation(
    "/courses/<int:course_id>/grades",
    "GET",
    summary="Every registration's grade (add ?format=csv for a spreadsheet)",
    tag=TAG,
    response=GradeOut,
    many=True,
    query=(Param("format", "json (default) or csv", {"enum": ["json", "csv"]}),),
)
def course_grades(course_id: int):
    rows = registrations.course_grades(
        db.session, org_id=actor().org_id, course_id=course_id
    )
    if request.args.get("format") == "csv":
        return grades_response(rows, course_id)
    return {
        "data": [GradeOut.model_validate(r).model_dump(mode="json") for r in rows],
        "next_cursor": None,
    }


def grades_response(rows: list[dict], course_id: int) -> Response:
    """The grades as a CSV download."""
    return Response(
        registrations.grades_csv(rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="course-{course_id}-grades.csv"'
        },
    )
