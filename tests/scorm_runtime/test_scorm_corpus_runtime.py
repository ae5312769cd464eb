"""Real packages from ../shared/corpus run their first SCO on the adapter without
API errors, and the server accepts every batch the adapter sends (issue 4).
"""

import json
import mimetypes
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pytest

from scorm_runtime import apply_commit, definitions, new_attempt_state
from tests.corpus import corpus_entries, requires_corpus

CHROMIUM = Path("/usr/bin/chromium")
ADAPTER = Path(__file__).resolve().parents[2] / "hub/static/js/scorm-api.js"
ORIGIN = "http://scorm.test/"
playwright_api = pytest.importorskip("playwright.sync_api")
ENTRIES = [
    entry
    for entry in corpus_entries("scorm12/") + corpus_entries("scorm2004/")
    if not entry.intentionally_invalid
]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.browser,
    requires_corpus,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"
    ),
]

# The player page: installs the adapter on window and logs every API call.
PLAYER = """<html><body><script>{adapter}</script><script>
window.calls = []; window.batches = [];
var adapter = InteropScorm.install({{
  definitions: {definitions}, state: {state}, attemptKey: "corpus",
  transport: {{commit: function (changes, seq, meta) {{
    window.batches.push({{changes: changes, seq: seq, meta: meta}});
    return Promise.resolve();
  }}}}
}});
var api = window.API || window.API_1484_11;
Object.keys(api).forEach(function (name) {{
  var original = api[name];
  if (typeof original !== "function" || /Error|Diagnostic/.test(name)) return;
  api[name] = function () {{
    var result = original.apply(null, arguments);
    window.calls.push([name, Array.from(arguments).map(String), String(result),
                       String(adapter.lastError)]);
    return result;
  }};
}});
</script><iframe src="{launch}" width="800" height="600"></iframe></body></html>"""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _base(element: ElementTree.Element) -> str:
    return next((v for k, v in element.attrib.items() if _local(k) == "base"), "")


def _resources(manifest: ElementTree.Element) -> dict[str, dict]:
    """identifier -> {href, files, dependencies} with xml:base applied."""
    found = {}
    for parent in manifest.iter():
        if _local(parent.tag) != "resources":
            continue
        for resource in parent:
            if _local(resource.tag) != "resource":
                continue
            base = _base(parent) + _base(resource)
            children = list(resource)
            found[resource.get("identifier")] = {
                "href": base + resource.get("href", "") if resource.get("href") else "",
                "files": [
                    base + c.get("href", "")
                    for c in children
                    if _local(c.tag) == "file"
                ],
                "dependencies": [
                    c.get("identifierref")
                    for c in children
                    if _local(c.tag) == "dependency"
                ],
            }
    return found


def _closure(resources: dict, identifier: str, seen: set) -> list[str]:
    if identifier in seen or identifier not in resources:
        return []
    seen.add(identifier)
    files = list(resources[identifier]["files"])
    for dependency in resources[identifier]["dependencies"]:
        files += _closure(resources, dependency, seen)
    return files


def _first_launch(manifest: ElementTree.Element) -> tuple[str, list[str], str]:
    """(launch URL, files the SCO needs, schemaversion) of the first launchable item."""
    resources = _resources(manifest)
    version = next(
        (e.text or "" for e in manifest.iter() if _local(e.tag) == "schemaversion"), ""
    )
    for item in manifest.iter():
        resource = resources.get(item.get("identifierref") or "")
        if _local(item.tag) == "item" and resource and resource["href"]:
            parameters = item.get("parameters") or ""
            if parameters and not parameters.startswith(("?", "#")):
                parameters = "?" + parameters
            needed = _closure(resources, item.get("identifierref"), set())
            return resource["href"] + parameters, needed, version.strip()
    return "", [], version.strip()


def _version(entry, schemaversion: str) -> str:
    if entry.standard == "SCORM":
        return "1.2"
    if "4th" in entry.edition or "4th" in schemaversion:
        return "2004-4th"
    if "2nd" in entry.edition or schemaversion == "CAM 1.3":
        return "2004-2nd"
    return "2004-3rd"


def _extract(entry, target: Path) -> Path | None:
    with zipfile.ZipFile(entry.path) as archive:
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if name.endswith("/") or ".." in parts or name.startswith("/"):
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(name))
    manifest = target / "imsmanifest.xml"
    return manifest if manifest.is_file() else None


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        yield browser
        browser.close()


def _serve(root: Path, player: str):
    def handle(route):
        url = route.request.url
        if not url.startswith(ORIGIN):
            return route.abort()
        path = url[len(ORIGIN) :].split("?", 1)[0].split("#", 1)[0]
        if path == "__player__.html":
            return route.fulfill(body=player, content_type="text/html")
        file = root / path
        if not file.is_file():
            return route.fulfill(status=404, body="")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return route.fulfill(body=file.read_bytes(), content_type=kind)

    return handle


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.file for e in ENTRIES])
def test_corpus_first_sco_runs_without_api_errors(browser, entry, tmp_path):
    manifest_path = _extract(entry, tmp_path)
    if manifest_path is None:
        pytest.skip("no imsmanifest.xml at the package root")
    try:
        root = ElementTree.parse(manifest_path).getroot()
    except ElementTree.ParseError:
        pytest.skip("imsmanifest.xml has no manifest element (EDGE package)")
    launch, needed, schemaversion = _first_launch(root)
    missing = [f for f in [launch.split("?")[0].split("#")[0], *needed] if f]
    missing = [f for f in missing if not (tmp_path / f).is_file()]
    if not launch or missing:
        pytest.skip(f"first SCO is incomplete in the package: {missing[:3]}")
    version = _version(entry, schemaversion)
    state = new_attempt_state(version, learner_id="corpus-1", learner_name="Corpus")
    player = PLAYER.format(
        adapter=ADAPTER.read_text(encoding="utf-8"),
        definitions=json.dumps(definitions(version)),
        state=json.dumps(state.to_dict()),
        launch=launch,
    )
    page = browser.new_page()
    try:
        page.route("**/*", _serve(tmp_path, player))
        page.goto(ORIGIN + "__player__.html", wait_until="load")
        try:  # content-packaging samples never call the API: no wait beyond 3 s
            page.wait_for_function("window.calls.length > 0", timeout=3000)
        except playwright_api.TimeoutError:
            pass
        page.wait_for_timeout(500)  # the SCO finishes its onload work
        loaded = page.evaluate(
            "document.querySelector('iframe').contentDocument.readyState"
        )
        page.evaluate("document.querySelector('iframe').src = 'about:blank'")
        page.wait_for_timeout(500)  # unload handlers call Terminate / LMSFinish
        calls = page.evaluate("window.calls")
        batches = page.evaluate("window.batches")
    finally:
        page.close()
    assert loaded == "complete"
    # Content-packaging samples never call the API; a SCO that does starts with
    # Initialize and gets "true".
    if calls:
        assert calls[0][0] in ("LMSInitialize", "Initialize")
        assert calls[0][2] == "true"
    # 403 "not initialized" is how 2004 answers a first read of e.g. cmi.location.
    errors = [call for call in calls if call[3] not in ("0", "403")]
    assert errors == []
    for batch in batches:
        result = apply_commit(
            state,
            batch["changes"],
            version=version,
            seq=batch["seq"],
            tab=batch["meta"]["tab"],
            terminate=batch["meta"]["terminate"],
        )
        assert result.errors == []
        state = result.state
