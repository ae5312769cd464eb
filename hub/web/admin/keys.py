"""Admin pages: API keys (shown once at creation)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from hub.extensions import db
from hub.services import api_keys
from hub.web.admin import bp
from hub.web.forms import FormState
from hub.web.security import admin_required, current_actor


@bp.route("/api-keys", methods=["GET", "POST"])
@admin_required
def keys():
    org_id = current_actor().org_id
    form = FormState.from_request(request.form)
    new_key = None
    if request.method == "POST":
        with form.handling():
            new_key = api_keys.create_api_key(
                db.session, org_id=org_id, name=form.get("name")
            )
    return render_template(
        "admin/api_keys.html",
        form=form,
        new_key=new_key,
        keys=api_keys.list_api_keys(db.session, org_id=org_id),
    ), form.status


@bp.post("/api-keys/<int:key_id>/revoke")
@admin_required
def key_revoke(key_id: int):
    key = api_keys.revoke_api_key(
        db.session, org_id=current_actor().org_id, key_id=key_id
    )
    flash(f"Key '{key.name}' revoked.", "info")
    return redirect(url_for("admin.keys"))
