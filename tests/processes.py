"""Real `finnegans` processes for tests: free ports, waiting for a server, start and stop.

Shared by the tests that need separate processes (the crash test, the Redis fan-out test, the
scale-out stage), so each does not grow its own copy.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(
    url: str,
    timeout: float = 30,
    proc: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Until `url` answers below 500; fails early (with the log) if `proc` exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    output = log.read_text() if log is not None and log.exists() else ""
    raise RuntimeError(f"{url} did not come up\n{output}")


@contextmanager
def finnegans(
    *args: str, env: Mapping[str, str], log: Path, ready_url: str | None = None, timeout: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m finnegans ARGS` with its output in `log`; SIGTERM (then SIGKILL) on exit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "finnegans", *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if ready_url is not None:
            wait_http(ready_url, timeout, proc, log)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
