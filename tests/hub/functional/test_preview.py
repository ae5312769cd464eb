"""Staff preview a package version's SCOs in the player, in browse mode: the
adapter answers the SCO as in a course, and nothing is recorded."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from hub.models import OrgRole, PackageVersion, Registration, ScoAttempt
from tests.factories import PASSWORD, make_org, make_user
from tests.hub.conftest import player_boot
from tests.hub.functional.test_packages import SCORM12, SCORM2004
from tests.hub.functional.test_player import import_demo
from tests.importers.test_cmi5 import au, course


def preview_page(web, version_id: int, **query):
    return web.get(f"/preview/{version_id}", query_string=query)


def version_of(session, package_id: int) -> PackageVersion:
    return session.scalar(
        select(PackageVersion).where(PackageVersion.package_id == package_id)
    )


@pytest.mark.parametrize(
    ("data", "mode", "credit"),
    [
        (SCORM12, "cmi.core.lesson_mode", "cmi.core.credit"),
        (SCORM2004, "cmi.mode", "cmi.credit"),
    ],
)
def test_staff_preview_a_sco_in_browse_mode_without_recording(
    admin_web, app, session, org, data, mode, credit
):
    version = version_of(session, import_demo(app, session, org, data))
    detail = admin_web.get(f"/admin/packages/{version.package_id}")
    assert f'href="/preview/{version.id}"' in detail.get_data(as_text=True)

    page = preview_page(admin_web, version.id)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    config = player_boot(html)["config"]
    cmi = config["state"]["cmi"]
    # RTE 4th ed. §4.2.13 / RTE 1.2 §3.4.4: browse, never for credit.
    assert (cmi[mode], cmi[credit]) == ("browse", "no-credit")
    assert config["record"] is False
    assert config["commitUrl"] is None and config["commitKey"] is None
    assert config["contentUrl"].startswith(f"/content/{version.id}/")
    # Navigation stays in the preview; Exit leads back to the package.
    assert all(
        url.startswith(f"/preview/{version.id}?activity=")
        for url in config["activityUrls"].values()
    )
    assert config["exitUrl"] == f"/admin/packages/{version.package_id}"
    assert "nothing you do here is recorded" in html
    # Every SCO opens, whatever its SCORM 1.2 prerequisites.
    last = config["order"][-1]
    other = player_boot(preview_page(admin_web, version.id, activity=last).text)
    assert other["config"]["current"] == last
    assert session.scalar(select(func.count()).select_from(Registration)) == 0
    assert session.scalar(select(func.count()).select_from(ScoAttempt)) == 0


def test_learners_may_not_preview(web, app, session, org, settings):
    version = version_of(session, import_demo(app, session, org, SCORM12))
    assert preview_page(web, version.id).status_code == 302  # to the sign-in page
    make_user(session, org, settings=settings, email="l@example.com", password=PASSWORD)
    session.commit()
    web.login("l@example.com", PASSWORD)
    assert preview_page(web, version.id).status_code == 403


def test_preview_of_another_organizations_version_is_404(
    web, app, session, org, settings
):
    version = version_of(session, import_demo(app, session, org, SCORM12))
    other = make_org(session, slug="other")
    make_user(
        session,
        other,
        settings=settings,
        email="a@other.example",
        password=PASSWORD,
        role=OrgRole.ADMIN,
    )
    session.commit()
    web.login("a@other.example", PASSWORD, organization="other")
    assert preview_page(web, version.id).status_code == 404


def test_preview_refuses_unknown_activities_and_content_that_is_not_scorm(
    admin_web, app, session, org
):
    version = version_of(session, import_demo(app, session, org, SCORM2004))
    missing = preview_page(admin_web, version.id, activity="nope")
    assert missing.status_code == 404
    assert "no activity &#39;nope&#39; in this package" in missing.get_data(
        as_text=True
    )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cmi5.xml", course(au()))
        archive.writestr("index.html", "<html></html>")
    cmi5 = version_of(session, import_demo(app, session, org, buffer.getvalue()))
    refused = preview_page(admin_web, cmi5.id)
    assert refused.status_code == 409
    assert "does not play in the SCORM player" in refused.get_data(as_text=True)


def test_preview_checks_against_strict_scorm_on_request(admin_web, app, session, org):
    version = version_of(session, import_demo(app, session, org, SCORM2004))
    default = player_boot(preview_page(admin_web, version.id).text)["config"]
    assert default["definitions"]["settings"]["strict"] is False
    page = preview_page(admin_web, version.id, strict="1").get_data(as_text=True)
    strict = player_boot(page)["config"]
    assert strict["definitions"]["settings"]["strict"] is True
    assert all("strict=1" in url for url in strict["activityUrls"].values())
    assert "data-api-log" in page and "use the default settings" in page
