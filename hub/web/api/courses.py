"""``/api/v1/courses``."""

from __future__ import annotations

from flask import request

from hub.extensions import db
from hub.schemas import CourseCreate, CourseUpdate
from hub.services import courses
from hub.web.api import PAGE_PARAMS, actor, body, one, operation, page_args, paged
from hub.web.api.openapi import Param
from hub.web.api.schemas import CourseOut

TAG = "courses"


@operation(
    "/courses",
    "GET",
    summary="List courses",
    tag=TAG,
    response=CourseOut,
    many=True,
    query=(
        *PAGE_PARAMS,
        Param("q", "Search titles and codes"),
        Param("archived", "1 to include archived courses"),
    ),
)
def list_courses():
    page = courses.list_courses(
        db.session,
        org_id=actor().org_id,
        query=request.args.get("q"),
        include_archived=request.args.get("archived") == "1",
        **page_args(),
    )
    return paged(page, CourseOut)


@operation(
    "/courses",
    "POST",
    summary="Create a course",
    tag=TAG,
    body=CourseCreate,
    response=CourseOut,
    status=201,
)
def create_course():
    course = courses.create_course(
        db.session, org_id=actor().org_id, data=body(CourseCreate)
    )
    return one(course, CourseOut, 201)


@operation(
    "/courses/<int:course_id>",
    "GET",
    summary="Get a course",
    tag=TAG,
    response=CourseOut,
)
def get_course(course_id: int):
    return one(
        courses.get_course(db.session, org_id=actor().org_id, course_id=course_id),
        CourseOut,
    )


@operation(
    "/courses/<int:course_id>",
    "PATCH",
    summary="Update a course",
    tag=TAG,
    body=CourseUpdate,
    response=CourseOut,
)
def update_course(course_id: int):
    course = courses.update_course(
        db.session, org_id=actor().org_id, course_id=course_id, data=body(CourseUpdate)
    )
    return one(course, CourseOut)


@operation(
    "/courses/<int:course_id>",
    "DELETE",
    summary="Archive a course (data is kept)",
    tag=TAG,
    response=CourseOut,
)
def archive_course(course_id: int):
    return one(
        courses.archive_course(db.session, org_id=actor().org_id, course_id=course_id),
        CourseOut,
    )
