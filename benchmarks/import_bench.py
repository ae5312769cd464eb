"""Import benchmark: time and memory of ``hub import`` on a large package, against unzip.

Run on demand, not in the test suite: ``.venv/bin/python benchmarks/import_bench.py``
(``--help`` for the options; benchmarks/README.md says what is measured). Exits 1 when
a target is missed, 2 when the benchmark itself cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from package_gen import MIB, GeneratedPackage, write_package

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAX_RATIO = 1.5  # full import wall time / unzip wall time (issue 3)
MAX_RSS_MIB = 150  # peak resident memory of an import process (issue 3)
ORG = "bench"
TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None  # GNU time


class BenchError(Exception):
    """The benchmark could not run (a tool is missing, a child failed)."""


@dataclass(frozen=True)
class Run:
    """One child process: its wall time, peak RSS and what it printed."""

    wall: float
    cpu: float  # user + system seconds
    rss_kib: int
    stdout: str


@dataclass
class Step:
    """The runs of one measured command."""

    label: str
    runs: list[Run]

    @property
    def wall(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    @property
    def best(self) -> float:
        return min(run.wall for run in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(run.cpu for run in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(run.rss_kib for run in self.runs) / 1024


def run_child(argv: list[str], *, env: dict[str, str] | None = None, logs: Path) -> Run:
    """Run ``argv`` to its end; wall time from spawn to reap, and its peak RSS.

    A child forked from this process starts out sharing its pages, and Linux keeps
    that high-water mark across ``exec``: measured directly, a small command would
    show the benchmark's own RSS. So the command runs under GNU ``/usr/bin/time``
    (a small process of its own) when present, which reports ``ru_maxrss`` of the
    command alone; otherwise ``os.wait4`` gives an upper bound.
    """
    out_path, err_path = logs.with_suffix(".out"), logs.with_suffix(".err")
    rss_path = logs.with_suffix(".rss")
    timed = [TIME, "-f", "%M %U %S", "-o", str(rss_path), *argv] if TIME else argv
    with out_path.open("w+b") as out, err_path.open("w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=out, stderr=err, env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise BenchError(
            f"{' '.join(argv)} exited with {proc.returncode}:\n"
            f"{stdout[-3000:]}{stderr[-3000:]}"
        )
    if TIME:
        rss, user, system = rss_path.read_text().split("\n")[-2].split()
        return Run(wall, float(user) + float(system), int(rss), stdout)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss, stdout)


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def settle() -> None:
    """Flush dirty pages so one run's write-back does not slow the next one down."""
    os.sync()


def warm(path: Path) -> None:
    """Read the zip once so every measured command finds it in the page cache."""
    with path.open("rb") as fh:
        while fh.read(8 * MIB):
            pass


class Bench:
    """The measured commands, sharing one work folder and one throwaway hub instance."""

    def __init__(self, work: Path, package: GeneratedPackage | None) -> None:
        self.work = work
        self.package = package
        self.instance = work / "instance"
        self.env = os.environ | {
            "HUB_INSTANCE_DIR": str(self.instance),
            "HUB_ENV": "development",
            "PYTHONPATH": str(REPO),
        }
        self.env.pop("HUB_DATABASE_URL", None)
        self.env.pop("HUB_CONTENT_DIR", None)
        self.env.pop("HUB_BROKER_URL", None)

    def setup_hub(self) -> None:
        """Create the SQLite database and the organization the imports go into."""
        hub = [PYTHON, "-m", "hub"]
        run_child([*hub, "migrate"], env=self.env, logs=self.work / "migrate")
        run_child(
            [*hub, "create-org", "--slug", ORG, "--name", "Bench"],
            env=self.env,
            logs=self.work / "create-org",
        )

    def unzip(self, zip_path: Path) -> Run:
        dest = self.work / "unzipped"
        run = run_child(["unzip", "-q", str(zip_path), "-d", str(dest)], logs=dest)
        self._check_count(count_files(dest), "unzip")
        shutil.rmtree(dest)
        return run

    def hub_import(self, zip_path: Path) -> Run:
        argv = [PYTHON, "-m", "hub", "import", str(zip_path), "--org", ORG, "--json"]
        run = run_child(argv, env=self.env, logs=self.work / "hub-import")
        report = json.loads(run.stdout)
        if report.get("status") != "accepted" or not report.get("version_id"):
            raise BenchError(f"hub import did not import the package:\n{run.stdout}")
        stored = list((self.instance / "content" / "packages").iterdir())
        if len(stored) != 1:
            raise BenchError(f"expected one stored version, found {stored}")
        self._check_count(count_files(stored[0]), "hub import")
        shutil.rmtree(stored[0])
        return run

    def read_extract(self, zip_path: Path) -> Run:
        dest = self.work / "extracted"
        argv = [PYTHON, __file__, "--child-read-extract", str(zip_path), str(dest)]
        run = run_child(argv, env=self.env, logs=self.work / "read-extract")
        self._check_count(count_files(dest), "read_package + extract_package")
        shutil.rmtree(dest)
        return run

    def _check_count(self, found: int, who: str) -> None:
        if self.package is not None and found != self.package.file_count:
            raise BenchError(
                f"{who} wrote {found} files, the package has {self.package.file_count}"
            )


