"""LTI benchmark: end-to-end LTI 1.3 launches against the hub, and AGS score delivery.

Run on demand, not in the test suite: ``.venv/bin/python benchmarks/lti_bench.py``
(``--help`` for the options; benchmarks/README.md says what is measured). It needs the
PostgreSQL server of ``--pg`` (it creates and drops a throwaway database there), the
Redis of ``--redis`` (a queue of its own, deleted afterwards) and gunicorn in the venv,
and talks to 127.0.0.1 only. The platform is the test suite's simulator
(``tests/lti/simulator.py``), served over real HTTP by this process. Exits 1 when a
target is missed, 2 when the benchmark itself cannot run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import STDOUT
from urllib.parse import urlencode, urlsplit

import jwt
import psycopg
import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.runtime_bench import (
    GUNICORN,
    PYTHON,
    REPO,
    TIMEOUT,
    BenchError,
    Hub,
    Phase,
    drive,
    metered,
    run_hub,
)
from benchmarks.runtime_bench import _load as load_average
from lti import claims
from tests.lti.simulator import (
    SCORE_SCOPES,
    Client,
    PlatformSimulator,
)

MIN_LAUNCHES_PER_S = 200.0  # end to end, on 2 cores (issue 5)
MAX_DELIVERY_S = 60.0  # for 10,000 queued scores (issue 5)
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
AUTH_URL_RE = re.compile(r'var authUrl = ("[^"]*");')
PLAYER_RE = re.compile(r"^/play/\d+$")
STATE_COOKIE_RE = re.compile(r"(lti1p3-state-[\w-]+)=([\w-]+)")
OLD_SCORE, NEW_SCORE = 0.25, 0.5  # the queued score is replaced: only the newer lands


# -- the hub, its worker and the platform ---------------------------------------------


class LtiHub(Hub):
    """The runtime benchmark's hub, plus a broker queue, a Celery worker and LTI."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        super().__init__(work, args)
        self.dbname = f"lti_bench_{os.getpid()}"
        self.url = f"{args.pg}/{self.dbname}"
        self.queue = f"lti-bench-{os.getpid()}"
        self.env |= {
            "HUB_DATABASE_URL": self.url,
            "HUB_BASE_URL": self.base,
            "HUB_BROKER_URL": args.redis,
            "HUB_TASK_QUEUE": self.queue,
            "HUB_LTI__KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        }
        self.worker: subprocess.Popen[bytes] | None = None

    def register_platform(self, sim: PlatformSimulator) -> None:
        run_hub(
            [
                "lti",
                "add-platform",
                "--org",
                "bench",
                "--name",
                "Simulator",
                "--issuer",
                sim.url,
                "--client-id",
                CLIENT_ID,
                "--auth-login-url",
                sim.url + "/auth",
                "--token-url",
                sim.url + "/token",
                "--jwks-url",
                sim.url + "/jwks",
                "--deployment-id",
                DEPLOYMENT_ID,
            ],
            self.env,
        )

    def start_worker(self) -> None:
        log = (self.work / "worker.log").open("wb")
        self.worker = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "hub",
                "worker",
                f"--concurrency={self.args.worker_concurrency}",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise BenchError(f"the worker exited:\n{self.worker_log()}")
            if " ready." in self.worker_log():
                return
            time.sleep(0.2)
        raise BenchError(f"the worker was not ready in 60 s:\n{self.worker_log()}")

    def worker_log(self) -> str:
        path = self.work / "worker.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        super().stop()
        if self.worker is None:
            return
        for signal_it in (self.worker.terminate, self.worker.kill):
            if self.worker.poll() is not None:
                return
            signal_it()  # a warm shutdown first: the worker finishes its tasks
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.worker.wait(timeout=30)

    def drop_queue(self) -> None:
        import redis  # noqa: PLC0415 - Celery's Redis transport, in the venv

        client = redis.Redis.from_url(self.args.redis, socket_timeout=10)
        # Only this run's keys: Celery's shared unacked_index serves other queues too.
        client.delete(
            self.queue,
            f"_kombu.binding.{self.queue}",
            f"_kombu.binding_permanent.{self.queue}",
        )
        client.close()


def start_platform(hub: LtiHub, args: argparse.Namespace) -> PlatformSimulator:
    sim = PlatformSimulator().__enter__()
    launch_url = hub.base + "/lti/launch"
    sim.state.clients[CLIENT_ID] = Client(
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        jwks_uri=hub.base + "/lti/jwks.json",
        redirect_uris=[launch_url, hub.base + "/lti/deep-link"],
        scopes=list(SCORE_SCOPES),
    )
    sim.login_initiation(CLIENT_ID, launch_url)  # the target of every launch
    # The platform made a gradebook column for each resource link (as when content
    # was deep-linked with a lineItem): AGS §3.2, the launch's "lineitem" URL.
    for link in range(args.contexts * args.links):
        item = line_item_url(sim, link // args.links, link)
        sim.state.line_items[item] = {"id": item, "label": f"Unit {link}"}
    return sim


def line_item_url(sim: PlatformSimulator, context: int, link: int) -> str:
    return f"{sim.url}/contexts/ctx-{context}/lineitems/{link}"


# -- one launch -----------------------------------------------------------------------


@dataclass
class Launcher:
    """What every launch shares: the hub, the platform, the course and its links."""

    hub: LtiHub
    sim: PlatformSimulator
    course_id: int
    args: argparse.Namespace
    tokens: list[str] = field(default_factory=list)  # a sample, for the baseline

    def claims_for(self, number: int) -> dict:
        """Learner ``number`` in its context and resource link (several links per
        context, all delivering the course)."""
        learner = number % self.args.learners
        context = learner % self.args.contexts
        link = context * self.args.links + (learner // self.args.contexts) % (
            self.args.links
        )
        context_url = f"{self.sim.url}/contexts/ctx-{context}"
        return {
            "sub": f"learner-{learner}",
            "name": f"Learner {learner}",
            "given_name": "Learner",
            "family_name": str(learner),
            "email": f"learner{learner}@platform.example",
            claims.CONTEXT: {"id": f"ctx-{context}", "title": f"Course {context}"},
            claims.RESOURCE_LINK: {"id": f"rl-{link}", "title": f"Unit {link}"},
            claims.CUSTOM: {"hub_course_id": str(self.course_id)},
            claims.AGS_ENDPOINT: {
                "scope": [s for s in SCORE_SCOPES if "lti-ags" in s],
                "lineitems": context_url + "/lineitems",
                "lineitem": line_item_url(self.sim, context, link),
            },
        }

    def launch(self, conn: http.client.HTTPConnection, number: int) -> None:
        """Login initiation, the platform's authorization, the id_token POST."""
        overrides = self.claims_for(number)
        login = {
            "iss": self.sim.url,
            "login_hint": overrides["sub"],
            "target_link_uri": self.hub.base + "/lti/launch",
            "lti_message_hint": overrides[claims.RESOURCE_LINK]["id"],
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
        }
        status, headers, page = _request(conn, "GET", "/lti/login?" + urlencode(login))
        found = AUTH_URL_RE.search(page.decode()) if status == 200 else None
        if found is None:
            raise BenchError(f"login {number}: HTTP {status} {page[:1000]!r}")
        # The state cookie is Secure: over plain http it is passed on by hand, as a
        # browser would over TLS.
        cookie = STATE_COOKIE_RE.search(headers.get("Set-Cookie", ""))
        if cookie is None:
            raise BenchError(f"login {number}: no state cookie in {headers}")
        form = self.sim.authorize(json.loads(found.group(1)), **overrides)
        if len(self.tokens) < self.args.baseline_tokens:
            self.tokens.append(form["id_token"])
        status, headers, page = _request(
            conn,
            "POST",
            "/lti/launch",
            urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{cookie.group(1)}={cookie.group(2)}",
            },
        )
        if status != 303 or not PLAYER_RE.match(headers.get("Location", "")):
            raise BenchError(f"launch {number}: HTTP {status} {page[:2000]!r}")

    def worker(self, numbers: Iterator[int]):
        """A browser launching the learners it draws from ``numbers``, one by one."""

        def work(stop: Callable[[], bool]) -> tuple[list[float], int]:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.hub.port, timeout=TIMEOUT
            )
            latencies: list[float] = []
            try:
                while not stop() and (number := next(numbers, None)) is not None:
                    start = time.perf_counter()
                    self.launch(conn, number)
                    latencies.append(time.perf_counter() - start)
            finally:
                conn.close()
            return latencies, 0

        return work


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    for attempt in range(2):
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            answer: dict[str, str] = {}
            for name, value in response.getheaders():  # Set-Cookie may repeat
                answer[name] = f"{answer[name]}, {value}" if name in answer else value
            return response.status, answer, response.read()
        except (http.client.HTTPException, OSError):
            # The server closed an idle keep-alive connection before this request
            # reached it: nothing was processed, so sending it again is safe.
            if attempt:
                raise
            conn.close()
    raise AssertionError("unreachable")


