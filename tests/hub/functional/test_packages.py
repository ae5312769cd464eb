"""Packages end to end: upload (web and API), import job, report, versions, courses,
content delivery with access control, deletion."""

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.models import Course, ImportJob, JobState, Package, PackageVersion
from hub.services import packages
from tests.factories import PASSWORD, make_api_key, make_course, make_user
from tests.importers.builders import scorm12_manifest

DEMO = Path(__file__).resolve().parents[3] / "hub" / "demo" / "packages"


def zip_folder(folder: Path, *, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


SCORM12 = zip_folder(DEMO / "scorm12-intro", extra={"media/clip.mp4": b"\x00" * 4096})
SCORM2004 = zip_folder(DEMO / "scorm2004-tour")


def broken_zip() -> bytes:
    manifest = (DEMO / "scorm12-intro" / "imsmanifest.xml").read_text()
    manifest = manifest.replace('href="welcome.html"', 'href="missing.html"', 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("quiz.html", "<p>quiz</p>")
    return buffer.getvalue()


def upload(web, data: bytes, name="package.zip", **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return web.post("/admin/packages/upload", form, content_type="multipart/form-data")


def latest_job(session) -> ImportJob:
    session.expire_all()
    return session.scalars(
        select(ImportJob).order_by(ImportJob.created_at.desc())
    ).first()


def test_web_upload_imports_and_reports(admin_web, session, app):
    response = upload(admin_web, SCORM12, "intro.zip")
    assert response.status_code == 303
    job = latest_job(session)
    assert job.state is JobState.SUCCEEDED and job.percent == 100
    page = admin_web.get(response.headers["Location"]).get_data(as_text=True)
    assert "succeeded" in page and "Open the package" in page
    package = session.get(Package, job.package_id)
    assert package.standard == "scorm12" and package.latest_version == 1
    version = session.get(PackageVersion, job.version_id)
    assert version.launch_url and version.file_count >= 5 and len(version.sha256) == 64
    assert not (
        app.config["HUB_SETTINGS"].content_path / "uploads" / job.upload_key
    ).exists()
    detail = admin_web.get(f"/admin/packages/{package.id}").get_data(as_text=True)
    assert "Version 1" in detail and "No problems found." in detail


def test_web_upload_with_json_accept_returns_job_urls(admin_web, session):
    response = admin_web.client.post(
        "/admin/packages/upload",
        data={
            "csrf_token": admin_web.token(),
            "file": (io.BytesIO(SCORM2004), "tour.zip"),
        },
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202
    job = admin_web.get(
        response.json["job_url"], headers={"Accept": "application/json"}
    ).json
    assert job["state"] == "succeeded" and job["report"]["edition"] == "4th Edition"


def test_rejected_upload_shows_problems_with_file_and_line(admin_web, session):
    upload(admin_web, broken_zip(), "broken.zip")
    job = latest_job(session)
    assert job.state is JobState.FAILED
    errors = job.report["errors"]
    assert any(
        "missing.html" in e["message"] and e["file"] == "imsmanifest.xml" and e["line"]
        for e in errors
    )
    page = admin_web.get(f"/admin/packages/jobs/{job.id}").get_data(as_text=True)
    assert "imsmanifest.xml:" in page and "missing.html" in page
    assert session.scalars(select(Package)).all() == []


def _scorm12_zip(*, title: str = "Course", item: str = "I1", href: str = "a.html"):
    manifest = scorm12_manifest(
        f'<item identifier="{item}" identifierref="R1"><title>One</title></item>',
        f'<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
        f'href="{href}"><file href="a.html"/></resource>',
        org_title=f"<title>{title}</title>",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("a.html", "<p>a</p>")
    return buffer.getvalue()


def test_a_title_longer_than_the_hub_keeps_is_cut_with_a_warning(admin_web, session):
    upload(admin_web, _scorm12_zip(title="T" * 5000), "long-title.zip")
    job = latest_job(session)
    assert job.state is JobState.SUCCEEDED, job.report
    (warning,) = [w for w in job.report["warnings"] if w["code"] == "long_title"]
    assert "5000 characters" in warning["message"]
    package = session.get(Package, job.package_id)
    assert package.title == "T" * 300
    assert session.get(PackageVersion, job.version_id).title == "T" * 300


@pytest.mark.parametrize(
    ("package", "code"),
    [
        (_scorm12_zip(item="i" * 256), "long_identifier"),
        (_scorm12_zip(href="a.html?" + "p" * 2000), "long_launch_url"),
    ],
)
def test_a_package_the_tables_cannot_hold_is_rejected_not_crashed(
    admin_web, session, package, code
):
    """On PostgreSQL these used to fail the import with a database error."""
    upload(admin_web, package, "too-long.zip")
    job = latest_job(session)
    assert job.state is JobState.FAILED
    assert [e["code"] for e in job.report["errors"]] == [code]
    assert session.scalars(select(Package)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"this is not a zip", "zip"), (b"PK\x03\x04truncated", "zip")],
)
def test_non_zip_uploads_fail_with_a_clear_report(admin_web, session, data, message):
    upload(admin_web, data, "notes.zip")
    job = latest_job(session)
    assert job.state is JobState.FAILED
    assert message in json.dumps(job.report["errors"]).lower()


def test_empty_or_missing_file_is_422(admin_web, session):
    assert upload(admin_web, b"", "empty.zip").status_code == 422
    response = admin_web.post(
        "/admin/packages/upload", {}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "choose a zip file" in response.get_data(as_text=True)
    assert session.scalars(select(ImportJob)).all() == []


def test_new_version_keeps_the_old_one(admin_web, session):
    upload(admin_web, SCORM12, "v1.zip")
    package_id = latest_job(session).package_id
    upload(admin_web, SCORM12, "v2.zip", package_id=str(package_id))
    package = session.get(Package, package_id)
    assert package.latest_version == 2
    versions = packages.versions(session, package=package)
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].storage_key != versions[1].storage_key
    page = admin_web.get(f"/admin/packages/{package_id}").get_data(as_text=True)
    assert "v1.zip" in page and "v2.zip" in page


def test_create_course_from_package_and_refuse_deleting_it(admin_web, session):
    upload(admin_web, SCORM12)
    package_id = latest_job(session).package_id
    response = admin_web.post(
        f"/admin/packages/{package_id}", {"code": "INTRO", "title": "Intro course"}
    )
    assert response.status_code == 302
    course = session.scalar(select(Course).where(Course.code == "INTRO"))
    assert course.package_id == package_id
    response = admin_web.post(f"/admin/packages/{package_id}/delete")
    assert response.status_code == 409
    assert session.get(Package, package_id) is not None


def test_delete_unused_package_removes_its_files(admin_web, session, app):
    upload(admin_web, SCORM12)
    job = latest_job(session)
    key = session.get(PackageVersion, job.version_id).storage_key
    storage = app.extensions["hub.storage"]
    assert storage.exists(key)
    package_id = job.package_id
    assert admin_web.post(f"/admin/packages/{package_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(Package, package_id) is None
    assert not storage.exists(key)


def fetch(client, url, **kwargs):
    """GET and close (file responses stream; an unclosed one leaks a file handle)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _version(session):
    return session.get(PackageVersion, latest_job(session).version_id)


def test_content_is_served_with_type_caching_and_ranges(admin_web, session):
    upload(admin_web, SCORM12)
    version = _version(session)
    base = f"/content/{version.id}"
    page = fetch(admin_web, f"{base}/{version.launch_url.split('?')[0]}")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html"
    assert page.headers["Cache-Control"] == "private, max-age=3600"
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    css = fetch(admin_web, f"{base}/shared/style.css")
    assert css.headers["Content-Type"].startswith("text/css")
    video = fetch(
        admin_web, f"{base}/media/clip.mp4", headers={"Range": "bytes=100-199"}
    )
    assert video.status_code == 206
    assert video.headers["Content-Type"] == "video/mp4"
    assert video.headers["Content-Range"] == "bytes 100-199/4096"
    assert len(video.data) == 100
    etag = page.headers["ETag"]
    assert (
        fetch(
            admin_web,
            f"{base}/{version.launch_url.split('?')[0]}",
            headers={"If-None-Match": etag},
        ).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("fetched_by", "sandboxed"),
    [
        (None, False),  # a browser without Fetch Metadata
        ("same-origin", False),  # the player's frame, its window, the SCO's links
        ("same-site", True),  # a sibling host's page
        ("cross-site", True),  # a link on another site or in a web mail
        ("none", True),  # a typed address, a bookmark, a link from another app
    ],
)
def test_content_opened_outside_the_player_is_sandboxed(
    admin_web, session, fetched_by, sandboxed
):
    upload(admin_web, SCORM12)
    version = _version(session)
    headers = {"Sec-Fetch-Site": fetched_by} if fetched_by else {}
    page = fetch(
        admin_web,
        f"/content/{version.id}/{version.launch_url.split('?')[0]}",
        headers=headers,
    )
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("frame-ancestors 'self'")
    assert ("sandbox allow-scripts" in policy) is sandboxed
    assert "allow-same-origin" not in policy
    assert "Sec-Fetch-Site" in page.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        "../../../etc/passwd",
        "..%2F..%2Fhub.db",
        "shared/../../x",
        "nope.html",
        "%2e%2e/%2e%2e/etc/passwd",
        "shared",
    ],
)
def test_content_paths_outside_the_package_are_404(admin_web, session, path):
    upload(admin_web, SCORM12)
    assert (
        fetch(admin_web, f"/content/{_version(session).id}/{path}").status_code == 404
    )


def test_content_access_follows_enrollment(admin_web, session, org, settings, app):
    upload(admin_web, SCORM12)
    version = _version(session)
    url = f"/content/{version.id}/{version.launch_url.split('?')[0]}"
    learner = make_user(
        session, org, settings=settings, email="l@example.com", password=PASSWORD
    )
    session.commit()
    client = app.test_client()
    assert fetch(client, url).status_code == 302  # not signed in: to the login page
    from tests.hub.conftest import WebClient

    learner_web = WebClient(client)
    learner_web.login("l@example.com", PASSWORD)
    assert fetch(learner_web, url).status_code == 404  # not enrolled: as if absent
    course = make_course(session, org, package_id=version.package_id)
    from tests.factories import make_enrollment

    make_enrollment(session, learner, course)
    session.commit()
    assert fetch(learner_web, url).status_code == 200


def test_run_import_is_idempotent_and_recovers_from_a_crash(
    app, session, org, settings
):
    storage = app.extensions["hub.storage"]
    job = packages.start_import(
        session,
        org_id=org.id,
        stream=io.BytesIO(SCORM12),
        filename="x.zip",
        strict=False,
        storage=storage,
        enqueue=False,
    )
    session.commit()
    job_id = job.id
    # A crash after extraction left the folder and a RUNNING job behind.
    stale = storage.staging_path(f"v-{job_id}")
    stale.mkdir(parents=True)
    (stale / "half-written.html").write_text("partial")
    job.state = JobState.RUNNING
    session.commit()

    def transaction():
        from contextlib import contextmanager

        @contextmanager
        def unit():
            with app.app_context():
                from hub.extensions import db

                with db.transaction() as tx:
                    yield tx

        return unit()

    packages.run_import(
        job_id=job_id, transaction=transaction, storage=storage, settings=settings
    )
    packages.run_import(
        job_id=job_id, transaction=transaction, storage=storage, settings=settings
    )
    session.expire_all()
    done = session.get(ImportJob, job_id)
    assert done.state is JobState.SUCCEEDED
    assert not (stale / "half-written.html").exists()
    assert len(session.scalars(select(PackageVersion)).all()) == 1


def test_failed_task_marks_the_job_failed(session, org, app):
    job = packages.start_import(
        session,
        org_id=org.id,
        stream=io.BytesIO(SCORM12),
        filename="x.zip",
        strict=False,
        storage=app.extensions["hub.storage"],
        enqueue=False,
    )
    packages.fail_job(session, job_id=job.id, message="import failed: disk full")
    assert job.state is JobState.FAILED and job.report["errors"][0]["message"].endswith(
        "full"
    )


# -- REST API -----------------------------------------------------------------------


@pytest.fixture
def key(session, org):
    _, secret = make_api_key(session, org)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def api_upload(api, key, data, **fields):
    return api.post(
        "/api/v1/packages",
        headers=key,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), "p.zip"), **fields},
    )


def test_api_upload_job_and_package(api, key, session):
    response = api_upload(api, key, SCORM2004, strict="true")
    assert response.status_code == 202
    job = api.get(response.json["status_url"], headers=key).json
    assert job["state"] == "succeeded" and job["percent"] == 100
    report = job["report"]
    assert report["status"] == "accepted" and report["standard"] == "scorm2004"
    package = api.get(f"/api/v1/packages/{job['package_id']}", headers=key).json
    assert package["latest_version"] == 1 and len(package["versions"]) == 1
    assert package["versions"][0]["launch_url"]
    listing = api.get("/api/v1/packages", headers=key).json
    assert [p["id"] for p in listing["data"]] == [job["package_id"]]
    course = api.post(
        "/api/v1/courses",
        headers=key,
        json={"code": "TOUR", "title": "Tour", "package_id": job["package_id"]},
    ).json
    assert course["package_id"] == job["package_id"]
    assert (
        api.delete(f"/api/v1/packages/{job['package_id']}", headers=key).status_code
        == 409
    )


def test_api_upload_rejected_package_reports_problems(api, key):
    job_url = api_upload(api, key, broken_zip()).json["status_url"]
    job = api.get(job_url, headers=key).json
    assert job["state"] == "failed"
    problem = job["report"]["errors"][0]
    assert {"severity", "file", "line", "column", "message"} <= set(problem)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"strict": "perhaps"}, "strict"), ({"package_id": "abc"}, "package_id")],
)
def test_api_upload_bad_fields_are_422(api, key, fields, field):
    response = api_upload(api, key, SCORM12, **fields)
    assert response.status_code == 422
    assert response.json["error"]["fields"][0]["field"] == field


def test_api_upload_without_file_is_422(api, key):
    response = api.post(
        "/api/v1/packages", headers=key, data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422


def test_api_course_with_unknown_package_is_404(api, key):
    response = api.post(
        "/api/v1/courses",
        headers=key,
        json={"code": "X", "title": "X", "package_id": 999999},
    )
    assert response.status_code == 404


def test_api_unknown_job_is_404(api, key):
    assert api.get("/api/v1/jobs/not-a-job", headers=key).status_code == 404


# -- the CLI ------------------------------------------------------------------------


def test_cli_validates_and_imports(tmp_path):
    import subprocess
    import sys

    from tests.hub.functional.test_cli import hub_env as _  # noqa: F401

    archive = tmp_path / "tour.zip"
    archive.write_bytes(SCORM2004)
    env = {"HUB_INSTANCE_DIR": str(tmp_path / "inst"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "hub", "import", str(archive), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"status", "standard", "edition", "title", "errors", "warnings"} <= set(
        report
    )
    broken = tmp_path / "broken.zip"
    broken.write_bytes(broken_zip())
    result = subprocess.run(
        [sys.executable, "-m", "hub", "import", str(broken)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "error: imsmanifest.xml:" in result.stdout
    shutil.rmtree(tmp_path / "inst", ignore_errors=True)


def test_upload_over_the_size_limit_is_413_and_stores_nothing(api, key, session, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = api_upload(api, key, SCORM12)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = (
            app.config["HUB_SETTINGS"].imports.max_upload_mb * 1024 * 1024
        )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"
    assert session.scalars(select(ImportJob)).all() == []


def test_cli_import_errors_are_clear(tmp_path):
    import subprocess
    import sys

    env = {"HUB_INSTANCE_DIR": str(tmp_path / "inst"), "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "hub", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run("migrate").returncode == 0
    archive = tmp_path / "tour.zip"
    archive.write_bytes(SCORM2004)
    unknown = run("import", str(archive), "--org", "nowhere")
    assert unknown.returncode != 0 and "no organization 'nowhere'" in unknown.stderr
    folder = tmp_path / "unzipped"
    folder.mkdir()
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    run("create-org", "--slug", "acme", "--name", "Acme")
    refused = run("import", str(folder), "--org", "acme")
    assert refused.returncode != 0 and "zip the folder" in refused.stderr
    assert "Traceback" not in unknown.stderr + refused.stderr
    assert run("import", str(folder)).returncode == 0  # a folder validates fine