def child_read_extract(zip_path: str, dest: str) -> None:
    """The importer alone, as the hub calls it: validate, then extract (no hub, no DB)."""
    import importers  # noqa: PLC0415 - only the child needs the importer

    start = time.perf_counter()
    result = importers.read_package(Path(zip_path))
    read = time.perf_counter() - start
    if result.package is None:
        print(json.dumps(result.report.to_dict()), file=sys.stderr)
        sys.exit(1)
    start = time.perf_counter()
    extracted = importers.extract_package(Path(zip_path), Path(dest))
    extract = time.perf_counter() - start
    print(json.dumps({"read": read, "extract": extract, "files": len(extracted.files)}))


def measure(bench: Bench, zip_path: Path, repeat: int) -> list[Step]:
    """Run each command ``repeat`` times, interleaved, settling the disk before each."""
    steps = [
        Step("unzip -q (baseline)", []),
        Step("hub import --org (full)", []),
        Step("read_package + extract_package", []),
    ]
    commands: list[Callable[[Path], Run]] = [
        bench.unzip,
        bench.hub_import,
        bench.read_extract,
    ]
    warm(zip_path)
    for round_no in range(repeat):
        for step, command in zip(steps, commands, strict=True):
            settle()
            run = command(zip_path)
            step.runs.append(run)
            print(
                f"  round {round_no + 1}/{repeat}: {step.label:32} "
                f"{run.wall:7.2f} s  {run.rss_kib / 1024:6.1f} MiB",
                flush=True,
            )
    return steps


def fixed_cost(bench: Bench, seed: int) -> Run:
    """``hub import`` of a tiny package: start-up and app set-up, whatever the size."""
    tiny = write_package(bench.work / "tiny.zip", size_mb=0.1, files=10, seed=seed)
    saved, bench.package = bench.package, tiny
    try:
        settle()
        return bench.hub_import(tiny.zip_path)
    finally:
        bench.package = saved


def report(steps: list[Step], tiny: Run) -> bool:
    """Print the table and the verdicts; True when every target is met."""
    unzip, full, alone = steps
    phases = [json.loads(run.stdout) for run in alone.runs]
    read = statistics.median(p["read"] for p in phases)
    extract = statistics.median(p["extract"] for p in phases)
    rows = [
        (unzip.label, unzip.wall, unzip.best, unzip.cpu, unzip.rss_mib),
        (full.label, full.wall, full.best, full.cpu, full.rss_mib),
        (alone.label, alone.wall, alone.best, alone.cpu, alone.rss_mib),
        ("  of which read_package", read, None, None, None),
        ("  of which extract_package", extract, None, None, None),
        (
            "hub import of a 0.1 MB package",
            tiny.wall,
            None,
            tiny.cpu,
            tiny.rss_kib / 1024,
        ),
    ]
    print(
        f"\n{'step':32} {'wall s':>7} {'x unzip':>7} {'best s':>7} {'CPU s':>6} "
        f"{'peak RSS MiB':>12}"
    )
    for label, wall, best, cpu, rss in rows:
        print(
            f"{label:32} {wall:7.2f} {wall / unzip.wall:7.2f} {_cell(best, 7)} "
            f"{_cell(cpu, 6)} {_cell(rss, 12, 1)}"
        )
    verdicts = [
        (f"full import <= {MAX_RATIO}x unzip", full.wall / unzip.wall <= MAX_RATIO),
        (f"full import peak RSS < {MAX_RSS_MIB} MiB", full.rss_mib < MAX_RSS_MIB),
        (f"read+extract peak RSS < {MAX_RSS_MIB} MiB", alone.rss_mib < MAX_RSS_MIB),
    ]
    print()
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return all(ok for _, ok in verdicts)


def _cell(value: float | None, width: int, decimals: int = 2) -> str:
    return f"{value:{width}.{decimals}f}" if value is not None else " " * width


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mb", type=float, default=500, help="default: 500")
    parser.add_argument("--files", type=int, default=5000, help="default: 5000")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; medians are shown (default: 3)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--zip", type=Path, help="benchmark this zip, do not generate")
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--child-read-extract", nargs=2, metavar=("ZIP", "DEST"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_read_extract:
        child_read_extract(*args.child_read_extract)
        return 0
    if shutil.which("unzip") is None:
        print(
            "unzip is not installed: it is the baseline, install it (e.g. apt-get "
            "install unzip) and run again",
            file=sys.stderr,
        )
        return 2
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-bench-", dir=args.workdir))
    try:
        return run(work, args)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args: argparse.Namespace) -> int:
    package = None
    if args.zip:
        zip_path = args.zip.resolve()
    else:
        print(f"generating {args.size_mb:g} MB in {args.files} files ...", flush=True)
        start = time.perf_counter()
        package = write_package(
            work / "large-scorm12.zip",
            size_mb=args.size_mb,
            files=args.files,
            seed=args.seed,
        )
        zip_path = package.zip_path
        print(
            f"package: {package.file_count} files, {package.uncompressed / MIB:.1f} "
            f"MiB uncompressed, zip {zip_path.stat().st_size / MIB:.1f} MiB (deflate); "
            f"written in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
    bench = Bench(work, package)
    bench.setup_hub()
    tiny = fixed_cost(bench, args.seed)
    steps = measure(bench, zip_path, max(1, args.repeat))
    return 0 if report(steps, tiny) else 1


if __name__ == "__main__":
    sys.exit(main())
