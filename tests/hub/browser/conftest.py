"""A live hub (``hub serve`` in its own process) and headless Chromium to drive it."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hub.config import Settings
from tests.hub.conftest import TEST_SECRET, create_postgres_database, postgres_base_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("HUB_TEST_BROWSER") == "required":
            pytest.fail(f"{CHROMIUM} is missing but HUB_TEST_BROWSER=required")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


class LiveHub:
    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url = url
        self.env = env

    def scalar(self, sql: str, **params: object) -> object:
        """One value read from the live hub's database (for waiting on a result)."""
        settings = Settings(
            instance_dir=Path(self.env["HUB_INSTANCE_DIR"]),
            database_url=self.env.get("HUB_DATABASE_URL"),
        )
        engine = create_engine(settings.sqlalchemy_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "hub", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


class NetworkLink:
    """The network between the browser and a live hub, as a TCP relay on its own
    port that can go down and come back: ``down()`` refuses new connections and
    cuts the open ones, as a device that loses its network does.

    Chromium's offline emulation is not enough for the tests of leaving a page
    offline: it does not hold a closing tab's keepalive beacon, which then still
    reaches the server. Nothing passes a relay that is down."""

    def __init__(self, hub: LiveHub) -> None:
        self._target = ("127.0.0.1", int(hub.url.rsplit(":", 1)[1]))
        self._port = _free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.url = f"http://127.0.0.1:{self._port}"
        self.up()

    def up(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self._port))
        threading.Thread(
            target=self._accept, args=(self._listener,), daemon=True
        ).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _cut(listener)  # shutdown() wakes the accept() that close() would not
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for sock in doomed:
            _cut(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the link went down
            try:
                upstream = socket.create_connection(self._target, timeout=10)
            except OSError:
                _cut(client)
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # cut by down() or by the other end
        for sock in (source, sink):
            _cut(sock)


def _cut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed
    sock.close()


@pytest.fixture
def live_hub(request, tmp_path) -> Iterator[LiveHub]:
    """The hub in embedded mode; parametrize indirectly with "worker" for a Celery
    worker on the broker of HUB_TEST_BROKER_URL."""
    mode = getattr(request, "param", "embedded")
    broker = os.environ.get("HUB_TEST_BROKER_URL")
    if mode == "worker" and not broker:
        pytest.skip("HUB_TEST_BROKER_URL is not set (CI sets it)")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_INSTANCE_DIR=str(tmp_path),
        HUB_SECRET_KEY=TEST_SECRET,
        HUB_BASE_URL=f"http://127.0.0.1:{port}",
    )
    if mode == "worker":
        queue = f"hub-live-{uuid.uuid4().hex[:8]}"
        env.update(HUB_BROKER_URL=broker, HUB_TASK_QUEUE=queue)
    if postgres_base_url() is not None:
        env["HUB_DATABASE_URL"] = create_postgres_database(
            f"hub_live_{uuid.uuid4().hex[:8]}"
        )
    hub = LiveHub(f"http://127.0.0.1:{port}", env)
    hub.cli("migrate")
    server = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    if mode == "worker":
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hub",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"{hub.url}/healthz", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield hub
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def sign_in(page, hub: LiveHub, email: str, password: str) -> None:
    """Sign in through the form and wait for the dashboard."""
    page.goto(f"{hub.url}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{hub.url}/dashboard")


@pytest.fixture(scope="module")
def api_hub(tmp_path_factory, request) -> Iterator[LiveHub]:
    """One live hub for the module, with an organization and its API key
    (``hub.key``), for tests that drive it through ``/api/v1``."""
    generator = live_hub.__wrapped__(request, tmp_path_factory.mktemp("api-hub"))
    hub: LiveHub = next(generator)
    hub.cli("create-org", "--slug", "api", "--name", "API")
    hub.key = hub.cli("api-key", "create", "--org", "api", "--name", "t").strip()
    yield hub
    next(generator, None)


def api_call(hub: LiveHub, method: str, path: str, body=None, *, files=None):
    """Call the hub's REST API with the hub's key; the decoded JSON answer.

    ``files``: ``(filename, bytes)`` sent as the multipart field ``file``.
    """
    headers = {"Authorization": f"Bearer {hub.key}"}
    data = None
    if files is not None:
        boundary = "----hubtest"
        name, content = files
        data = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        data += content + f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        hub.url + path, data=data, headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def import_package(hub: LiveHub, name: str, package: bytes) -> dict:
    """Upload a package through the API; its finished import job."""
    job = api_call(hub, "POST", "/api/v1/packages", files=(name, package))
    job = api_call(hub, "GET", job["status_url"])
    assert job["state"] == "succeeded", job["report"]
    return job


def import_course(hub: LiveHub, name: str, package: bytes, **course: object) -> int:
    """Upload a package through the API and make a course of it (with the
    ``course`` fields, e.g. ``runtime_settings``); its id."""
    job = import_package(hub, name, package)
    code = re.sub(r"[^A-Za-z0-9]", "-", name.removesuffix(".zip"))[:60]
    course = api_call(
        hub,
        "POST",
        "/api/v1/courses",
        {"code": code, "title": name, "package_id": job["package_id"], **course},
    )
    return course["id"]


def register(hub: LiveHub, course_id: int, email: str) -> int:
    """Register a learner (made when unknown) on a course through the API; its id."""
    body = {"course_id": course_id, "learner": {"email": email}}
    return api_call(hub, "POST", "/api/v1/registrations", body)["id"]


def launch_link(hub: LiveHub, registration_id: int) -> str:
    """A new one-time launch link for the registration."""
    path = f"/api/v1/registrations/{registration_id}/launch-link"
    return api_call(hub, "POST", path)["url"]
