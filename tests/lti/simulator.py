"""An LTI 1.3 platform simulator served over real HTTP on 127.0.0.1.

It has its own RSA key, JWKS, OpenID configuration, dynamic registration, token,
AGS (line items, scores, results) and NRPS (paged memberships) endpoints, signs
id_tokens like an authorization endpoint would, and can fail on purpose (503s) to
drive outage tests. The hub's functional tests and benchmark can reuse it.
"""

import functools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization

from lti import claims

from .conftest import PlatformKey, make_key

SCORE_SCOPES = [
    claims.SCOPE_LINEITEM,
    claims.SCOPE_LINEITEM_READONLY,
    claims.SCOPE_RESULT_READONLY,
    claims.SCOPE_SCORE,
    claims.SCOPE_NRPS_MEMBERSHIP_READONLY,
]


@dataclass
class Client:
    """A tool registered on the simulated platform."""

    client_id: str
    deployment_id: str
    jwks_uri: str
    redirect_uris: list[str]
    scopes: list[str]


@dataclass
class SimState:
    key: PlatformKey = field(default_factory=lambda: make_key("sim-k1"))
    clients: dict[str, Client] = field(default_factory=dict)
    registration_token: str = "reg-token-1"
    tokens: dict[str, tuple[str, list[str], float]] = field(default_factory=dict)
    token_requests: int = 0
    line_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    score_posts: int = 0
    # Accepted score POSTs per (line item, user), and when the last one arrived
    # (time.time()): the benchmark checks that every score landed exactly once.
    score_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    last_score_at: float = 0.0
    fail_scores: int = 0
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    tool_jwks: Callable[[], dict[str, Any]] | None = None
    login_targets: dict[str, str] = field(default_factory=dict)


@functools.cache
def _signing_key(private_pem: bytes) -> Any:
    # Parsed once per key: loading a PEM checks the RSA key, which costs more than
    # the signature itself.
    return serialization.load_pem_private_key(private_pem, password=None)


