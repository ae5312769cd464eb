"""Packages: upload, validate and store (as a job), versions, delivery and deletion."""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

import importers
import scorm_runtime as rt
from hub.config import Settings
from hub.db import after_commit
from hub.errors import ConflictError, FieldError, NotFoundError, ValidationError
from hub.models import (
    Course,
    CourseRole,
    Enrollment,
    EnrollmentStatus,
    ImportJob,
    JobState,
    OrgRole,
    Package,
    PackageVersion,
    ScoAttempt,
)
from hub.services.activities import manifest_activities, scorm_version
from hub.services.authz import Actor
from hub.services.pagination import Page, paginate
from hub.services.storage import ContentStorage

log = logging.getLogger(__name__)

Transaction = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[int, str], None]
MB = 1024 * 1024


def extraction_limits(settings: Settings) -> importers.ExtractionLimits:
    caps = settings.imports
    return importers.ExtractionLimits(
        max_entries=caps.max_entries,
        max_total_size=caps.max_total_mb * MB,
        max_ratio=caps.max_ratio,
    )


# -- lookups --------------------------------------------------------------------------


def get_package(session: Session, *, org_id: int, package_id: int) -> Package:
    package = session.scalar(
        select(Package).where(Package.id == package_id, Package.org_id == org_id)
    )
    if package is None:
        raise NotFoundError(f"no package {package_id}")
    return package


def get_version(session: Session, *, org_id: int, version_id: int) -> PackageVersion:
    version = session.scalar(
        select(PackageVersion).where(
            PackageVersion.id == version_id, PackageVersion.org_id == org_id
        )
    )
    if version is None:
        raise NotFoundError(f"no package version {version_id}")
    return version


def get_job(session: Session, *, org_id: int, job_id: str) -> ImportJob:
    job = session.scalar(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.org_id == org_id)
    )
    if job is None:
        raise NotFoundError(f"no import job {job_id}")
    return job


def list_packages(
    session: Session, *, org_id: int, cursor: str | None = None, limit: int = 50
) -> Page[Package]:
    stmt = select(Package).where(Package.org_id == org_id)
    return paginate(session, stmt, id_column=Package.id, cursor=cursor, limit=limit)


def versions(session: Session, *, package: Package) -> list[PackageVersion]:
    """Every version of the package, newest first."""
    return list(
        session.scalars(
            select(PackageVersion)
            .where(PackageVersion.package_id == package.id)
            .order_by(PackageVersion.version.desc())
        )
    )


def latest_version(session: Session, *, package: Package) -> PackageVersion:
    version = session.scalar(
        select(PackageVersion).where(
            PackageVersion.package_id == package.id,
            PackageVersion.version == package.latest_version,
        )
    )
    if version is None:
        raise NotFoundError(f"package {package.id} has no version yet")
    return version


def courses_using(session: Session, *, package: Package) -> list[Course]:
    return list(session.scalars(select(Course).where(Course.package_id == package.id)))


# -- upload and import ----------------------------------------------------------------


