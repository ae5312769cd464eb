"""Admin pages: users one by one and by CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from hub.errors import ValidationError
from hub.extensions import db
from hub.models import OrgRole
from hub.schemas import UserCreate, UserUpdate
from hub.services import accounts, courses, enrollments, user_import
from hub.web.admin import bp, settings
from hub.web.forms import FormState, parse_attributes
from hub.web.security import admin_required, current_actor


@bp.get("/users")
@admin_required
def users():
    role = OrgRole._value2member_map_.get(request.args.get("role", ""))
    page = accounts.list_users(
        db.session,
        org_id=current_actor().org_id,
        cursor=request.args.get("cursor"),
        limit=50,
        query=request.args.get("q"),
        role=role,
    )
    return render_template("admin/users.html", page=page, roles=list(OrgRole))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            data = form.parse(
                UserCreate,
                checkboxes=("is_active",),
                attributes=parse_attributes(form.get("attributes")),
            )
            user = accounts.create_user(
                db.session,
                org_id=current_actor().org_id,
                data=data,
                settings=settings(),
            )
            flash(f"User {user.email} created.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    else:
        form.values["is_active"] = "on"
    return render_template(
        "admin/user_form.html", form=form, user=None, roles=list(OrgRole)
    ), form.status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_detail(user_id: int):
    org_id = current_actor().org_id
    user = accounts.get_user(db.session, org_id=org_id, user_id=user_id)
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            data = form.parse(
                UserUpdate,
                checkboxes=("is_active",),
                attributes=parse_attributes(form.get("attributes")),
            )
            accounts.update_user(
                db.session,
                org_id=org_id,
                user_id=user.id,
                data=data,
                settings=settings(),
            )
            flash("Changes saved.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    else:
        form.values = {
            "email": user.email,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "role": user.role.value,
            "external_id": user.external_id or "",
            "is_active": "on" if user.is_active else "",
            "attributes": "\n".join(
                f"{k}={v}" for k, v in (user.attributes or {}).items()
            ),
        }
    user_enrollments = enrollments.list_enrollments(
        db.session, org_id=org_id, user_id=user.id, limit=500
    ).items
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        roles=list(OrgRole),
        enrollments=user_enrollments,
        courses=courses.all_courses(db.session, org_id=org_id),
        groups=enrollments.list_groups(db.session, org_id=org_id),
    ), form.status


@bp.route("/users/import", methods=["GET", "POST"])
@admin_required
def users_import():
    report = None
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise ValidationError.for_field("file", "choose a CSV file to upload")
            report = user_import.import_users_csv(
                db.session,
                org_id=current_actor().org_id,
                stream=upload.stream,
                partial=form.get("partial") == "on",
                settings=settings(),
            )
            if not report.applied:
                form.status = 422
    return render_template(
        "admin/users_import.html", form=form, report=report
    ), form.status
