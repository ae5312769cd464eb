"""HTML/JS pages for cookie-less launches: LTI Client Side postMessages storage.

Specs: LTI Client Side postMessages (https://www.imsglobal.org/spec/lti-cs-pm/v0p1),
LTI postMessage Storage (https://www.imsglobal.org/spec/lti-pm-s/v0p1) and the OIDC
login guide (https://www.imsglobal.org/spec/lti-cs-oidc/v0p1). When the platform sends
``lti_storage_target`` at login initiation, the tool keeps state and nonce in a frame
the platform owns (``lti.put_data``), and reads them back at launch (``lti.get_data``),
so the login survives browsers that block third-party cookies.
"""

import html
import json
from typing import Any

from lti import claims

#: How long the tool waits for the platform frame to answer (a slow platform page may
#: still be loading its storage frame) before falling back.
RESPONSE_TIMEOUT_MS = 5000
#: Messages are resent at this interval until answered (put/get are idempotent).
RESEND_INTERVAL_MS = 200


def _js(value: Any) -> str:
    """Serialise ``value`` for a ``<script>`` block (no ``</script>`` break-out)."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


# lti-pm-s §2: messages go to the named frame of the parent (or opener) window, or to
# the parent itself for "_parent"; targetOrigin is the platform's OIDC auth origin, and
# responses are only accepted from that origin with the same message_id.
_STORAGE_JS = """
function ltiTarget(name) {
  var base = window.opener || window.parent;
  if (name === "_parent") { return base; }
  try { return base.frames[name] || null; } catch (e) { return null; }
}
function ltiSend(cfg, subject, payload) {
  return new Promise(function (resolve, reject) {
    var target = ltiTarget(cfg.target);
    if (!target) { reject(new Error("no storage frame")); return; }
    var id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    var message = {subject: subject, message_id: id};
    for (var k in payload) { message[k] = payload[k]; }
    function send() { target.postMessage(message, cfg.origin); }
    // The platform's storage frame may still be loading: resend until it answers.
    var resend = setInterval(send, %(resend)d);
    var timer = setTimeout(function () {
      clearInterval(resend);
      window.removeEventListener("message", onMessage);
      reject(new Error("timeout"));
    }, %(timeout)d);
    function onMessage(event) {
      var data = event.data || {};
      if (event.origin !== cfg.origin || data.message_id !== id ||
          data.subject !== subject + ".response") { return; }
      clearTimeout(timer);
      clearInterval(resend);
      window.removeEventListener("message", onMessage);
      if (data.error) { reject(new Error(data.error.code || "error")); }
      else { resolve(data); }
    }
    window.addEventListener("message", onMessage);
    send();
  });
}
""".replace("%(timeout)d", str(RESPONSE_TIMEOUT_MS)).replace(
    "%(resend)d", str(RESEND_INTERVAL_MS)
)


def _page(title: str, body: str, script: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{body}"
        f"<script>{script}</script></body></html>"
    )


def storage_login_page(
    *,
    auth_url: str,
    state: str,
    nonce: str,
    storage_target: str,
    platform_origin: str,
    new_window_url: str,
) -> str:
    """Return the login page that stores state and nonce in platform storage.

    On success the page navigates to the platform's auth endpoint. If the platform
    storage does not answer, it still navigates (the state cookie may work); the launch
    then offers the new window when neither mechanism bound the state.

    Args:
        auth_url: The full OIDC authentication request URL.
        state: The login's state.
        nonce: The login's nonce.
        storage_target: The ``lti_storage_target`` frame name sent by the platform.
        platform_origin: The origin of the platform's OIDC auth endpoint.
        new_window_url: Login initiation URL to reopen in a first-party window.

    Returns:
        The HTML document.
    """
    config = {"target": storage_target, "origin": platform_origin}
    script = _STORAGE_JS + (
        f"var cfg = {_js(config)}; var authUrl = {_js(auth_url)};"
        f"Promise.all([ltiSend(cfg, {_js(claims.PM_PUT_DATA)}, "
        f"{{key: {_js('lti1p3_state_' + state)}, value: {_js(state)}}}),"
        f"ltiSend(cfg, {_js(claims.PM_PUT_DATA)}, "
        f"{{key: {_js('lti1p3_nonce_' + nonce)}, value: {_js(nonce)}}})])"
        ".then(function () { window.location.replace(authUrl); },"
        " function () { window.location.replace(authUrl); });"
    )
    body = (
        '<p>Loading…</p><noscript><a href="'
        f'{html.escape(new_window_url)}" target="_blank">Open in a new window</a>'
        "</noscript>"
    )
    return _page("Signing in", body, script)


def cookie_login_page(*, auth_url: str, new_window_url: str) -> str:
    """Return the login page for platforms without storage: test cookies, then go.

    If the browser accepts a cookie in this frame, the page navigates to the auth
    endpoint; otherwise it offers to reopen the login in a new window, where the tool's
    cookies are first-party.

    Args:
        auth_url: The full OIDC authentication request URL.
        new_window_url: Login initiation URL with ``lti1p3_new_window=1``.

    Returns:
        The HTML document.
    """
    script = (
        f"var authUrl = {_js(auth_url)};"
        'document.cookie = "lti1p3_test=1; path=/; SameSite=None; Secure; Partitioned";'
        'if (document.cookie.indexOf("lti1p3_test=1") !== -1) {'
        " window.location.replace(authUrl);"
        '} else { document.getElementById("lti-new-window").style.display = "block"; }'
    )
    body = (
        '<div id="lti-new-window" style="display:none"><p>Your browser blocks the '
        'cookies this tool needs inside the course page.</p><p><a href="'
        f'{html.escape(new_window_url)}" target="_blank" rel="opener">'
        "Open in a new window</a></p></div>"
    )
    return _page("Signing in", body, script)


def storage_check_page(
    *,
    storage_target: str,
    platform_origin: str,
    state: str,
    nonce: str,
    complete_url: str,
    launch_id: str,
    new_window_url: str | None = None,
) -> str:
    """Return the launch page that reads state and nonce back from platform storage.

    lti-cs-oidc §4: the values fetched with ``lti.get_data`` must equal the launch's
    state and the id_token's nonce; the page then posts them, with the pending launch
    id, to ``complete_url`` (``LaunchValidator.complete_storage_check``).

    Args:
        storage_target: The ``lti_storage_target`` frame name.
        platform_origin: The origin of the platform's OIDC auth endpoint.
        state: The launch's state.
        nonce: The id_token's nonce.
        complete_url: Where the form is posted after the check.
        launch_id: The pending launch id.
        new_window_url: The login to reopen in a first-party window, offered when
            the platform does not answer (neither cookies nor storage work here).

    Returns:
        The HTML document.
    """
    config = {"target": storage_target, "origin": platform_origin}
    script = _STORAGE_JS + (
        f"var cfg = {_js(config)};"
        f"Promise.all([ltiSend(cfg, {_js(claims.PM_GET_DATA)}, "
        f"{{key: {_js('lti1p3_state_' + state)}}}),"
        f"ltiSend(cfg, {_js(claims.PM_GET_DATA)}, "
        f"{{key: {_js('lti1p3_nonce_' + nonce)}}})])"
        ".then(function (r) {"
        ' var form = document.getElementById("lti-complete");'
        " form.elements.state.value = r[0].value;"
        " form.elements.nonce.value = r[1].value;"
        " form.submit();"
        "}, function () {"
        ' document.getElementById("lti-failed").style.display = "block"; });'
    )
    body = (
        f'<form id="lti-complete" method="post" action="{html.escape(complete_url)}">'
        f'<input type="hidden" name="launch_id" value="{html.escape(launch_id)}">'
        '<input type="hidden" name="state" value=""><input type="hidden" name="nonce" '
        'value=""></form><div id="lti-failed" style="display:none"><p>This launch '
        "could not be verified in the course page: your browser blocks the cookies "
        "this tool needs there, and the platform did not keep them either.</p>"
        + (
            f'<p><a href="{html.escape(new_window_url)}" target="_blank" '
            'rel="opener">Open in a new window</a></p>'
            if new_window_url
            else "<p>Please launch the tool again from the course.</p>"
        )
        + "</div>"
    )
    return _page("Launching", body, script)