def start_import(
    session: Session,
    *,
    org_id: int,
    stream: IO[bytes] | Path,
    filename: str,
    strict: bool,
    storage: ContentStorage,
    user_id: int | None = None,
    package_id: int | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Stream the upload to storage and queue its import; returns the job to poll.

    ``stream`` may also be the path of a local file, which storage takes in without
    copying it where it can. With ``package_id`` the upload becomes a new version of
    that package.
    """
    if package_id is not None:
        get_package(session, org_id=org_id, package_id=package_id)
    job_id = str(uuid.uuid4())
    key = f"{job_id}.zip"
    if isinstance(stream, Path):
        size = storage.save_upload_file(stream, key=key)
    else:
        size = storage.save_upload(stream, key=key)
    if size == 0:
        storage.delete_upload(key)
        raise ValidationError.for_field("file", "the uploaded file is empty")
    job = ImportJob(
        id=job_id,
        org_id=org_id,
        filename=filename[:255],
        strict=strict,
        package_id=package_id,
        upload_key=key,
        created_by_id=user_id,
        message="queued",
    )
    session.add(job)
    session.flush()
    if enqueue:
        from hub.tasks.packages import import_package  # noqa: PLC0415

        after_commit(session, lambda: import_package.delay(job_id))
    return job


@dataclass(frozen=True)
class _Work:
    job_id: str
    org_id: int
    strict: bool
    upload_key: str
    filename: str
    package_id: int | None
    created_by_id: int | None


@dataclass(frozen=True)
class _Outcome:
    report: dict[str, Any]
    manifest: dict[str, Any] | None = None
    storage_key: str | None = None
    sha256: str = ""
    file_count: int = 0
    total_size: int = 0


def run_import(
    *,
    job_id: str,
    transaction: Transaction,
    storage: ContentStorage,
    settings: Settings,
) -> None:
    """Validate, extract and record one import job; safe to run again after a crash.

    The slow part (validation and extraction) runs outside any transaction; progress
    and the outcome are each written in a short transaction of their own, so readers
    see the percent move and an SQLite writer is never held up.
    """
    with transaction() as session:
        work = _claim(session, job_id)
    if work is None:
        return

    last = [-1]

    def progress(percent: int, message: str) -> None:
        # One short write per whole percent, not per zip entry.
        if percent == last[0]:
            return
        last[0] = percent
        with transaction() as session:
            job = session.get_one(ImportJob, job_id)
            job.percent, job.message = percent, message

    outcome = _process(work, storage=storage, settings=settings, progress=progress)
    with transaction() as session:
        _record(session, work=work, outcome=outcome, storage=storage)
    storage.delete_upload(work.upload_key)


def _claim(session: Session, job_id: str) -> _Work | None:
    job = session.get(ImportJob, job_id)
    if job is None or job.state in (JobState.SUCCEEDED, JobState.FAILED):
        log.info("import job %s is gone or finished; nothing to do", job_id)
        return None
    job.state, job.percent, job.message = JobState.RUNNING, 1, "validating"
    return _Work(
        job.id,
        job.org_id,
        job.strict,
        job.upload_key,
        job.filename,
        job.package_id,
        job.created_by_id,
    )


def _process(
    work: _Work, *, storage: ContentStorage, settings: Settings, progress: Progress
) -> _Outcome:
    upload = storage.upload_path(work.upload_key)
    if not upload.is_file():
        return _Outcome(
            report=_failure_report(
                "upload_missing", "the uploaded file is no longer there"
            )
        )
    limits = extraction_limits(settings)
    result = importers.read_package(upload, strict=work.strict, limits=limits)
    manifest = result.package.to_dict() if result.package is not None else None
    if manifest is not None:
        review_for_hub(result.report, manifest)
        if not result.report.accepted:
            manifest = None  # the hub cannot store or run it
    report = result.report.to_dict()
    if manifest is None:
        return _Outcome(report=report)
    progress(10, "extracting")
    key = f"v-{work.job_id}"
    storage.delete_tree(key)  # a half-finished earlier attempt of this same job
    staged = storage.staging_path(key)
    try:
        extracted, sha256 = _extract_and_hash(
            upload, staged, limits=limits, progress=progress
        )
    except importers.PackageImportError as exc:
        report["status"] = "rejected"
        report["errors"] = [*report.get("errors", []), _problem(exc)]
        return _Outcome(report=report)
    storage.publish(key, staged)
    return _Outcome(
        report=report,
        manifest=manifest,
        storage_key=key,
        sha256=sha256,
        file_count=len(extracted.files),
        total_size=extracted.total_size,
    )


#: What the tables hold of a package.
TITLE_MAX = Package.__table__.c.title.type.length
ACTIVITY_ID_MAX = ScoAttempt.__table__.c.activity_id.type.length
LAUNCH_URL_MAX = PackageVersion.__table__.c.launch_url.type.length


def _manifest_file(manifest: dict[str, Any]) -> str:
    """The manifest's path in the package, as ``importers`` names it in reports."""
    return (manifest.get("root") or "") + "imsmanifest.xml"


def review_for_hub(
    report: importers.ValidationReport, manifest: dict[str, Any]
) -> None:
    """The hub's checks of a package ``importers`` accepted, added to its report:
    what the run-time cannot hand to a SCO, and what the tables cannot hold."""
    _warn_unusable_identifiers(report, manifest)
    manifest_file = _manifest_file(manifest)
    title = manifest.get("title") or ""
    if len(title) > TITLE_MAX:
        report.warning(
            "long_title",
            f"the title is {len(title)} characters long; the hub shows its first "
            f"{TITLE_MAX}",
            file=manifest_file,
        )
    for activity in manifest_activities(manifest):
        if activity.launchable and len(activity.identifier) > ACTIVITY_ID_MAX:
            report.error(
                "long_identifier",
                f"item {activity.identifier[:40]!r}… has an identifier of "
                f"{len(activity.identifier)} characters; the hub tracks items with "
                f"identifiers of at most {ACTIVITY_ID_MAX}",
                file=manifest_file,
            )
    targets = manifest.get("launch_targets") or []
    if targets and len(targets[0]["url"]) > LAUNCH_URL_MAX:
        report.error(
            "long_launch_url",
            f"the first launch URL (href and parameters) is {len(targets[0]['url'])} "
            f"characters; the hub takes at most {LAUNCH_URL_MAX}",
            file=manifest_file,
        )


def _warn_unusable_identifiers(
    report: importers.ValidationReport, manifest: dict[str, Any]
) -> None:
    """Warn of SCORM 2004 objective IDs and adlcp:map target IDs that the run-time
    cannot hand to the SCO: the manifest takes any URI-like string, but
    cmi.objectives.n.id and adl.data.n.id are long_identifier_type (RTE 4th ed.
    §4.1.1.4, a URI), so the launch leaves such an identifier out."""
    version = scorm_version(manifest.get("standard"), manifest.get("edition"))
    if version is None:
        return
    manifest_file = _manifest_file(manifest)
    for activity in manifest_activities(manifest):
        if not activity.launchable:
            continue
        unusable = rt.unusable_launch_identifiers(
            version,
            objectives=activity.objective_ids,
            data_stores=[m["target_id"] for m in activity.data_maps],
        )
        for element, identifier in unusable:
            what = "objectiveID" if element.startswith("cmi.") else "adlcp:map targetID"
            report.warning(
                "unusable_identifier",
                f"item {activity.identifier!r}: {what} {identifier!r} is not a valid "
                f"identifier for {element} (a URI, RTE 4th ed. §4.1.1.4), so the "
                "SCO will not find it at run time",
                file=manifest_file,
            )


def _extract_and_hash(
    upload: Path,
    staged: Path,
    *,
    limits: importers.ExtractionLimits,
    progress: Progress,
) -> tuple[importers.ExtractedPackage, str]:
    """Extract the upload while a thread computes its SHA-256.

    Hashing after the extraction would read the whole zip once more; file reads and
    hashlib release the GIL, so the checksum overlaps with inflating and writing.
    """
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as pool:
        digest = pool.submit(_sha256, upload, stop)
        try:
            extracted = importers.extract_package(
                upload,
                staged,
                limits=limits,
                progress=lambda done, total: progress(
                    10 + (80 * done) // max(total, 1), "extracting"
                ),
            )
        except BaseException:
            stop.set()  # the checksum of a rejected upload is not needed
            raise
        return extracted, digest.result()


def _record(
    session: Session, *, work: _Work, outcome: _Outcome, storage: ContentStorage
) -> None:
    job = session.get_one(ImportJob, work.job_id)
    job.report, job.percent = outcome.report, 100
    if outcome.manifest is None or outcome.storage_key is None:
        job.state, job.message = JobState.FAILED, "rejected: see the report"
        return
    package = session.get(Package, work.package_id) if work.package_id else None
    if package is None:
        package = Package(
            org_id=work.org_id,
            title=outcome.manifest["title"][:TITLE_MAX],
            standard=outcome.manifest["standard"],
            created_by_id=work.created_by_id,
        )
        session.add(package)
        session.flush()
    package.latest_version += 1
    package.title = outcome.manifest["title"][:TITLE_MAX] or package.title
    package.standard = outcome.manifest["standard"]
    targets = outcome.manifest.get("launch_targets") or []
    version = PackageVersion(
        org_id=work.org_id,
        package_id=package.id,
        version=package.latest_version,
        standard=outcome.manifest["standard"],
        edition=outcome.manifest.get("edition"),
        title=package.title,
        storage_key=outcome.storage_key,
        filename=work.filename,
        sha256=outcome.sha256,
        file_count=outcome.file_count,
        total_size=outcome.total_size,
        launch_url=targets[0]["url"] if targets else "",
        manifest=outcome.manifest,
        report=outcome.report,
    )
    session.add(version)
    session.flush()
    job.state, job.message = JobState.SUCCEEDED, "imported"
    job.package_id, job.version_id = package.id, version.id


def _problem(exc: importers.PackageImportError) -> dict[str, Any]:
    return {
        "severity": "error",
        "code": str(exc.reason),
        "message": exc.message,
        "file": exc.file,
        "line": exc.line,
        "column": exc.column,
    }


def _failure_report(code: str, message: str) -> dict[str, Any]:
    return {
        "status": "rejected",
        "standard": None,
        "edition": None,
        "title": None,
        "errors": [
            {
                "severity": "error",
                "code": code,
                "message": message,
                "file": None,
                "line": None,
                "column": None,
            }
        ],
        "warnings": [],
        "infos": [],
    }


def _sha256(path: Path, stop: threading.Event | None = None) -> str:
    """The file's SHA-256, or a partial digest once ``stop`` is set."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while not (stop and stop.is_set()) and (chunk := fh.read(MB)):
            digest.update(chunk)
    return digest.hexdigest()


def fail_job(session: Session, *, job_id: str, message: str) -> None:
    """Mark a job failed after its task gave up, so nobody waits on it forever."""
    job = session.get(ImportJob, job_id)
    if job is not None and job.state not in (JobState.SUCCEEDED, JobState.FAILED):
        job.state, job.percent, job.message = JobState.FAILED, 100, message[:1000]
        job.report = _failure_report("internal_error", message[:1000])


# -- deletion and delivery ------------------------------------------------------------


def delete_package(
    session: Session, *, org_id: int, package_id: int, storage: ContentStorage
) -> None:
    """Delete a package no course uses; its files go once the deletion commits."""
    package = get_package(session, org_id=org_id, package_id=package_id)
    used = courses_using(session, package=package)
    if used:
        codes = ", ".join(c.code for c in used)
        raise ConflictError(
            f"package {package.id} is used by course(s) {codes}",
            fields=[FieldError("package_id", "in use")],
        )
    keys = [v.storage_key for v in versions(session, package=package)]
    for job in session.scalars(
        select(ImportJob).where(ImportJob.package_id == package.id)
    ):
        job.package_id = None
    session.execute(
        delete(PackageVersion).where(PackageVersion.package_id == package.id)
    )
    session.delete(package)
    session.flush()
    after_commit(session, lambda: [storage.delete_tree(k) for k in keys])


def delivered_version(
    session: Session, *, actor: Actor, version_id: int
) -> PackageVersion:
    """A version the actor may open: staff of the organization, or a learner enrolled
    (actively) in a course that delivers its package."""
    version = get_version(session, org_id=actor.org_id, version_id=version_id)
    if actor.role in (OrgRole.ADMIN, OrgRole.INSTRUCTOR):
        return version
    enrolled = session.scalar(
        select(func.count(Enrollment.id))
        .join(Course, Course.id == Enrollment.course_id)
        .where(
            Enrollment.user_id == actor.user_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.role.in_((CourseRole.LEARNER, CourseRole.INSTRUCTOR)),
            Course.package_id == version.package_id,
        )
    )
    if not enrolled:
        raise NotFoundError(f"no package version {version_id}")
    return version


def import_file(
    path: Path,
    *,
    org_id: int,
    strict: bool,
    transaction: Transaction,
    storage: ContentStorage,
    settings: Settings,
    package_id: int | None = None,
) -> str:
    """Import a local zip now, in this process (the CLI and the demo); returns the job id."""
    with transaction() as session:
        job = start_import(
            session,
            org_id=org_id,
            stream=path,
            filename=path.name,
            strict=strict,
            storage=storage,
            package_id=package_id,
            enqueue=False,
        )
        job_id = job.id
    run_import(
        job_id=job_id, transaction=transaction, storage=storage, settings=settings
    )
    return job_id
