"""Every real-world SCORM package of ../shared/corpus (not INTENTIONALLY INVALID, and
shipping the files its first SCO needs) imports through the hub, launches in the
hub's player, initializes, and has every value it commits accepted by the server."""

import re
import zipfile
from pathlib import PurePosixPath

import pytest

import importers
from tests.corpus import corpus_entries, requires_corpus
from tests.hub.browser.conftest import api_call, import_course, launch_link, register

pytestmark = [pytest.mark.browser, pytest.mark.corpus, requires_corpus]


def _needed_files(package: importers.Package) -> tuple[str, list[str]]:
    """The first launch target's URL and every file its resource closure lists."""
    target = package.launch_targets[0]
    by_id = {r.identifier: r for r in package.resources}
    item_ref = {
        i.identifier: i.identifierref
        for org in package.organizations
        for i in _items(org.items)
    }
    needed, todo, seen = [], [item_ref.get(target.identifier)], set()
    while todo:
        ident = todo.pop()
        if ident in seen or ident not in by_id:
            continue
        seen.add(ident)
        needed += list(by_id[ident].files)
        todo += list(by_id[ident].dependencies)
    return target.url, needed


def _items(items):
    for item in items:
        yield item
        yield from _items(item.children)


def runnable_packages():
    cases = []
    for entry in corpus_entries("scorm12/") + corpus_entries("scorm2004/"):
        if entry.intentionally_invalid or not entry.path.is_file():
            continue
        result = importers.read_package(entry.path)
        if result.package is None or not result.package.launch_targets:
            continue
        url, needed = _needed_files(result.package)
        names = set(zipfile.ZipFile(entry.path).namelist())
        root = result.package.root
        wanted = [url.partition("?")[0].partition("#")[0], *needed]
        if all(
            str(PurePosixPath(root) / f) in names or (root + f) in names for f in wanted
        ):
            cases.append(pytest.param(entry.path, id=entry.file))
    return cases


CASES = runnable_packages()


def _calls_api(path) -> bool:
    """Whether the package's first launch page talks to the API at all (the golf
    content-packaging examples launch a static "not implemented" page)."""
    result = importers.read_package(path)
    url = result.package.launch_targets[0].url.partition("?")[0]
    root = result.package.root
    with zipfile.ZipFile(path) as zf:
        names = {n: n for n in zf.namelist()}
        page = zf.read(names.get(root + url) or names[url]).decode("utf-8", "replace")
        scripts = [n for n in zf.namelist() if n.endswith(".js")]
        text = page + "".join(zf.read(n).decode("utf-8", "replace") for n in scripts)
    return "Initialize" in text and "<script" in page


@pytest.mark.skipif(not CASES, reason="no runnable SCORM package in the corpus")
@pytest.mark.parametrize("path", CASES)
def test_corpus_package_runs_its_first_sco_in_the_player(api_hub, browser, path):
    hub = api_hub
    course_id = import_course(hub, path.name, path.read_bytes())
    code = re.sub(r"[^A-Za-z0-9]", "-", path.stem)[:60]
    registration_id = register(hub, course_id, f"{code.lower()}@example.com")
    page = browser.new_page()
    page.goto(launch_link(hub, registration_id))
    page.wait_for_url("**/play/*")
    # The player installs the API once its launch request has answered (the frame's
    # body is there before, while it still shows about:blank).
    page.wait_for_function("() => window.hubPlayer !== undefined")
    page.frame_locator("#sco").locator("body").wait_for(state="attached")
    # Give the SCO time to start (some of these launch pages never call the API).
    page.wait_for_function(
        "() => window.hubPlayer.adapter.phase !== 'not-initialized'", timeout=10_000
    ) if _calls_api(path) else page.wait_for_timeout(1_000)
    calls = page.evaluate("() => window.hubPlayer.calls")
    # 403 "Data Model Element Value Not Initialized" is the answer the SCORM 2004 RTE
    # book requires for GetValue of an element nobody has set yet (a first
    # cmi.location): not a failure.
    failed = [
        c
        for c in calls
        if c["error"] != 0 and not (c["method"] == "GetValue" and c["error"] == 403)
    ]
    assert failed == [], failed
    if page.evaluate("() => window.hubPlayer.adapter.phase") == "running":
        commit = (
            "LMSCommit"
            if "LMSCommit"
            in page.evaluate("() => Object.keys(window.hubPlayer.adapter.api)")
            else "Commit"
        )
        assert (
            page.evaluate(f"() => window.hubPlayer.adapter.api.{commit}('')") == "true"
        )
    report = api_call(hub, "GET", f"/api/v1/registrations/{registration_id}")
    refused = [e for e in report["events"] if e["kind"] == "refused_value"]
    assert refused == [], refused
    page.close()
