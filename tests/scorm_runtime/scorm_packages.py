"""Run a package's first SCO on the browser adapter in Chromium (test helper).

Serves the unpacked package from a fake origin, installs the adapter in a player
page that logs every API call, loads the SCO in an iframe, then unloads it.
"""

import json
import mimetypes
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from scorm_runtime import apply_commit, definitions

CHROMIUM = Path("/usr/bin/chromium")
ADAPTER = Path(__file__).resolve().parents[2] / "hub/static/js/scorm-api.js"
ORIGIN = "http://scorm.test/"

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


def resources_of(manifest: ElementTree.Element) -> dict[str, dict]:
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


def closure(resources: dict, identifier: str, seen: set) -> list[str]:
    if identifier in seen or identifier not in resources:
        return []
    seen.add(identifier)
    files = list(resources[identifier]["files"])
    for dependency in resources[identifier]["dependencies"]:
        files += closure(resources, dependency, seen)
    return files


def first_launch(manifest: ElementTree.Element) -> tuple[str, list[str], str]:
    """(launch URL, files the SCO needs, schemaversion) of the first launchable item."""
    resources = resources_of(manifest)
    version = next(
        (e.text or "" for e in manifest.iter() if _local(e.tag) == "schemaversion"), ""
    )
    for item in manifest.iter():
        resource = resources.get(item.get("identifierref") or "")
        if _local(item.tag) == "item" and resource and resource["href"]:
            parameters = item.get("parameters") or ""
            if parameters and not parameters.startswith(("?", "#")):
                parameters = "?" + parameters
            needed = closure(resources, item.get("identifierref"), set())
            return resource["href"] + parameters, needed, version.strip()
    return "", [], version.strip()


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


def version_of(standard: str, edition: str) -> str:
    """The runtime version for a manifest's standard and (schema)version text."""
    if standard == "SCORM" or edition.strip() == "1.2":
        return "1.2"
    if "4th" in edition:
        return "2004-4th"
    if "2nd" in edition or edition.strip() == "CAM 1.3":
        return "2004-2nd"
    return "2004-3rd"


def missing_files(root: Path, launch: str, needed: list[str]) -> list[str]:
    """Files the first SCO needs that the package does not contain."""
    wanted = [f for f in [launch.partition("?")[0].partition("#")[0], *needed] if f]
    return [f for f in wanted if not (root / f).is_file()]


@contextmanager
def chromium():
    """A headless Chromium browser (the caller skips when Playwright is absent)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def run_first_sco(browser, root: Path, launch: str, state) -> dict:
    """Load the SCO at ``launch`` under the adapter; return what happened.

    Returns:
        ``{"loaded": readyState, "calls": [[name, args, result, error]], "batches"}``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    player = PLAYER.format(
        adapter=ADAPTER.read_text(encoding="utf-8"),
        definitions=json.dumps(definitions(state.version)),
        state=json.dumps(state.to_dict()),
        launch=launch,
    )
    page = browser.new_page()
    try:
        page.route("**/*", _serve(root, player))
        page.goto(ORIGIN + "__player__.html", wait_until="load")
        try:  # content-packaging samples never call the API: no wait beyond 3 s
            page.wait_for_function("window.calls.length > 0", timeout=3000)
        except PlaywrightTimeout:
            pass
        page.wait_for_timeout(500)  # the SCO finishes its onload work
        loaded = page.evaluate(
            "document.querySelector('iframe').contentDocument.readyState"
        )
        page.evaluate("document.querySelector('iframe').src = 'about:blank'")
        page.wait_for_timeout(500)  # unload handlers call Terminate / LMSFinish
        return {
            "loaded": loaded,
            "calls": page.evaluate("window.calls"),
            "batches": page.evaluate("window.batches"),
        }
    finally:
        page.close()


def commit_batches(state, batches):
    """Apply the adapter's batches with apply_commit; return (state, errors)."""
    errors = []
    for batch in batches:
        result = apply_commit(
            state,
            batch["changes"],
            version=state.version,
            seq=batch["seq"],
            tab=batch["meta"]["tab"],
            terminate=batch["meta"]["terminate"],
        )
        errors += result.errors
        state = result.state
    return state, errors


def api_errors(calls: list) -> list:
    """Calls that failed; 403 is how 2004 answers a first read of e.g. location."""
    return [call for call in calls if call[3] not in ("0", "403")]
