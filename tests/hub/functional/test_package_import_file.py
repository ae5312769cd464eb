"""``import_file`` (the CLI path): the zip is taken in without a copy, checksummed while
it is extracted, and the user's file is left alone."""

import hashlib
import io
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from hub.models import ImportJob, JobState, PackageVersion
from hub.services import packages
from tests.factories import make_org

DEMO = (
    Path(__file__).resolve().parents[3] / "hub" / "demo" / "packages" / "scorm12-intro"
)


def demo_zip(*, break_launch: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(DEMO.rglob("*")):
            data = path.read_bytes() if path.is_file() else None
            if path.name == "imsmanifest.xml" and break_launch:
                data = data.replace(b'href="welcome.html"', b'href="missing.html"', 1)
            if data is not None:
                archive.writestr(path.relative_to(DEMO).as_posix(), data)
    return buffer.getvalue()


SCORM12 = demo_zip()


@pytest.fixture
def org(session):
    organization = make_org(session)
    session.commit()
    return organization


@pytest.fixture
def transaction(app):
    @contextmanager
    def unit():
        with app.app_context():
            from hub.extensions import db

            with db.transaction() as tx:
                yield tx

    return unit


def test_import_file_records_checksum_and_leaves_the_source(
    session, org, app, settings, transaction, tmp_path
):
    source = tmp_path / "intro.zip"
    source.write_bytes(SCORM12)
    storage = app.extensions["hub.storage"]
    job_id = packages.import_file(
        source,
        org_id=org.id,
        strict=False,
        transaction=transaction,
        storage=storage,
        settings=settings,
    )
    session.expire_all()
    job = session.get(ImportJob, job_id)
    assert job.state is JobState.SUCCEEDED
    version = session.get(PackageVersion, job.version_id)
    assert version.sha256 == hashlib.sha256(SCORM12).hexdigest()
    assert storage.file(version.storage_key, "welcome.html") is not None
    assert not storage.upload_path(job.upload_key).exists()
    assert source.read_bytes() == SCORM12


def test_import_file_rejected_package_leaves_nothing(
    session, org, app, settings, transaction, tmp_path
):
    source = tmp_path / "broken.zip"
    source.write_bytes(demo_zip(break_launch=True))
    storage = app.extensions["hub.storage"]
    job_id = packages.import_file(
        source,
        org_id=org.id,
        strict=False,
        transaction=transaction,
        storage=storage,
        settings=settings,
    )
    session.expire_all()
    job = session.get(ImportJob, job_id)
    assert job.state is JobState.FAILED and job.version_id is None
    assert not storage.exists(f"v-{job_id}")
    assert not storage.upload_path(job.upload_key).exists()
    assert source.exists()


def test_extract_and_hash_failure_stops_the_checksum(tmp_path):
    upload = tmp_path / "upload.zip"
    upload.write_bytes(b"PK\x03\x04 not really a zip" * 1000)
    with pytest.raises(packages.importers.PackageImportError):
        packages._extract_and_hash(
            upload,
            tmp_path / "out",
            limits=packages.importers.ExtractionLimits(),
            progress=lambda percent, message: None,
        )
    assert not (tmp_path / "out").exists()


def test_sha256_stops_when_asked(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (3 * packages.MB))
    stop = packages.threading.Event()
    stop.set()
    assert packages._sha256(path, stop) == hashlib.sha256(b"").hexdigest()
    assert packages._sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