class _Handler(BaseHTTPRequestHandler):
    sim: "PlatformSimulator"
    # Keep-alive, as platforms offer: a tool's HTTP session reuses its connection.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        return

    def _send(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self._request_body

    def _dispatch(self, method: str) -> None:
        # Read every body, even of a request answered with an error: on a keep-alive
        # connection unread bytes would be parsed as the next request.
        self._request_body = self.rfile.read(
            int(self.headers.get("Content-Length") or 0)
        )
        try:
            self.sim.route(self, method)
        except Exception as exc:  # a simulator bug becomes a visible 500, not a hang
            self._send(500, {"error": repr(exc)})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")


class PlatformSimulator:
    """Start with ``with PlatformSimulator() as sim:``; ``sim.url`` is its issuer."""

    def __init__(self) -> None:
        self.state = SimState()
        handler = type("Handler", (_Handler,), {"sim": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()

    def __enter__(self) -> "PlatformSimulator":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- the browser-facing side ---------------------------------------------------

    @property
    def config_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def login_initiation(self, client_id: str, target_link_uri: str) -> dict[str, str]:
        """Parameters the platform sends to the tool's login initiation URL."""
        self.state.login_targets[client_id] = target_link_uri
        return {
            "iss": self.url,
            "login_hint": "user-1",
            "target_link_uri": target_link_uri,
            "lti_message_hint": "rl-1",
            "client_id": client_id,
            "lti_deployment_id": self.state.clients[client_id].deployment_id,
        }

    def authorize(self, auth_url: str, **claim_overrides: Any) -> dict[str, str]:
        """Act as the authorization endpoint: return the form posted to the tool."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
        client = self.state.clients[query["client_id"]]
        assert query["redirect_uri"] in client.redirect_uris
        assert (query["scope"], query["response_type"]) == ("openid", "id_token")
        target = self.state.login_targets[client.client_id]
        body = self.launch_claims(client, query["nonce"], target)
        body.update(claim_overrides)
        token = jwt.encode(
            body,
            _signing_key(self.state.key.private_pem),
            "RS256",
            headers={"kid": self.state.key.kid},
        )
        return {"id_token": token, "state": query["state"]}

    def launch_claims(self, client: Client, nonce: str, target: str) -> dict[str, Any]:
        now = int(time.time())
        context_url = f"{self.url}/contexts/ctx-1"
        return {
            "iss": self.url,
            "aud": client.client_id,
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Ada Lovelace",
            claims.MESSAGE_TYPE: claims.MESSAGE_TYPE_RESOURCE_LINK,
            claims.VERSION: claims.LTI_VERSION,
            claims.DEPLOYMENT_ID: client.deployment_id,
            claims.TARGET_LINK_URI: target,
            claims.RESOURCE_LINK: {"id": "rl-1", "title": "Unit 1"},
            claims.ROLES: [claims.ROLE_LEARNER],
            claims.CONTEXT: {"id": "ctx-1", "title": "Biology"},
            claims.AGS_ENDPOINT: {
                "scope": [s for s in client.scopes if "lti-ags" in s],
                "lineitems": context_url + "/lineitems",
            },
            claims.NRPS_SERVICE: {
                "context_memberships_url": context_url + "/memberships",
                "service_versions": ["2.0"],
            },
        }

    def verify_tool_jwt(
        self, token: str, client_id: str, audience: str
    ) -> dict[str, Any]:
        """Verify a JWT the tool signed, with the keys at the tool's jwks_uri."""
        if self.state.tool_jwks is not None:
            jwks = self.state.tool_jwks()
        else:
            jwks_uri = self.state.clients[client_id].jwks_uri
            jwks = requests.get(jwks_uri, timeout=5).json()
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
        return jwt.decode(
            token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=audience
        )

    # --- HTTP routes ---------------------------------------------------------------

    def route(self, handler: _Handler, method: str) -> None:
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        routes = {
            ("GET", "/.well-known/openid-configuration"): self._configuration,
            ("POST", "/register"): self._register,
            ("GET", "/jwks"): self._jwks,
            ("POST", "/token"): self._token,
        }
        action = routes.get((method, path))
        if action is not None:
            action(handler)
        elif path.startswith("/contexts/") and path.count("/") >= 3:
            context, rest = path.removeprefix("/contexts/").split("/", 1)
            self._service(
                handler, method, f"{self.url}/contexts/{context}", rest, query
            )
        else:
            handler._send(404, {"error": "not found"})

    def _configuration(self, handler: _Handler) -> None:
        if (
            handler.headers.get("Authorization")
            != f"Bearer {self.state.registration_token}"
        ):
            handler._send(401, {"error": "registration token required"})
            return
        handler._send(
            200,
            {
                "issuer": self.url,
                "authorization_endpoint": self.url + "/auth",
                "token_endpoint": self.url + "/token",
                "jwks_uri": self.url + "/jwks",
                "registration_endpoint": self.url + "/register",
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", *SCORE_SCOPES],
                claims.DR_PLATFORM_CONFIGURATION: {"product_family_code": "simulator"},
            },
        )

    def _register(self, handler: _Handler) -> None:
        if (
            handler.headers.get("Authorization")
            != f"Bearer {self.state.registration_token}"
        ):
            handler._send(401, {"error": "invalid registration token"})
            return
        request = json.loads(handler._body())
        client = Client(
            client_id=f"client-{len(self.state.clients) + 1}",
            deployment_id=f"deployment-{len(self.state.clients) + 1}",
            jwks_uri=request["jwks_uri"],
            redirect_uris=request["redirect_uris"],
            scopes=request["scope"].split(),
        )
        self.state.clients[client.client_id] = client
        answer = dict(request, client_id=client.client_id)
        tool_config = dict(request[claims.DR_TOOL_CONFIGURATION])
        tool_config["deployment_id"] = client.deployment_id
        answer[claims.DR_TOOL_CONFIGURATION] = tool_config
        handler._send(200, answer)

    def _jwks(self, handler: _Handler) -> None:
        handler._send(200, {"keys": [self.state.key.jwk]})

    def _token(self, handler: _Handler) -> None:
        form = {k: v[0] for k, v in parse_qs(handler._body().decode()).items()}
        assertion = form["client_assertion"]
        client_id = jwt.decode(assertion, options={"verify_signature": False})["iss"]
        self.verify_tool_jwt(assertion, client_id, self.url + "/token")
        with self._lock:
            self.state.token_requests += 1
            token = uuid.uuid4().hex
            self.state.tokens[token] = (
                client_id,
                form["scope"].split(),
                time.time() + 3600,
            )
        handler._send(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        )

    def _authorized(self, handler: _Handler, scope: str) -> bool:
        bearer = (handler.headers.get("Authorization") or "").removeprefix("Bearer ")
        grant = self.state.tokens.get(bearer)
        return grant is not None and scope in grant[1] and grant[2] > time.time()

    def _service(
        self,
        handler: _Handler,
        method: str,
        base: str,
        path: str,
        query: dict[str, list[str]],
    ) -> None:
        # Every context ("/contexts/<id>/...") shares the one set of line items.
        if path == "memberships" and method == "GET":
            self._memberships(handler, query)
        elif path == "lineitems":
            self._line_items(handler, method, query)
        elif path.endswith("/scores") and method == "POST":
            self._score(handler, f"{base}/{path.removesuffix('/scores')}")
        elif path.endswith("/results") and method == "GET":
            self._results(handler, f"{base}/{path.removesuffix('/results')}")
        else:
            handler._send(404, {"error": "unknown service"})

    def _memberships(self, handler: _Handler, query: dict[str, list[str]]) -> None:
        if not self._authorized(handler, claims.SCOPE_NRPS_MEMBERSHIP_READONLY):
            handler._send(401, {"error": "unauthorized"})
            return
        page = int(query.get("page", ["0"])[0])
        size = self.state.page_size
        members = self.state.members[page * size : (page + 1) * size]
        headers = {}
        base = f"{self.url}/contexts/ctx-1/memberships"
        if (page + 1) * size < len(self.state.members):
            headers["Link"] = f'<{base}?{urlencode({"page": page + 1})}>; rel="next"'
        else:
            headers["Link"] = f'<{base}?since=42>; rel="differences"'
        handler._send(
            200, {"id": base, "context": {"id": "ctx-1"}, "members": members}, headers
        )

    def _line_items(
        self, handler: _Handler, method: str, query: dict[str, list[str]]
    ) -> None:
        if not self._authorized(handler, claims.SCOPE_LINEITEM):
            handler._send(401, {"error": "unauthorized"})
            return
        if method == "POST":
            item = json.loads(handler._body())
            item["id"] = (
                f"{self.url}/contexts/ctx-1/lineitems/{len(self.state.line_items) + 1}"
            )
            self.state.line_items[item["id"]] = item
            handler._send(201, item)
            return
        wanted = {k: v[0] for k, v in query.items()}
        names = {
            "resource_link_id": "resourceLinkId",
            "resource_id": "resourceId",
            "tag": "tag",
        }
        items = [
            item
            for item in self.state.line_items.values()
            if all(item.get(names[k]) == v for k, v in wanted.items() if k in names)
        ]
        handler._send(200, items)

    def _score(self, handler: _Handler, item: str) -> None:
        body = json.loads(handler._body())
        with self._lock:
            self.state.score_posts += 1
            if self.state.fail_scores > 0:
                self.state.fail_scores -= 1
                handler._send(503, {"error": "maintenance"})
                return
        if not self._authorized(handler, claims.SCOPE_SCORE):
            handler._send(401, {"error": "unauthorized"})
            return
        key = (item, body["userId"])
        with self._lock:
            current = self.state.scores.get(key)
            # AGS §3.4: an older timestamp than the stored score is ignored.
            if current is None or body["timestamp"] > current["timestamp"]:
                self.state.scores[key] = body
            self.state.score_counts[key] = self.state.score_counts.get(key, 0) + 1
            self.state.last_score_at = time.time()
        handler._send(204)

    def _results(self, handler: _Handler, item: str) -> None:
        if not self._authorized(handler, claims.SCOPE_RESULT_READONLY):
            handler._send(401, {"error": "unauthorized"})
            return
        results = [
            {
                "userId": user,
                "resultScore": score.get("scoreGiven"),
                "resultMaximum": score.get("scoreMaximum"),
                "scoreOf": item,
            }
            for (line_item, user), score in self.state.scores.items()
            if line_item == item
        ]
        handler._send(200, results)
