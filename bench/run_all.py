"""Run every benchmark in bench/ on SQLite and PostgreSQL (and scale-out), print each figure.

`make bench` calls this through scripts/bench.sh, which starts throwaway PostgreSQL and Redis
servers (scripts/services.sh) and passes their URLs. Default sizes keep the whole run to about
15 minutes on the project's 2-core VM; `BENCH_FULL=1` (or `--full`) uses the sizes of
bench/README.md (an hour or more: the 1,000,000-message seeds alone take 5 to 8 minutes each).

Each script runs as its own process, its output streamed as it comes. Meanwhile this driver
samples, every 0.25 s, the resident memory of the script's process tree and of the
`finnegans serve` / `finnegans worker` processes in it: the "memory under load" column of the
summary printed at the end (in-process benchmarks run the app inside the script itself, so for
them the whole tree is the app plus its load generator).

    .venv/bin/python bench/run_all.py --postgres-url postgresql://... --redis-url redis://...
    .venv/bin/python bench/run_all.py --only overview,inbox --backend sqlite
    .venv/bin/python bench/run_all.py --list
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg

BENCH = Path(__file__).resolve().parent


@dataclass
class Step:
    name: str  # the script's stem, used by --only
    backend: str  # sqlite | postgresql | redis | none
    label: str
    args: list[str]
    # PostgreSQL: "server" when the script creates its own database on the server URL,
    # "database" when it migrates the URL it is given (this driver makes a fresh one).
    pg_url: str = "database"
    wall_s: float = 0.0
    returncode: int | None = None
    peak_tree_mb: float = 0.0
    peak_server_mb: float = 0.0
    tail: list[str] = field(default_factory=list)


def steps(full: bool) -> list[Step]:
    """The benchmarks and their sizes: quick by default, the README's with `full`."""

    def size(quick: str, big: str) -> list[str]:
        return (big if full else quick).split()

    ingest = size("--rate 500 --seconds 3", "--rate 500 --seconds 10 --repeat 3")
    inbox = size(
        "--messages 100000 --contacts 5000 --runs 50",
        "--messages 1000000 --contacts 50000 --runs 200",
    )
    overview = size(
        "--messages 100000 --contacts 5000 --runs 20",
        "--messages 1000000 --contacts 50000 --runs 40",
    )
    fanout = size(
        "--clients 100 --rate 1000 --seconds 3 --client-procs 2",
        "--clients 100 --rate 1000 --seconds 10 --client-procs 2",
    )
    flow = size("--rate 5 --seconds 5", "--rate 10 --seconds 10")
    broadcast = size("--recipients 400", "--recipients 10000")
    imports = size("--rows 10000", "--rows 100000")
    inserts = size("--messages 5000", "--messages 20000")
    runs = [
        Step(
            "startup",
            "sqlite",
            "start-up and idle memory",
            size("--runs 3 --idle 3", "--runs 7 --idle 5"),
        ),
        Step("webhook_ingest", "sqlite", "webhook ack, embedded worker", ingest),
        Step("webhook_ingest", "postgresql", "webhook ack, embedded worker", ingest, "server"),
        Step(
            "webhook_ingest",
            "postgresql",
            "webhook ack, scale-out: `serve --workers 2` + `finnegans worker`",
            [*ingest, "--separate-worker", "--serve-workers", "2"],
            "server",
        ),
        Step("flow_engine", "sqlite", "inbound → reply", flow),
        Step("flow_engine", "postgresql", "inbound → reply", flow),
        Step(
            "broadcast_rate",
            "sqlite",
            "broadcast at 80/s, sender only",
            [*broadcast, "--rate", "80", "--no-statuses"],
        ),
        Step(
            "broadcast_rate",
            "sqlite",
            "broadcast at 80/s, full system",
            [*broadcast, "--rate", "80"],
        ),
        Step(
            "broadcast_rate",
            "sqlite",
            "broadcast at 1,000/s, sender only",
            [*size("--recipients 2000", "--recipients 10000"), "--rate", "1000", "--no-statuses"],
        ),
        Step(
            "broadcast_rate",
            "postgresql",
            "broadcast at 80/s, full system",
            [*broadcast, "--rate", "80"],
            "server",
        ),
        Step("inbox_queries", "sqlite", "inbox queries", inbox),
        Step("inbox_queries", "postgresql", "inbox queries", inbox),
        Step("overview_queries", "sqlite", "overview and search", overview),
        Step("overview_queries", "postgresql", "overview and search", overview),
        Step("message_insert_rate", "sqlite", "roll-up trigger cost on writes", inserts),
        Step("message_insert_rate", "postgresql", "roll-up trigger cost on writes", inserts),
        Step("socket_fanout", "none", "Socket.IO fan-out, in-process", [*fanout, "--in-process"]),
        Step("socket_fanout", "redis", "Socket.IO fan-out through Redis", fanout),
        Step("contact_import", "sqlite", "contact CSV import", imports),
        Step("contact_import", "postgresql", "contact CSV import", imports),
    ]
    return runs


