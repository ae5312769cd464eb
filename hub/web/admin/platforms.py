"""Admin pages: LTI 1.3 platforms (manual and dynamic registration), the tool's URLs
and a Canvas developer key configuration."""

from __future__ import annotations

import json
import re

from flask import current_app, flash, redirect, render_template, request, url_for

from hub.extensions import db
from hub.services import lti_grades, lti_platforms, lti_roster
from hub.web.admin import bp
from hub.web.forms import FormState
from hub.web.lti import registration_serializer
from hub.web.security import admin_required, current_actor
from lti import canvas_developer_key_config


def split_ids(text: str) -> list[str]:
    """Deployment ids typed one per line or separated by commas."""
    return [part for part in re.split(r"[\s,]+", text or "") if part]


@bp.route("/lti/platforms", methods=["GET", "POST"])
@admin_required
def platforms():
    org_id = current_actor().org_id
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            platform = lti_platforms.create_platform(
                db.session,
                org_id=org_id,
                data=form.parse(
                    lti_platforms.PlatformIn,
                    checkboxes=("allow_account_linking",),
                    deployment_ids=split_ids(form.get("deployment_ids")),
                ),
            )
            flash(f"Platform '{platform.name}' registered.", "info")
            return redirect(url_for("admin.platforms"))
    tool = current_app.extensions["hub.lti"]
    registration_url = (
        tool.registration_url + "?org=" + registration_serializer().dumps(org_id)
    )
    return render_template(
        "admin/platforms.html",
        form=form,
        platforms=lti_platforms.list_platforms(db.session, org_id=org_id),
        contexts=lti_roster.list_contexts(db.session, org_id=org_id),
        tool=tool.info,
        registration_url=registration_url,
        canvas_json=json.dumps(canvas_developer_key_config(tool.info), indent=2),
    ), form.status


@bp.post("/lti/platforms/<int:platform_id>/deployments")
@admin_required
def platform_add_deployment(platform_id: int):
    platform = lti_platforms.add_deployment(
        db.session,
        org_id=current_actor().org_id,
        platform_id=platform_id,
        deployment_id=request.form.get("deployment_id", "").strip()[:255],
    )
    flash(f"Deployments of '{platform.name}' updated.", "info")
    return redirect(url_for("admin.platforms"))


@bp.get("/lti/scores")
@admin_required
def score_deliveries():
    """Pending and failed grade deliveries, with the platform's answer."""
    return render_template(
        "admin/platforms_scores.html",
        deliveries=lti_grades.list_deliveries(
            db.session, org_id=current_actor().org_id
        ),
    )


@bp.post("/lti/scores/<int:delivery_id>/resend")
@admin_required
def score_resend(delivery_id: int):
    lti_grades.resend(
        db.session, org_id=current_actor().org_id, delivery_id=delivery_id
    )
    flash("The score is queued again.", "info")
    return redirect(url_for("admin.score_deliveries"))


@bp.post("/lti/contexts/<int:context_id>/sync")
@admin_required
def context_sync(context_id: int):
    """Queue a roster sync (NRPS) of one context; it runs after this commit."""
    context = lti_roster.queue_sync(
        db.session, org_id=current_actor().org_id, context_pk=context_id
    )
    flash(f"Roster sync of '{context.title or context.context_id}' queued.", "info")
    return redirect(url_for("admin.platforms"))


@bp.post("/lti/contexts/<int:context_id>/resend-grades")
@admin_required
def context_resend_grades(context_id: int):
    """Push every current grade of the context to the platform again."""
    count = lti_grades.resync_context(
        db.session, org_id=current_actor().org_id, context_pk=context_id
    )
    flash(f"{count} grade(s) queued for the platform.", "info")
    return redirect(url_for("admin.platforms"))
