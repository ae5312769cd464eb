"""Launchable files of package versions, at stable URLs, to those allowed to see them.

``/content/<version_id>/<path>``: versions are immutable, so a URL always means the
same bytes; ``send_file`` answers conditional and Range requests (video seeking).
"""

from __future__ import annotations

import mimetypes

from flask import Blueprint, current_app, request, send_file

from hub.errors import NotFoundError
from hub.extensions import db
from hub.services import packages
from hub.web.security import current_actor, login_required

bp = Blueprint("content", __name__)

# Types that the platform's mime database may lack or get wrong for web content.
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".swf": "application/x-shockwave-flash",
    ".txt": "text/plain",
}

# Authored content runs its own scripts (SCORM needs them); it may only be framed here.
CONTENT_CSP = "frame-ancestors 'self'"
# The same page opened outside the hub's player: its scripts run, in an opaque origin.
SANDBOXED_CSP = (
    f"{CONTENT_CSP}; sandbox allow-scripts allow-forms allow-popups allow-modals "
    "allow-downloads"
)


def content_policy(fetched_by: str | None) -> str:
    """The policy of a package file, by who asked for it (``Sec-Fetch-Site``).

    A package's pages run on the hub's origin so that a SCO can find the player's
    API (``window.parent.API``), and so with the session of whoever views them. The
    player asks for them itself: its frame, the window it opens and the SCO's own
    links all come with ``Sec-Fetch-Site: same-origin`` (Fetch Metadata; a reload
    keeps it). A page opened any other way, by a link in an e-mail or on another
    site, a bookmark or a typed address, is sandboxed without ``allow-same-origin``:
    it still renders and runs its scripts, but in an opaque origin that holds
    nobody's session. Browsers that send no Fetch Metadata get the page as before.
    """
    return CONTENT_CSP if fetched_by in (None, "same-origin") else SANDBOXED_CSP


def content_type(path: str) -> str:
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    return (
        CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(path)[0]
        or ("application/octet-stream")
    )


@bp.get("/content/<int:version_id>/<path:relpath>")
@login_required
def file(version_id: int, relpath: str):
    version = packages.delivered_version(
        db.session, actor=current_actor(), version_id=version_id
    )
    stored = current_app.extensions["hub.storage"].file(version.storage_key, relpath)
    if stored is None:
        raise NotFoundError(f"'{relpath}' is not in this package")
    response = send_file(
        stored.path,
        mimetype=content_type(relpath),
        conditional=True,
        etag=True,
        last_modified=stored.mtime,
        max_age=3600,
    )
    # No charset is added: authored pages declare their own (<meta charset>), and a
    # header charset would override it.
    response.headers["Content-Type"] = content_type(relpath)
    # Immutable per version, but personal: browsers may keep it, shared caches not.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = content_policy(
        request.headers.get("Sec-Fetch-Site")
    )
    # The browser's cache must not answer a navigation from elsewhere with the copy
    # the player fetched, which has no sandbox.
    response.vary.add("Sec-Fetch-Site")
    return response
