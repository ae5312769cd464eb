"""Runtime benchmark: concurrent SCORM learners committing to the hub, against raw upserts.

Run on demand, not in the test suite: ``.venv/bin/python benchmarks/runtime_bench.py``
(``--help`` for the options; benchmarks/README.md says what is measured). It needs the
PostgreSQL server of ``--pg`` (it creates and drops a throwaway database there) and
talks to 127.0.0.1 only. Exits 1 when a target is missed, 2 when the benchmark itself
cannot run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(PYTHON).with_name("gunicorn")
DEMO = REPO / "hub" / "demo" / "packages" / "scorm2004-tour"
MIN_RATIO = 0.40  # hub commits/s / raw upserts/s at the same concurrency (issue 4)
MAX_P99_MS = 100.0  # p99 commit latency at the learners' pace (issue 4)
ORG = "bench"
SUSPEND_CHARS = 4096
INTERACTIONS = 10
TIMEOUT = 60.0  # seconds, every HTTP request and database connection
BOOT_RE = re.compile(
    r'<script type="application/json" id="player-boot">(.*?)</script>', re.S
)


class BenchError(Exception):
    """The benchmark could not run (the hub did not start, a request failed)."""


# -- the payload ----------------------------------------------------------------------


def suspend_pool(seed: int, count: int = 16) -> list[str]:
    """4 KB suspend_data strings like an authoring tool's (compressed, base64-ish)."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "+/=~-_.!*()"
    return ["".join(rng.choices(alphabet, k=SUSPEND_CHARS)) for _ in range(count)]


# (type, learner_response, result) of SCORM 2004 interactions, RTE §4.2.9.
_KINDS = [
    ("choice", "a[,]c", "correct"),
    ("true-false", "true", "incorrect"),
    ("fill-in", "Jupiter", "correct"),
    ("numeric", "8", "correct"),
    ("sequencing", "mercury[,]venus[,]earth", "incorrect"),
    ("matching", "sun[.]star[,]moon[.]satellite", "correct"),
    ("likert", "agree", "neutral"),
    ("long-fill-in", "The Sun holds 99.8% of the solar system's mass.", "neutral"),
    ("performance", "step1[.]done[,]step2[.]done", "correct"),
    ("other", "free answer", "0.5"),
]


def cmi_changes(seq: int, pool: list[str]) -> list[list[str]]:
    """One batch as a SCORM 2004 SCO sends it: every value depends on ``seq``."""
    suspend = f"{seq:08d}" + pool[seq % len(pool)][8:]
    changes = [
        ["cmi.location", f"page-{seq % 40}"],
        ["cmi.progress_measure", f"{(seq % 100) / 100:.2f}"],
        ["cmi.session_time", f"PT{seq * 7}S"],
        ["cmi.suspend_data", suspend],
    ]
    for n in range(INTERACTIONS):
        kind, response, result = _KINDS[n % len(_KINDS)]
        prefix = f"cmi.interactions.{n}"
        minute, second = divmod(seq + n, 60)
        changes += [
            [f"{prefix}.id", f"urn:interop-hub:bench:q{n}"],
            [f"{prefix}.type", kind],
            [f"{prefix}.learner_response", response],
            [f"{prefix}.result", result],
            [f"{prefix}.timestamp", f"2026-11-29T14:{minute % 60:02d}:{second:02d}"],
            [f"{prefix}.latency", f"PT{(seq + n) % 90 + 1}S"],
        ]
    return changes


def commit_body(key: str, seq: int, pool: list[str]) -> bytes:
    batch = {"key": key, "seq": seq, "tab": "bench", "changes": cmi_changes(seq, pool)}
    return json.dumps(batch, separators=(",", ":")).encode()


# -- the hub --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_hub(argv: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [PYTHON, "-m", "hub", *argv],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"hub {' '.join(argv)} exited with {proc.returncode}:\n"
            f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return proc.stdout


