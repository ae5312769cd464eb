"""``/api/v1/enrollments`` and ``/api/v1/enrollment-rules``."""

from __future__ import annotations

from hub.extensions import db
from hub.models import EnrollmentSource, EnrollmentStatus
from hub.schemas import EnrollmentCreate, EnrollmentUpdate, RuleCreate
from hub.services import enrollments
from hub.services.pagination import Page
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
from hub.web.api.schemas import EnrollmentOut, RuleOut

TAG = "enrollments"


@operation(
    "/enrollments",
    "GET",
    summary="List enrollments",
    tag=TAG,
    response=EnrollmentOut,
    many=True,
    query=COURSE_USER_PARAMS,
)
def list_enrollments():
    page = enrollments.list_enrollments(
        db.session,
        org_id=actor().org_id,
        course_id=int_arg("course_id"),
        user_id=int_arg("user_id"),
        **page_args(),
    )
    return paged(page, EnrollmentOut)


@operation(
    "/enrollments",
    "POST",
    summary="Enroll a user (idempotent)",
    tag=TAG,
    body=EnrollmentCreate,
    response=EnrollmentOut,
    status=201,
)
def create_enrollment():
    data = body(EnrollmentCreate)
    enrollment, created = enrollments.enroll(
        db.session,
        org_id=actor().org_id,
        user_id=data.user_id,
        course_id=data.course_id,
        role=data.role,
        source=EnrollmentSource.API,
    )
    return one(enrollment, EnrollmentOut, 201 if created else 200)


@operation(
    "/enrollments/<int:enrollment_id>",
    "GET",
    summary="Get an enrollment",
    tag=TAG,
    response=EnrollmentOut,
)
def get_enrollment(enrollment_id: int):
    return one(
        enrollments.get_enrollment(
            db.session, org_id=actor().org_id, enrollment_id=enrollment_id
        ),
        EnrollmentOut,
    )


@operation(
    "/enrollments/<int:enrollment_id>",
    "PATCH",
    summary="Change role or status",
    tag=TAG,
    body=EnrollmentUpdate,
    response=EnrollmentOut,
)
def update_enrollment(enrollment_id: int):
    enrollment = enrollments.update_enrollment(
        db.session,
        org_id=actor().org_id,
        enrollment_id=enrollment_id,
        data=body(EnrollmentUpdate),
    )
    return one(enrollment, EnrollmentOut)


@operation(
    "/enrollments/<int:enrollment_id>",
    "DELETE",
    summary="Deactivate an enrollment (progress is kept)",
    tag=TAG,
    response=EnrollmentOut,
)
def deactivate_enrollment(enrollment_id: int):
    enrollment = enrollments.update_enrollment(
        db.session,
        org_id=actor().org_id,
        enrollment_id=enrollment_id,
        data=EnrollmentUpdate(status=EnrollmentStatus.INACTIVE),
    )
    return one(enrollment, EnrollmentOut)


RULES = "enrollment rules"


@operation(
    "/enrollment-rules",
    "GET",
    summary="List enrollment rules",
    tag=RULES,
    response=RuleOut,
    many=True,
)
def list_rules():
    return paged(
        Page(enrollments.list_rules(db.session, org_id=actor().org_id), None), RuleOut
    )


@operation(
    "/enrollment-rules",
    "POST",
    summary="Create a rule and apply it to every user",
    tag=RULES,
    body=RuleCreate,
    response=RuleOut,
    status=201,
)
def create_rule():
    rule = enrollments.create_rule(
        db.session, org_id=actor().org_id, data=body(RuleCreate)
    )
    return one(rule, RuleOut, 201)


@operation(
    "/enrollment-rules/<int:rule_id>",
    "GET",
    summary="Get a rule",
    tag=RULES,
    response=RuleOut,
)
def get_rule(rule_id: int):
    return one(
        enrollments.get_rule(db.session, org_id=actor().org_id, rule_id=rule_id),
        RuleOut,
    )


@operation(
    "/enrollment-rules/<int:rule_id>",
    "DELETE",
    summary="Turn a rule off (its enrollments stay)",
    tag=RULES,
    response=RuleOut,
)
def deactivate_rule(rule_id: int):
    return one(
        enrollments.deactivate_rule(db.session, org_id=actor().org_id, rule_id=rule_id),
        RuleOut,
    )