def run_launches(
    launcher: Launcher, label: str, first: int, count: int, seconds: float
) -> Phase:
    """Launches of learners ``first`` to ``first + count - 1``, handed out in order
    to the client threads (so the launches done when time runs out are the first)."""
    numbers = iter(range(first, first + count))  # next() on it is atomic (the GIL)
    workers = [launcher.worker(numbers) for _ in range(launcher.args.clients)]
    return drive(Phase(label, launcher.args.clients), workers, seconds)


# -- the baseline: bare signature verification ----------------------------------------


def _verify_loop(jwk: dict, audience: str, tokens: list[str], seconds: float) -> int:
    key = jwt.PyJWK(jwk, "RS256").key
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for token in tokens:
            jwt.decode(token, key, algorithms=["RS256"], audience=audience)
            done += 1
    return done


def verification_rate(
    sim: PlatformSimulator, tokens: list[str], processes: int, seconds: float
) -> float:
    """Tokens verified per second (RS256 with the platform's public key, claims
    decoded, ``aud`` and ``exp`` checked) by ``processes`` processes at once."""
    context = multiprocessing.get_context("spawn")
    args = (sim.state.key.jwk, CLIENT_ID, tokens, seconds)
    with context.Pool(processes) as pool:
        # Each process verifies for ``seconds`` once started: start-up is not counted.
        counts = pool.starmap(_verify_loop, [args] * processes)
    return sum(counts) / seconds


