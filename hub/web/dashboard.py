"""The home page of each role, and the instructors' course roster."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from hub.extensions import db
from hub.models import OrgRole
from hub.services import dashboards, registrations, reports
from hub.web.security import current_actor, login_required, staff_required

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    return redirect(url_for("dashboard.home"))


@bp.get("/dashboard")
@login_required
def home():
    actor = current_actor()
    enrollments = dashboards.my_enrollments(db.session, actor=actor)
    taught = (
        dashboards.taught_courses(db.session, actor=actor)
        if actor.role in (OrgRole.ADMIN, OrgRole.INSTRUCTOR)
        else []
    )
    overview = (
        dashboards.org_overview(db.session, actor=actor) if actor.is_admin else None
    )
    return render_template(
        "dashboard/home.html",
        enrollments=enrollments,
        taught=taught,
        overview=overview,
        registrations=reports.my_registrations(db.session, actor=actor),
    )


@bp.get("/teaching/courses/<int:course_id>")
@staff_required
def roster(course_id: int):
    course, enrollments = dashboards.course_roster(
        db.session, actor=current_actor(), course_id=course_id
    )
    registrations = reports.course_registrations(db.session, course_id=course.id)
    return render_template(
        "dashboard/roster.html",
        course=course,
        enrollments=enrollments,
        registrations=registrations,
    )


@bp.get("/registrations/<int:registration_id>")
@login_required
def registration(registration_id: int):
    """Results of a registration, per activity and attempt, with the runtime data."""
    actor = current_actor()
    found = reports.viewable_registration(
        db.session, actor=actor, registration_id=registration_id
    )
    page = reports.registration_page(db.session, registration=found)
    # Staff of the course may allow this learner more attempts than it does.
    limited = page["report"]["attempts_allowed"] is not None
    can_grant = limited and registrations.may_grant_attempts(
        db.session, actor=actor, course_id=found.course_id
    )
    return render_template("dashboard/registration.html", **page, can_grant=can_grant)


@bp.post("/registrations/<int:registration_id>/extra-attempts")
@staff_required
def grant_attempt(registration_id: int):
    """Allow the learner one more attempt on each SCO than the course does."""
    registrations.grant_attempts(
        db.session, actor=current_actor(), registration_id=registration_id, count=1
    )
    flash("The learner may make one more attempt on each part.", "success")
    return redirect(url_for("dashboard.registration", registration_id=registration_id))
