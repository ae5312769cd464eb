"""Admin pages: courses and their enrollments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from hub.extensions import db
from hub.models import CourseRole, RuleOperator
from hub.schemas import (
    CourseCreate,
    CourseUpdate,
    EnrollmentCreate,
    EnrollmentUpdate,
    RuleCreate,
)
from hub.services import accounts, courses, enrollments, registrations
from hub.web.admin import bp
from hub.web.api.registrations import grades_response
from hub.web.forms import FormState
from hub.web.security import admin_required, current_actor

CHECKBOXES = ("is_published", "launch_new_window", "review_when_finished")


def _settings_fields(form: FormState) -> dict:
    """The attempt limit and runtime settings, from their flat form fields."""
    limit = str(form.get("max_attempts")).strip()
    runtime = {
        "strict": form.get("rt_strict") == "on",
        "scores_as_points_12": form.get("rt_scores_as_points_12") == "on",
        "missing_finish": form.get("rt_missing_finish") or "suspend",
        "suspend_data_limit_12": form.get("rt_suspend_data_limit_12") or 64000,
        "autocommit_seconds": form.get("rt_autocommit_seconds") or 60,
    }
    return {"max_attempts": limit or None, "runtime_settings": runtime}


def _course_values(course) -> dict:
    settings = course.runtime_settings or {}
    return {
        "code": course.code,
        "title": course.title,
        "description": course.description,
        "is_published": "on" if course.is_published else "",
        "launch_new_window": "on" if course.launch_new_window else "",
        "review_when_finished": "on" if course.review_when_finished else "",
        "max_attempts": course.max_attempts or "",
        "grading_method": course.grading_method,
        "rt_strict": "on" if settings.get("strict") else "",
        "rt_scores_as_points_12": "on" if settings.get("scores_as_points_12") else "",
        "rt_missing_finish": settings.get("missing_finish", "suspend"),
        "rt_suspend_data_limit_12": settings.get("suspend_data_limit_12", 64000),
        "rt_autocommit_seconds": settings.get("autocommit_seconds", 60),
    }


@bp.get("/courses")
@admin_required
def courses_list():
    page = courses.list_courses(
        db.session,
        org_id=current_actor().org_id,
        cursor=request.args.get("cursor"),
        query=request.args.get("q"),
        include_archived=request.args.get("archived") == "1",
    )
    return render_template("admin/courses.html", page=page)


@bp.route("/courses/new", methods=["GET", "POST"])
@admin_required
def course_new():
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            data = form.parse(
                CourseCreate, checkboxes=CHECKBOXES, **_settings_fields(form)
            )
            course = courses.create_course(
                db.session, org_id=current_actor().org_id, data=data
            )
            flash(f"Course {course.code} created.", "success")
            return redirect(url_for("admin.course_detail", course_id=course.id))
    else:
        form.values.update(
            is_published="on",
            grading_method="highest",
            rt_missing_finish="suspend",
            rt_suspend_data_limit_12=64000,
            rt_autocommit_seconds=60,
        )
    return render_template(
        "admin/course_form.html", form=form, course=None
    ), form.status


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
@admin_required
def course_detail(course_id: int):
    org_id = current_actor().org_id
    course = courses.get_course(db.session, org_id=org_id, course_id=course_id)
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            data = form.parse(
                CourseUpdate, checkboxes=CHECKBOXES, **_settings_fields(form)
            )
            courses.update_course(
                db.session, org_id=org_id, course_id=course.id, data=data
            )
            flash("Changes saved.", "success")
            return redirect(url_for("admin.course_detail", course_id=course.id))
    else:
        form.values = _course_values(course)
    page = enrollments.list_enrollments(
        db.session, org_id=org_id, course_id=course.id, limit=500
    )
    return render_template(
        "admin/course_form.html",
        form=form,
        course=course,
        enrollments=page.items,
        users=accounts.list_users(db.session, org_id=org_id, limit=500).items,
        groups=enrollments.list_groups(db.session, org_id=org_id),
        rules=[
            r
            for r in enrollments.list_rules(db.session, org_id=org_id)
            if r.course_id == course.id
        ],
        roles=list(CourseRole),
        operators=list(RuleOperator),
    ), form.status


@bp.post("/courses/<int:course_id>/archive")
@admin_required
def course_archive(course_id: int):
    course = courses.archive_course(
        db.session, org_id=current_actor().org_id, course_id=course_id
    )
    flash(f"Course {course.code} archived; its data is kept.", "info")
    return redirect(url_for("admin.courses_list"))


@bp.post("/courses/<int:course_id>/enrollments")
@admin_required
def course_enroll(course_id: int):
    # The course in the URL must be this organization's (404 otherwise); problems
    # with the submitted fields come back as a message on the course page.
    courses.get_course(db.session, org_id=current_actor().org_id, course_id=course_id)
    form = FormState.from_request(request.form)
    with form.handling():
        data = form.parse(EnrollmentCreate, course_id=course_id)
        _, created = enrollments.enroll(
            db.session,
            org_id=current_actor().org_id,
            user_id=data.user_id,
            course_id=course_id,
            role=data.role,
        )
        flash("Enrolled." if created else "Already enrolled.", "success")
    if form.message:
        flash(form.message, "error")
    return redirect(url_for("admin.course_detail", course_id=course_id))


@bp.post("/courses/<int:course_id>/groups")
@admin_required
def course_enroll_group(course_id: int):
    # The course in the URL must be this organization's (404 otherwise); problems
    # with the submitted fields come back as a message on the course page.
    courses.get_course(db.session, org_id=current_actor().org_id, course_id=course_id)
    form = FormState.from_request(request.form)
    with form.handling():
        created = enrollments.enroll_group(
            db.session,
            org_id=current_actor().org_id,
            group_id=form.integer("group_id"),
            course_id=course_id,
        )
        flash(f"Group enrolled: {created} new enrollments.", "success")
    if form.message:
        flash(form.message, "error")
    return redirect(url_for("admin.course_detail", course_id=course_id))


@bp.post("/courses/<int:course_id>/rules")
@admin_required
def course_rule_new(course_id: int):
    # The course in the URL must be this organization's (404 otherwise); problems
    # with the submitted fields come back as a message on the course page.
    courses.get_course(db.session, org_id=current_actor().org_id, course_id=course_id)
    form = FormState.from_request(request.form)
    with form.handling():
        enrollments.create_rule(
            db.session,
            org_id=current_actor().org_id,
            data=form.parse(RuleCreate, course_id=course_id),
        )
        flash("Rule created; it is applied to every matching user.", "success")
    if form.message:
        flash(form.message, "error")
    return redirect(url_for("admin.course_detail", course_id=course_id))


@bp.post("/rules/<int:rule_id>/deactivate")
@admin_required
def rule_deactivate(rule_id: int):
    rule = enrollments.deactivate_rule(
        db.session, org_id=current_actor().org_id, rule_id=rule_id
    )
    flash("Rule turned off; the enrollments it made stay.", "info")
    return redirect(url_for("admin.course_detail", course_id=rule.course_id))


@bp.post("/enrollments/<int:enrollment_id>")
@admin_required
def enrollment_update(enrollment_id: int):
    form = FormState.from_request(request.form)
    enrollment = enrollments.get_enrollment(
        db.session, org_id=current_actor().org_id, enrollment_id=enrollment_id
    )
    with form.handling():
        data = form.parse(EnrollmentUpdate)
        enrollments.update_enrollment(
            db.session, org_id=enrollment.org_id, enrollment_id=enrollment.id, data=data
        )
        flash("Enrollment updated.", "success")
    if form.message:
        flash(form.message, "error")
    if form.get("back") == "user":
        return redirect(url_for("admin.user_detail", user_id=enrollment.user_id))
    return redirect(url_for("admin.course_detail", course_id=enrollment.course_id))


@bp.get("/courses/<int:course_id>/grades.csv")
@admin_required
def course_grades_csv(course_id: int):
    rows = registrations.course_grades(
        db.session, org_id=current_actor().org_id, course_id=course_id
    )
    return grades_response(rows, course_id)
