"""Package pages: upload with progress, validation reports, versions, courses."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from hub.errors import FieldError, ValidationError, error_response
from hub.extensions import db
from hub.models import OrgRole
from hub.schemas import CourseCreate
from hub.services import courses, packages
from hub.web.admin import bp
from hub.web.forms import FormState
from hub.web.security import admin_required, current_actor, staff_required


def _storage():
    return current_app.extensions["hub.storage"]


def job_json(job) -> dict:
    """What the upload page polls (and the API returns) for one job."""
    return {
        "id": job.id,
        "state": job.state.value,
        "percent": job.percent,
        "message": job.message,
        "filename": job.filename,
        "package_id": job.package_id,
        "version_id": job.version_id,
        "report": job.report,
    }


@bp.get("/packages")
@staff_required
def packages_list():
    page = packages.list_packages(
        db.session, org_id=current_actor().org_id, cursor=request.args.get("cursor")
    )
    return render_template("admin/packages.html", page=page, form=FormState())


@bp.post("/packages/upload")
@staff_required
def package_upload():
    """Accept the zip, queue its import, and send the browser to the job's page."""
    actor = current_actor()
    form = FormState.from_request(request.form)
    with form.handling():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationError.for_field("file", "choose a zip file to upload")
        package_id = form.integer("package_id") if form.get("package_id") else None
        job = packages.start_import(
            db.session,
            org_id=actor.org_id,
            stream=upload.stream,
            filename=upload.filename,
            strict=form.get("strict") == "on",
            storage=_storage(),
            user_id=actor.user_id,
            package_id=package_id,
        )
        page_url = url_for("admin.import_job", job_id=job.id)
        if request.accept_mimetypes.best == "application/json":
            return jsonify(
                {
                    "job_id": job.id,
                    "page_url": page_url,
                    "job_url": url_for(
                        "admin.import_job", job_id=job.id, format="json"
                    ),
                }
            ), 202
        return redirect(page_url, code=303)
    if request.accept_mimetypes.best == "application/json":
        code = "validation_error" if form.status == 422 else "bad_request"
        fields = [FieldError(name, message) for name, message in form.errors.items()]
        return error_response(form.status, code, form.message or "", fields)
    page = packages.list_packages(db.session, org_id=actor.org_id)
    return render_template("admin/packages.html", page=page, form=form), form.status


@bp.get("/packages/jobs/<job_id>")
@staff_required
def import_job(job_id: str):
    job = packages.get_job(db.session, org_id=current_actor().org_id, job_id=job_id)
    if (
        request.accept_mimetypes.best == "application/json"
        or request.args.get("format") == "json"
    ):
        return jsonify(job_json(job))
    return render_template("admin/import_job.html", job=job)


@bp.route("/packages/<int:package_id>", methods=["GET", "POST"])
@staff_required
def package_detail(package_id: int):
    """The package's versions and report; POST creates a course that delivers it."""
    org_id = current_actor().org_id
    package = packages.get_package(db.session, org_id=org_id, package_id=package_id)
    form = FormState.from_request(request.form)
    if request.method == "POST":
        with form.handling():
            data = form.parse(CourseCreate, package_id=package.id)
            course = courses.create_course(db.session, org_id=org_id, data=data)
            flash(f"Course {course.code} created from this package.", "success")
            return redirect(url_for("admin.course_detail", course_id=course.id))
    else:
        form.values = {"title": package.title}
    all_versions = packages.versions(db.session, package=package)
    return render_template(
        "admin/package.html",
        package=package,
        versions=all_versions,
        latest=all_versions[0] if all_versions else None,
        form=form,
        used_by=packages.courses_using(db.session, package=package),
        can_delete=current_actor().role is OrgRole.ADMIN,
    ), form.status


@bp.post("/packages/<int:package_id>/delete")
@admin_required
def package_delete(package_id: int):
    packages.delete_package(
        db.session,
        org_id=current_actor().org_id,
        package_id=package_id,
        storage=_storage(),
    )
    flash("Package deleted.", "info")
    return redirect(url_for("admin.packages_list"))