# -- scores ---------------------------------------------------------------------------


def queue_scores(count: int, links: int) -> None:
    """In a hub process: give ``count // links`` learners an old, then a new score.

    Both changes go through the registration rollup (the ``before_flush`` listener
    writes the outbox) in one transaction, so the outbox holds only the newest score
    of each learner and line item. Prints the commit time as JSON.
    """
    from sqlalchemy import func, select  # noqa: PLC0415 - the hub's venv

    from hub import create_app  # noqa: PLC0415
    from hub.extensions import db  # noqa: PLC0415
    from hub.models import LtiScoreOutbox, Registration  # noqa: PLC0415

    app = create_app()
    with app.app_context():
        session = db.session
        registrations = session.scalars(
            select(Registration).order_by(Registration.id).limit(count // links)
        ).all()
        for value, completion in ((OLD_SCORE, "incomplete"), (NEW_SCORE, "completed")):
            for registration in registrations:
                registration.completion = completion
                registration.success = (
                    "passed" if completion == "completed" else "unknown"
                )
                registration.score_scaled = value
            session.flush()
        rows = session.scalar(select(func.count()).select_from(LtiScoreOutbox))
        committed_at = time.time()
        session.commit()  # the deliveries are enqueued once this commits
        print(json.dumps({"rows": rows, "committed_at": committed_at}))


@dataclass
class Delivery:
    scores: int
    seconds: float
    token_requests: int
    worker_cpu: float  # seconds


def deliver_scores(hub: LtiHub, sim: PlatformSimulator, args: argparse.Namespace):
    """Queue the scores, then wait for every one of them at the platform."""
    before = worker_cpu(hub)  # idle until the scores are queued
    out = run_hub_script(
        hub, ["--queue-scores", str(args.scores), "--links", str(args.links)]
    )
    queued = json.loads(out.strip().splitlines()[-1])
    if queued["rows"] != args.scores:
        raise BenchError(f"{queued['rows']} scores queued, not {args.scores}")
    deadline = time.monotonic() + args.delivery_timeout
    while len(sim.state.score_counts) < args.scores and time.monotonic() < deadline:
        time.sleep(0.1)
    if len(sim.state.score_counts) < args.scores:
        raise BenchError(
            f"only {len(sim.state.score_counts)} of {args.scores} scores arrived in "
            f"{args.delivery_timeout:g} s:\n{hub.worker_log()}"
        )
    time.sleep(1.0)  # let late duplicates, if any, arrive before the check
    cpu = worker_cpu(hub) - before
    verify_scores(hub, sim, args.scores)
    return Delivery(
        scores=args.scores,
        seconds=sim.state.last_score_at - queued["committed_at"],
        token_requests=sim.state.token_requests,
        worker_cpu=cpu,
    )


def run_hub_script(hub: LtiHub, argv: list[str]) -> str:
    """This file in a child process with the hub's environment (a hub process)."""
    command = [PYTHON, str(Path(__file__).resolve()), *argv]
    try:
        return subprocess.check_output(
            command, env=hub.env, cwd=REPO, text=True, timeout=600, stderr=STDOUT
        )
    except subprocess.CalledProcessError as exc:
        raise BenchError(f"{argv} failed:\n{exc.output[-3000:]}") from exc


def verify_scores(hub: LtiHub, sim: PlatformSimulator, count: int) -> None:
    """Every outbox row landed exactly once, with the newest score, and is marked
    delivered."""
    with psycopg.connect(hub.url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT l.line_item_url, o.subject, o.state, o.score_given "
            "FROM lti_score_outbox o JOIN lti_resource_links l "
            "ON l.id = o.resource_link_pk"
        ).fetchall()
    problems = []
    for item, subject, state, given in rows:
        landed = sim.state.scores.get((item, subject))
        times = sim.state.score_counts.get((item, subject), 0)
        if state != "delivered" or times != 1 or landed is None:
            problems.append((item, subject, state, times))
        elif landed["scoreGiven"] != given or given != NEW_SCORE * 100:
            problems.append((item, subject, "value", landed["scoreGiven"], given))
    if len(rows) != count or len(sim.state.score_counts) != count or problems:
        raise BenchError(
            f"{len(rows)} outbox rows, {len(sim.state.score_counts)} scores at the "
            f"platform; wrong: {problems[:5]}"
        )


# -- measuring ------------------------------------------------------------------------


def worker_cpu(hub: LtiHub) -> float:
    """CPU seconds (user + system) so far of the Celery worker and its children."""
    total = 0.0
    pid = hub.worker.pid if hub.worker else -1
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if pid in (int(entry.name), int(stat[1])):
            total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def report(
    phase: Phase,
    verify_rate: float,
    delivery: Delivery | None,
    args: argparse.Namespace,
) -> bool:
    """Print the tables and the verdicts; True when every target is met."""
    print(
        f"\n{'phase':34} {'conc':>5} {'count':>7} {'per s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )
    print(
        f"{phase.label:34} {phase.concurrency:5d} {len(phase.latencies):7d} "
        f"{phase.rate:8.1f} {phase.percentile_ms(50):8.1f} "
        f"{phase.percentile_ms(99):8.1f} {phase.percentile_ms(100):8.1f}"
    )
    count = max(1, len(phase.latencies))
    cells = " ".join(
        f"{1000 * phase.cpu.get(g, 0.0) / count:9.2f}"
        for g in ("hub", "postgres", "client")
    )
    print(f"\nCPU ms per launch   {'gunicorn':>9} {'postgres':>9} {'client':>9}")
    print(f"{'launches':19} {cells}")
    ratio = phase.rate / verify_rate if verify_rate else 0.0
    print(
        f"\nbaseline: {verify_rate:,.0f} id_token signature verifications/s "
        f"({args.verify_processes} processes); launches/s / verifications/s = "
        f"{ratio:.4f}"
    )
    verdicts = [
        (
            f"launches/s >= {MIN_LAUNCHES_PER_S:g} end to end",
            phase.rate >= MIN_LAUNCHES_PER_S,
        )
    ]
    if delivery is not None:
        rate = delivery.scores / delivery.seconds if delivery.seconds > 0 else 0.0
        print(
            f"\nscores: {delivery.scores} delivered in {delivery.seconds:.1f} s "
            f"({rate:.0f}/s), each exactly once with the newest value; "
            f"{delivery.token_requests} access-token request(s)"
        )
        print(
            f"CPU ms per score of the Celery worker: "
            f"{1000 * delivery.worker_cpu / delivery.scores:.2f}"
        )
        verdicts += [
            (
                f"{delivery.scores} scores delivered in < {MAX_DELIVERY_S:g} s",
                delivery.seconds < MAX_DELIVERY_S,
            ),
            ("one access-token request per platform", delivery.token_requests == 1),
        ]
    print(f"load average after: {load_average()}\n")
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return all(ok for _, ok in verdicts)


def run(work: Path, args: argparse.Namespace) -> int:
    hub = LtiHub(work, args)
    sim: PlatformSimulator | None = None
    print(f"database {hub.dbname}; gunicorn on {hub.base}; queue {hub.queue}")
    print(f"load average before: {load_average()} (other work on the machine skews it)")
    try:
        hub.create_database()
        sim = start_platform(hub, args)
        hub.register_platform(sim)
        hub.start()
        hub.start_worker()
        # The platform reads the tool's JWKS when the tool is registered; the first
        # read makes the tool's first key pair.
        requests.get(hub.base + "/lti/jwks.json", timeout=TIMEOUT).raise_for_status()
        launcher = Launcher(hub, sim, hub.create_course(), args)
        # Not measured: each gunicorn thread fetches the platform's JWKS once and
        # fills its caches; the learners are new to the hub in the measured loop.
        warm = args.learners * 10
        run_launches(launcher, "warm-up", warm, args.clients * 4, TIMEOUT)
        print(
            f"launches: {args.clients} browsers for {args.seconds:g} s "
            f"(at most {args.launches}) ...",
            flush=True,
        )
        phase = metered(
            hub,
            lambda: run_launches(
                launcher, "launches, end to end", 0, args.launches, args.seconds
            ),
        )
        print(f"baseline: verifying {len(launcher.tokens)} of the id_tokens ...")
        verify_rate = verification_rate(
            sim, launcher.tokens, args.verify_processes, args.verify_seconds
        )
        delivery = None
        if args.scores:
            needed = -(-args.scores // args.links)
            if len(phase.latencies) < needed:
                print(f"seeding learners {len(phase.latencies)}..{needed} ...")
                run_launches(
                    launcher,
                    "seeding",
                    len(phase.latencies),
                    needed - len(phase.latencies),
                    10 * TIMEOUT,
                )
            print(f"scores: queueing {args.scores} ...", flush=True)
            delivery = deliver_scores(hub, sim, args)
        ok = report(phase, verify_rate, delivery, args)
    finally:
        hub.stop()
        if sim is not None:
            sim.__exit__(None, None, None)
        hub.drop_queue()
        if args.keep:
            print(f"database {hub.url} and logs {work} kept")
        else:
            hub.drop_database()
    return 0 if ok else 1


#: (option, type, default, help) of every option but --keep.
OPTIONS: list[tuple[str, type, object, str]] = [
    ("--clients", int, 16, "concurrent browsers launching"),
    ("--seconds", float, 20, "length of the measured launch loop"),
    ("--launches", int, 8000, "at most this many measured launches"),
    ("--learners", int, 5000, "distinct learners (launch n is learner n mod this)"),
    ("--contexts", int, 2, "platform contexts (courses) mapped to the hub course"),
    ("--links", int, 2, "resource links per context"),
    ("--scores", int, 10000, "scores queued and delivered; 0 skips the phase"),
    ("--delivery-timeout", float, 180, "give up waiting for the scores after"),
    ("--verify-processes", int, 2, "processes verifying signatures (baseline)"),
    ("--verify-seconds", float, 5, "length of the baseline loop"),
    ("--baseline-tokens", int, 500, "id_tokens kept for the baseline"),
    ("--workers", int, 2, "gunicorn workers"),
    ("--threads", int, 8, "threads per gunicorn worker"),
    ("--worker-concurrency", int, 2, "Celery worker processes"),
    ("--pg", str, "postgresql://postgres@127.0.0.1:5432", "PostgreSQL, no database"),
    ("--redis", str, "redis://127.0.0.1:6379/0", "the broker (a queue of its own)"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    for option, kind, default, text in OPTIONS:
        parser.add_argument(
            option, type=kind, default=default, help=f"{text} (default: {default})"
        )
    parser.add_argument("--keep", action="store_true", help="keep database and logs")
    parser.add_argument("--queue-scores", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.clients, args.launches, args.learners, args.contexts, args.links) < 1:
        parser.error("--clients, --launches, --learners, --contexts, --links >= 1")
    if args.scores and args.scores % args.links:
        parser.error("--scores must be a multiple of --links")
    if args.scores and -(-args.scores // args.links) > args.learners:
        parser.error("--learners must be at least --scores / --links")
    for url in (args.pg, args.redis):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--pg and --redis must be local servers (127.0.0.1)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.queue_scores is not None:  # the hub side of deliver_scores
        queue_scores(args.queue_scores, args.links)
        return 0
    problem = None if GUNICORN.is_file() else f"no gunicorn next to {PYTHON}"
    work = Path(tempfile.mkdtemp(prefix="lti-bench-"))
    try:
        if problem is None:
            return run(work, args)
    except (BenchError, psycopg.Error, requests.RequestException, OSError) as exc:
        problem = f"benchmark failed: {exc}"
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(problem, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
