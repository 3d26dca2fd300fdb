"""Start-up time and idle memory of `finnegans serve` on SQLite.

Measures, over several runs, the wall time from spawning the process to the first 200 from
/api/health, then the resident memory (RSS, the process and its children) after idling.
Targets (issue 2, DESIGN.md §7): start under 2 s; idle under 250 MB.

    .venv/bin/python bench/startup.py [--runs 5] [--idle 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    total = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))
    return total / (1024 * 1024)


def one_run(data_dir: Path, idle_seconds: float, migrate: bool) -> tuple[float, float]:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    args = [sys.executable, "-m", "finnegans", "serve", "--port", str(port)]
    if not migrate:
        args.append("--no-migrate")
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 30:
                raise RuntimeError("server did not start within 30 s")
            time.sleep(0.01)
        ready = time.perf_counter() - started
        time.sleep(idle_seconds)
        memory = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return ready, memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = {**os.environ, "DATA_DIR": str(data)}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "finnegans", "seed"], env=env, check=True, capture_output=True
        )
        for label, migrate in (("serve --no-migrate", False), ("serve (checks migrations)", True)):
            results = [one_run(data, args.idle, migrate) for _ in range(args.runs)]
            starts = [r[0] for r in results]
            memories = [r[1] for r in results]
            print(
                f"{label:28s} start: median {statistics.median(starts):.2f} s, "
                f"max {max(starts):.2f} s | idle RSS after {args.idle:.0f} s: "
                f"median {statistics.median(memories):.0f} MB, max {max(memories):.0f} MB "
                f"({args.runs} runs)"
            )


if __name__ == "__main__":
    main()
