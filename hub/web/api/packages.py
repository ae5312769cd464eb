"""``/api/v1/packages`` and ``/api/v1/jobs``: upload, follow the import, manage."""

from __future__ import annotations

from flask import current_app, request, url_for

from hub.db import parse_row_id
from hub.errors import ValidationError
from hub.extensions import db
from hub.services import packages
from hub.web.admin.packages import job_json
from hub.web.api import PAGE_PARAMS, actor, one, operation, page_args, paged
from hub.web.api.schemas import (
    JobAccepted,
    JobOut,
    PackageDetailOut,
    PackageOut,
    PackageUploadForm,
)

TAG = "packages"


def _storage():
    return current_app.extensions["hub.storage"]


def _flag(name: str) -> bool:
    value = request.form.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0", "on", ""):
        raise ValidationError.for_field(name, "must be true or false")
    return value in ("true", "1", "on")


@operation(
    "/packages",
    "POST",
    summary="Upload a package zip (returns a job to poll)",
    tag=TAG,
    form=PackageUploadForm,
    response=JobAccepted,
    status=202,
)
def upload_package():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError.for_field(
            "file", "send the zip as multipart field 'file'"
        )
    raw_package = request.form.get("package_id", "").strip()
    package_id = parse_row_id(raw_package) if raw_package else None
    if raw_package and package_id is None:
        raise ValidationError.for_field("package_id", "must be a package id")
    job = packages.start_import(
        db.session,
        org_id=actor().org_id,
        stream=upload.stream,
        filename=upload.filename,
        strict=_flag("strict"),
        storage=_storage(),
        package_id=package_id,
    )
    status_url = url_for("api.get_job", job_id=job.id)
    return one({"job_id": job.id, "status_url": status_url}, JobAccepted, 202)


@operation(
    "/jobs/<job_id>",
    "GET",
    summary="State, percent and report of an import",
    tag=TAG,
    response=JobOut,
)
def get_job(job_id: str):
    job = packages.get_job(db.session, org_id=actor().org_id, job_id=job_id)
    return one(job_json(job), JobOut)


@operation(
    "/packages",
    "GET",
    summary="List packages",
    tag=TAG,
    response=PackageOut,
    many=True,
    query=PAGE_PARAMS,
)
def list_packages():
    page = packages.list_packages(db.session, org_id=actor().org_id, **page_args())
    return paged(page, PackageOut)


@operation(
    "/packages/<int:package_id>",
    "GET",
    summary="A package with its versions",
    tag=TAG,
    response=PackageDetailOut,
)
def get_package(package_id: int):
    package = packages.get_package(
        db.session, org_id=actor().org_id, package_id=package_id
    )
    versions = packages.versions(db.session, package=package)
    detail = PackageOut.model_validate(package).model_dump() | {
        "versions": versions,
        "course_ids": [
            c.id for c in packages.courses_using(db.session, package=package)
        ],
        "report": versions[0].report if versions else None,
    }
    return one(detail, PackageDetailOut)


@operation(
    "/packages/<int:package_id>",
    "DELETE",
    summary="Delete a package no course uses",
    tag=TAG,
    status=204,
)
def delete_package(package_id: int):
    packages.delete_package(
        db.session, org_id=actor().org_id, package_id=package_id, storage=_storage()
    )
    return "", 204