def fresh_database(server_url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _is_server(proc: psutil.Process) -> bool:
    try:
        cmd = proc.cmdline()
    except psutil.Error:
        return False
    return any("finnegans" in part for part in cmd) and ("serve" in cmd or "worker" in cmd)


def _watch_memory(pid: int, step: Step, done: threading.Event) -> None:
    """Peak RSS of the process tree, and of the server processes in it (summed)."""
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not done.wait(0.25):
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = server = 0
        for proc in tree:
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            if _is_server(proc):
                server += rss
        step.peak_tree_mb = max(step.peak_tree_mb, total / 1e6)
        step.peak_server_mb = max(step.peak_server_mb, server / 1e6)


def run_step(step: Step, postgres_url: str, redis_url: str) -> None:
    args = list(step.args)
    made = ""
    if step.backend == "postgresql":
        if step.pg_url == "server":
            args += ["--database-url", postgres_url]
        else:
            made = fresh_database(postgres_url)
            args += ["--database-url", made]
    elif step.backend == "redis":
        args += ["--redis-url", redis_url]
    command = [sys.executable, str(BENCH / f"{step.name}.py"), *args]
    print(f"\n=== {step.label} [{step.backend}] $ {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=BENCH.parent
    )
    done = threading.Event()
    watcher = threading.Thread(target=_watch_memory, args=(proc.pid, step, done), daemon=True)
    watcher.start()
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        print("  " + line, end="", flush=True)
        lines.append(line.rstrip())
    step.returncode = proc.wait()
    done.set()
    watcher.join()
    step.wall_s = time.perf_counter() - started
    step.tail = [line for line in lines if line.strip()][-12:]
    if made:
        drop_database(postgres_url, made)


def summary(done: list[Step], total_s: float) -> None:
    print("\n" + "=" * 100)
    print(
        f"SUMMARY: {len(done)} runs in {total_s / 60:.1f} min "
        f"(machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)"
    )
    print(f"{'benchmark':58} {'backend':10} {'wall s':>7} {'peak MB':>8} {'server MB':>9} rc")
    for step in done:
        server = f"{step.peak_server_mb:9.0f}" if step.peak_server_mb else f"{'—':>9}"
        print(
            f"{step.label[:58]:58} {step.backend:10} {step.wall_s:7.0f} "
            f"{step.peak_tree_mb:8.0f} {server} {step.returncode}"
        )
    print("\nEach run's last lines (its figures):")
    for step in done:
        print(f"\n--- {step.label} [{step.backend}]")
        for line in step.tail:
            print("    " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", ""))
    parser.add_argument("--full", action="store_true", default=os.environ.get("BENCH_FULL") == "1")
    parser.add_argument("--only", default="", help="comma-separated script names")
    parser.add_argument("--backend", default="", help="comma-separated: sqlite,postgresql,...")
    parser.add_argument("--list", action="store_true", help="print the runs and exit")
    args = parser.parse_args()

    chosen = steps(args.full)
    if args.only:
        chosen = [s for s in chosen if s.name in args.only.split(",")]
    if args.backend:
        chosen = [s for s in chosen if s.backend in args.backend.split(",")]
    skipped = {
        id(s)
        for s in chosen
        if (s.backend == "postgresql" and not args.postgres_url)
        or (s.backend == "redis" and not args.redis_url)
    }
    if args.list:
        for step in chosen:
            print(f"{step.name:22} {step.backend:10} {step.label}: {' '.join(step.args)}")
        return
    for step in chosen:
        if id(step) in skipped:
            print(f"skipped (no server URL): {step.label} [{step.backend}]")
    started = time.perf_counter()
    done: list[Step] = []
    try:
        for step in chosen:
            if id(step) not in skipped:
                run_step(step, args.postgres_url, args.redis_url)
                done.append(step)
    finally:
        summary(done, time.perf_counter() - started)
    if any(step.returncode for step in done):
        sys.exit(1)


if __name__ == "__main__":
    main()
