"""Admin pages: groups (cohorts) and their members."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from hub.extensions import db
from hub.schemas import GroupCreate
from hub.services import accounts, enrollments
from hub.web.admin import bp
from hub.web.forms import FormState
from hub.web.security import admin_required, current_actor


@bp.route("/groups", methods=["GET", "POST"])
@admin_required
def groups():
    org_id = current_actor().org_id
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            group = enrollments.create_group(
                db.session, org_id=org_id, data=form.parse(GroupCreate)
            )
            flash(f"Group {group.name} created.", "success")
            return redirect(url_for("admin.group_detail", group_id=group.id))
    return render_template(
        "admin/groups.html",
        form=form,
        groups=enrollments.list_groups(db.session, org_id=org_id),
    ), form.status


@bp.get("/groups/<int:group_id>")
@admin_required
def group_detail(group_id: int):
    org_id = current_actor().org_id
    group = enrollments.get_group(db.session, org_id=org_id, group_id=group_id)
    return render_template(
        "admin/group.html",
        group=group,
        members=enrollments.group_members(db.session, org_id=org_id, group_id=group.id),
        courses=enrollments.group_courses(db.session, org_id=org_id, group_id=group.id),
        users=accounts.list_users(db.session, org_id=org_id, limit=500).items,
    )


@bp.post("/groups/<int:group_id>/members")
@admin_required
def group_add_member(group_id: int):
    enrollments.get_group(db.session, org_id=current_actor().org_id, group_id=group_id)
    form = FormState.from_request(request.form)
    with form.handling():
        added = enrollments.add_group_member(
            db.session,
            org_id=current_actor().org_id,
            group_id=group_id,
            user_id=form.integer("user_id"),
        )
        flash(
            "Member added and enrolled in the group's courses."
            if added
            else "Already a member.",
            "success",
        )
    if form.message:
        flash(form.message, "error")
    return redirect(url_for("admin.group_detail", group_id=group_id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
@admin_required
def group_remove_member(group_id: int, user_id: int):
    enrollments.remove_group_member(
        db.session, org_id=current_actor().org_id, group_id=group_id, user_id=user_id
    )
    flash("Member removed; their enrollments and progress stay.", "info")
    return redirect(url_for("admin.group_detail", group_id=group_id))