def start_gunicorn(
    app: str, port: int, args: argparse.Namespace, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """``app`` under gunicorn as production serves the hub (docker-compose.yml)."""
    argv = [
        str(GUNICORN),
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--keep-alive",
        "120",  # longer than a learner's pause: no reconnects between commits
        "--backlog",
        "2048",
        "--timeout",
        "120",
        app,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
        )


def wait_for_http(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait until ``url`` answers 200, for at most 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited:\n{log_tail(log)}")
        try:
            if requests.get(url, timeout=10).ok:
                return
        except requests.RequestException:  # not listening, or still loading
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within 60 s:\n{log_tail(log)}")


def stop_process(server: subprocess.Popen[bytes] | None) -> None:
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


class Hub:
    """A throwaway database, the hub migrated into it, and gunicorn serving it."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work = work
        self.args = args
        self.dbname = f"runtime_bench_{os.getpid()}"
        self.admin_url = f"{args.pg}/postgres"
        self.url = f"{args.pg}/{self.dbname}"
        self.env = os.environ | {
            "HUB_ENV": "production",
            "HUB_SECRET_KEY": secrets.token_urlsafe(48),
            "HUB_DATABASE_URL": self.url,
            "HUB_INSTANCE_DIR": str(work / "instance"),
            "PYTHONPATH": str(REPO),
        }
        for name in ("HUB_CONTENT_DIR", "HUB_BROKER_URL", "HUB_BASE_URL"):
            self.env.pop(name, None)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.api: requests.Session | None = None

    def create_database(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as c:
            c.execute(f'CREATE DATABASE "{self.dbname}"')
        run_hub(["migrate"], self.env)
        run_hub(["create-org", "--slug", ORG, "--name", "Bench"], self.env)
        zip_path = self.work / "scorm2004-tour.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(DEMO.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(DEMO).as_posix())
        report = json.loads(
            run_hub(["import", str(zip_path), "--org", ORG, "--json"], self.env)
        )
        if report.get("status") != "accepted":
            raise BenchError(f"the demo package was not imported:\n{report}")
        key = run_hub(["api-key", "create", "--org", ORG, "--name", "bench"], self.env)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {key.strip().splitlines()[0]}"

    def drop_database(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def start(self) -> None:
        self.server = start_gunicorn(
            "hub.wsgi:app", self.port, self.args, self.env, self.work / "gunicorn.log"
        )
        wait_for_http(self.server, f"{self.base}/healthz", self.work / "gunicorn.log")

    def stop(self) -> None:
        stop_process(self.server)

    def call(self, method: str, path: str, **kwargs) -> dict:
        assert self.api is not None
        response = self.api.request(method, self.base + path, timeout=TIMEOUT, **kwargs)
        if not response.ok:
            raise BenchError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def create_course(self) -> int:
        packages = self.call("GET", "/api/v1/packages")["data"]
        course = self.call(
            "POST",
            "/api/v1/courses",
            json={"code": "TOUR", "title": "Tour", "package_id": packages[0]["id"]},
        )
        return course["id"]


class ServingFloor:
    """``serving_floor.py`` under the hub's gunicorn settings, on the hub's database."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.dbname = hub.dbname
        self.port = free_port()
        self.log = hub.work / "floor.log"
        self.server: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServingFloor:
        env = self.hub.env | {
            "FLOOR_DATABASE_URL": self.hub.url,
            "PYTHONPATH": str(REPO / "benchmarks"),
        }
        self.server = start_gunicorn(
            "serving_floor:app", self.port, self.hub.args, env, self.log
        )
        wait_for_http(self.server, f"http://127.0.0.1:{self.port}/healthz", self.log)
        return self

    def __exit__(self, *exc_info) -> None:
        stop_process(self.server)


@dataclass
class Learner:
    """One signed-in browser session on its own attempt: where to commit, with what."""

    number: int
    registration_id: int
    cookie: str
    commit_path: str
    key: str
    seq: int = 0  # the last sequence number the hub acknowledged


def start_learner(hub: Hub, course_id: int, number: int) -> Learner:
    """Register, then open the player as the browser does after a launch link."""
    learner = {
        "email": f"learner{number}@bench.example.com",
        "given_name": "Learner",
        "family_name": str(number),
    }
    registration = hub.call(
        "POST",
        "/api/v1/registrations",
        json={"course_id": course_id, "learner": learner},
    )
    link = hub.call("POST", f"/api/v1/registrations/{registration['id']}/launch-link")
    # HUB_ENV=production marks the session cookie Secure: a cookie jar would not send
    # it to http://127.0.0.1, so it is passed on by hand, as TLS would carry it.
    signed_in = requests.get(link["url"], allow_redirects=False, timeout=TIMEOUT)
    cookie = signed_in.cookies.get("hub_session")
    if signed_in.status_code != 302 or not cookie:
        raise BenchError(
            f"launch link refused: {signed_in.status_code} {signed_in.text}"
        )
    page = requests.get(
        hub.base + signed_in.headers["Location"],
        headers={"Cookie": f"hub_session={cookie}"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    found = BOOT_RE.search(page.text) if page.status_code == 200 else None
    if found is None:
        raise BenchError(f"player page: {page.status_code} {page.text[:2000]}")
    boot = json.loads(found.group(1))
    # The page put its CSRF token in the session: the browser keeps the new cookie.
    cookie = page.cookies.get("hub_session") or cookie
    # The page starts its SCO with a POST (player.js), CSRF-protected.
    started = requests.post(
        hub.base + boot["launchUrl"],
        json={"activity": boot["activity"], "leftovers": []},
        headers={
            "Cookie": f"hub_session={cookie}",
            "X-CSRFToken": boot["csrfToken"],
            "Referer": hub.base + signed_in.headers["Location"],
        },
        timeout=TIMEOUT,
    )
    if started.status_code != 200:
        raise BenchError(f"launch: {started.status_code} {started.text[:2000]}")
    config = started.json()["config"]
    return Learner(
        number, registration["id"], cookie, config["commitUrl"], config["commitKey"]
    )


# -- measuring ------------------------------------------------------------------------


@dataclass
class Phase:
    """The outcome of one measured loop: latencies in seconds, and its wall time."""

    label: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    retries: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # seconds per process group

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile_ms(self, pct: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_times(hub: Hub | ServingFloor) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) so far of the gunicorn workers, of the database's
    PostgreSQL backends and of this benchmark (the simulated browsers)."""
    found: dict[str, dict[int, float]] = {"hub": {}, "postgres": {}}
    master = hub.server.pid if hub.server else -1
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # the process ended meanwhile
            continue
        seconds = (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
        if int(stat[1]) == master:
            found["hub"][int(entry.name)] = seconds
        elif cmdline.startswith("postgres:") and f" {hub.dbname} " in cmdline:
            found["postgres"][int(entry.name)] = seconds
    own = os.times()
    found["client"] = {os.getpid(): own.user + own.system}
    return found


def metered(hub: Hub | ServingFloor, run: Callable[[], Phase]) -> Phase:
    """Run a phase and record the CPU time each process group spent in it."""
    before = cpu_times(hub)
    phase = run()
    after = cpu_times(hub)
    for group, pids in after.items():
        phase.cpu[group] = sum(
            max(0.0, cpu - before[group].get(pid, 0.0)) for pid, cpu in pids.items()
        )
    return phase


def drive(
    phase: Phase,
    workers: list[Callable[[Callable[[], bool]], tuple[list[float], int]]],
    seconds: float,
) -> Phase:
    """Start every worker together; each runs until ``stop()`` says so."""
    barrier = threading.Barrier(len(workers) + 1)
    results: list[tuple[list[float], int]] = [([], 0)] * len(workers)
    errors: list[BaseException] = []
    deadline = 0.0

    def stop() -> bool:
        return time.perf_counter() >= deadline or bool(errors)

    def run(index: int, worker) -> None:
        barrier.wait()
        try:
            results[index] = worker(stop)
        except BaseException as exc:  # reported below, after every thread ended
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(i, w), daemon=True)
        for i, w in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(seconds + 3 * TIMEOUT)
    phase.wall = time.perf_counter() - start
    if errors:
        raise BenchError(f"{phase.label}: {errors[0]!r}") from errors[0]
    for latencies, retries in results:
        phase.latencies += latencies
        phase.retries += retries
    return phase


def hub_worker(
    hub: Hub | ServingFloor,
    learner: Learner,
    pool: list[str],
    *,
    max_commits: int,
    pace: float,
):
    """A learner committing batches: back to back (``pace`` 0) or every ``pace`` s."""

    def work(stop: Callable[[], bool]) -> tuple[list[float], int]:
        conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=TIMEOUT)
        headers = {
            "Cookie": f"hub_session={learner.cookie}",
            "Content-Type": "application/json",
        }
        latencies: list[float] = []
        retries = 0
        # Spread the learners over the first pause, as real ones arrive at random.
        due = time.perf_counter() + random.random() * pace
        try:
            while len(latencies) < max_commits and not stop():
                if pace:
                    time.sleep(max(0.0, due - time.perf_counter()))
                    due += pace
                    if stop():
                        break
                seq = learner.seq + 1
                body = commit_body(learner.key, seq, pool)
                start = time.perf_counter()
                for attempt in range(2):
                    try:
                        conn.request("POST", learner.commit_path, body, headers)
                        response = conn.getresponse()
                        payload = response.read()
                        break
                    except (http.client.HTTPException, OSError):
                        # The server closed an idle connection: a retry with the
                        # same seq is safe, commits are idempotent.
                        if attempt:
                            raise
                        retries += 1
                        conn.close()
                latencies.append(time.perf_counter() - start)
                check_commit(response.status, payload, seq)
                learner.seq = seq
        finally:
            conn.close()
        return latencies, retries

    return work


def check_commit(status: int, payload: bytes, seq: int) -> None:
    if status != 200:
        raise BenchError(f"commit {seq}: HTTP {status} {payload[:2000]!r}")
    answer = json.loads(payload)
    if answer.get("errors") or not answer.get("ok"):
        raise BenchError(f"commit {seq} refused: {answer}")


class RawStore:
    """The baseline: the same batch upserted into one plain table, one row a learner.

    Like gunicorn's threads, ``connections`` threads (one connection each) serve the
    learners' writes first come, first served; a learner waits for its own.
    """

    def __init__(self, url: str, connections: int) -> None:
        self.jobs: queue.Queue[list | None] = queue.Queue()
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                "CREATE TABLE raw_commits (learner integer PRIMARY KEY, seq integer "
                "NOT NULL, body json NOT NULL, updated_at timestamptz NOT NULL)"
            )
        self.conns = [
            psycopg.connect(url, autocommit=True, connect_timeout=10)
            for _ in range(connections)
        ]
        self.threads = [
            threading.Thread(target=self._serve, args=(conn,), daemon=True)
            for conn in self.conns
        ]
        for thread in self.threads:
            thread.start()

    def _serve(self, conn: psycopg.Connection) -> None:
        while (job := self.jobs.get()) is not None:
            learner, seq, body, done = job[:4]
            try:
                conn.execute(
                    "INSERT INTO raw_commits (learner, seq, body, updated_at) "
                    "VALUES (%s, %s, %s, now()) ON CONFLICT (learner) DO UPDATE SET "
                    "seq = excluded.seq, body = excluded.body, updated_at = now()",
                    (learner, seq, body.decode()),
                )
            except psycopg.Error as exc:  # handed to the learner that waits for it
                job.append(exc)
            done.set()

    def upsert(self, learner: int, seq: int, body: bytes) -> None:
        job = [learner, seq, body, threading.Event()]
        self.jobs.put(job)
        if not job[3].wait(TIMEOUT):
            raise BenchError(f"raw upsert {seq} of learner {learner} timed out")
        if len(job) > 4:
            raise job[4]

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(TIMEOUT)
        for conn in self.conns:
            conn.close()

    def stored_seqs(self) -> dict[int, int]:
        cursor = self.conns[0].execute("SELECT learner, seq FROM raw_commits")
        return dict(cursor.fetchall())


def raw_worker(store: RawStore, learner: Learner, pool: list[str], max_commits: int):
    def work(stop: Callable[[], bool]) -> tuple[list[float], int]:
        latencies: list[float] = []
        seq = 0
        while len(latencies) < max_commits and not stop():
            seq += 1
            body = commit_body(learner.key, seq, pool)
            start = time.perf_counter()
            store.upsert(learner.number, seq, body)
            latencies.append(time.perf_counter() - start)
        return latencies, 0

    return work


def verify_hub(hub: Hub, learners: list[Learner]) -> None:
    """Every acknowledged batch is in the database: the last seq per attempt matches."""
    with psycopg.connect(hub.url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT registration_id, state FROM sco_attempts"
        ).fetchall()
    stored = {reg: (state.get("seqs") or {}).get("bench", 0) for reg, state in rows}
    wrong = [
        (lr.registration_id, lr.seq, stored.get(lr.registration_id))
        for lr in learners
        if stored.get(lr.registration_id) != lr.seq
    ]
    if wrong:
        raise BenchError(f"stored seq differs from the acknowledged one: {wrong[:5]}")


# -- the run --------------------------------------------------------------------------


def report(phases: list[Phase], args: argparse.Namespace) -> bool:
    """Print the table and the verdicts; True when every target is met."""
    print(
        f"\n{'phase':44} {'conc':>5} {'count':>7} {'per s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )
    for phase in phases:
        print(
            f"{phase.label:44} {phase.concurrency:5d} {len(phase.latencies):7d} "
            f"{phase.rate:8.1f} {phase.percentile_ms(50):8.1f} "
            f"{phase.percentile_ms(99):8.1f} {phase.percentile_ms(100):8.1f}"
        )
    print(f"\nCPU ms per commit   {'gunicorn':>9} {'postgres':>9} {'client':>9}")
    for phase in phases:
        count = max(1, len(phase.latencies))
        cells = " ".join(
            f"{1000 * phase.cpu.get(group, 0.0) / count:9.2f}"
            for group in ("hub", "postgres", "client")
        )
        print(f"{phase.label[:19]:19} {cells}")
    print(f"load average after: {_load()}")
    saturated, raw, *floor, paced = phases
    ratio = saturated.rate / raw.rate if raw.rate else 0.0
    print(f"\nhub commits/s / raw upserts/s = {ratio:.2f}")
    reaches = {
        "serving floor": "a Python app under this gunicorn",
        "storage floor": "an app storing the attempt's state as the hub does",
    }
    for phase in floor:
        name = phase.label.split(",")[0]
        print(
            f"{name} / raw upserts/s = {phase.rate / raw.rate:.2f} (the most "
            f"{reaches[name]} reaches); hub / {name} = "
            f"{saturated.rate / phase.rate:.2f}"
        )
    retries = saturated.retries + paced.retries
    if retries:
        print(f"({retries} commits re-sent after the server closed an idle connection)")
    verdicts = [
        (f"hub commits/s >= {MIN_RATIO:.0%} of raw upserts/s", ratio >= MIN_RATIO),
        (
            f"p99 < {MAX_P99_MS:g} ms with {args.learners} learners committing every "
            f"{args.pace:g} s",
            paced.percentile_ms(99) < MAX_P99_MS,
        ),
    ]
    print()
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return all(ok for _, ok in verdicts)


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def run(work: Path, args: argparse.Namespace) -> int:
    hub = Hub(work, args)
    print(f"database {hub.dbname}; gunicorn on {hub.base}", flush=True)
    print(f"load average before: {_load()} (other work on the machine skews the run)")
    try:
        hub.create_database()
        hub.start()
        course_id = hub.create_course()
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            learners = list(
                pool.map(
                    lambda n: start_learner(hub, course_id, n), range(args.learners)
                )
            )
        print(
            f"{len(learners)} learners registered and signed in, player open "
            f"({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
        payloads = suspend_pool(args.seed)
        size = len(commit_body(learners[0].key, 1, payloads))
        print(f"one commit: {size} bytes, {len(cmi_changes(1, payloads))} changes")
        phases = measure(hub, learners, payloads, args)
        verify_hub(hub, learners)
        ok = report(phases, args)
    finally:
        hub.stop()
        if args.keep:
            print(f"database kept: {hub.url}")
        else:
            hub.drop_database()
    return 0 if ok else 1


def floor_phase(
    floor: ServingFloor,
    learners: list[Learner],
    payloads: list[str],
    args: argparse.Namespace,
    *,
    label: str,
    route: Callable[[Learner], str],
) -> Phase:
    """The learners' commits sent to a route of ``serving_floor.py``."""
    print(
        f"{label} (bare WSGI under the same gunicorn, {route(learners[0])} ...): "
        f"{len(learners)} learners for {args.seconds:g} s ...",
        flush=True,
    )
    return metered(
        floor,
        lambda: drive(
            Phase(f"{label}, back to back", len(learners)),
            [
                hub_worker(
                    floor,
                    replace(lr, commit_path=route(lr), seq=0),
                    payloads,
                    max_commits=args.commits,
                    pace=0,
                )
                for lr in learners
            ],
            args.seconds,
        ),
    )


def measure(
    hub: Hub, learners: list[Learner], payloads: list[str], args: argparse.Namespace
) -> list[Phase]:
    n = len(learners)
    # Not measured: the first requests of each worker thread fill the caches
    # (SQLAlchemy's compiled statements, psycopg's prepared ones).
    drive(
        Phase("warm-up", n),
        [hub_worker(hub, lr, payloads, max_commits=3, pace=0) for lr in learners],
        TIMEOUT,
    )
    print(f"hub, back to back: {n} learners for {args.seconds:g} s ...", flush=True)
    saturated = metered(
        hub,
        lambda: drive(
            Phase("hub commits, back to back", n),
            [
                hub_worker(hub, lr, payloads, max_commits=args.commits, pace=0)
                for lr in learners
            ],
            args.seconds,
        ),
    )
    connections = args.raw_connections or args.workers * args.threads
    print(
        f"raw upserts: {n} threads over {connections} connections for "
        f"{args.seconds:g} s ...",
        flush=True,
    )
    store = RawStore(hub.url, connections)
    try:
        raw = metered(
            hub,
            lambda: drive(
                Phase(f"raw upserts, back to back ({connections} conns)", n),
                [raw_worker(store, lr, payloads, args.commits) for lr in learners],
                args.seconds,
            ),
        )
        if len(store.stored_seqs()) != n:
            raise BenchError("the raw table does not hold one row per learner")
    finally:
        store.close()
    phases = [saturated, raw]
    if args.floor:
        routes: list[tuple[str, Callable[[Learner], str]]] = [
            ("serving floor", lambda lr: f"/floor/{lr.number}"),
            (
                "storage floor",
                lambda lr: "/storage-floor/{}/{}".format(
                    *re.findall(r"\d+", lr.commit_path)
                ),
            ),
        ]
        with ServingFloor(hub) as floor:
            phases += [
                floor_phase(floor, learners, payloads, args, label=label, route=route)
                for label, route in routes
            ]
    print(
        f"hub, paced: {n} learners, one commit every {args.pace:g} s, for "
        f"{args.paced_seconds:g} s ...",
        flush=True,
    )
    paced = metered(
        hub,
        lambda: drive(
            Phase(f"hub commits, one per learner every {args.pace:g} s", n),
            [
                hub_worker(hub, lr, payloads, max_commits=args.commits, pace=args.pace)
                for lr in learners
            ],
            args.paced_seconds,
        ),
    )
    return [*phases, paced]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--learners", type=int, default=200, help="default: 200")
    parser.add_argument(
        "--seconds", type=float, default=30, help="each back-to-back loop (default: 30)"
    )
    parser.add_argument(
        "--paced-seconds", type=float, default=40, help="the paced loop (default: 40)"
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=5,
        help="seconds between a learner's commits in the paced loop (default: 5)",
    )
    parser.add_argument(
        "--commits",
        type=int,
        default=2000,
        help="at most this many commits per learner and loop (default: 2000)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument(
        "--raw-connections",
        type=int,
        help="connections of the raw baseline (default: workers x threads, the "
        "database concurrency the hub has)",
    )
    parser.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server, without a database name",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the floors: the raw upsert, and the hub's own database work "
        "for a commit, each as a bare WSGI app under the same gunicorn "
        "(benchmarks/serving_floor.py)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and work folder"
    )
    args = parser.parse_args(argv)
    if args.learners < 1 or args.commits < 1 or args.seconds <= 0:
        parser.error("--learners, --commits and --seconds must be positive")
    if urlsplit(args.pg).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--pg must be a local server (127.0.0.1)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not GUNICORN.is_file():
        print(f"gunicorn is not installed next to {PYTHON}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="runtime-bench-"))
    try:
        return run(work, args)
    except (BenchError, psycopg.Error, requests.RequestException) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
