"""Socket.IO fan-out: N agents' sockets in one workspace, events emitted at a fixed rate.

The inbox issue's target: 1,000 events/s fanned out to 100 clients. The events take the path a
`finnegans worker` (or another `serve` process) uses: published to Redis by a process that holds
no socket, received by `finnegans serve` through python-socketio's Redis manager and sent to
every socket in the workspace room. Start:

    .venv/bin/python bench/socket_fanout.py --clients 100 --rate 1000 --seconds 10 \
        --redis-url redis://127.0.0.1:6379/0 [--client-procs 2]

Without --redis-url a throwaway `redis-server` is started on a free port. With --in-process the
server runs in this process on the in-memory manager and the events are emitted on its own
event loop (`ctx.realtime.emit_now`), as webhook processing and API requests emit them.

Method:
- `finnegans serve` runs as its own process on a fresh SQLite file, with REDIS_URL set;
- the clients are plain websockets (aiohttp) speaking Engine.IO 4 / Socket.IO 5 by hand: connect
  with the owner's token, answer pings, and parse each `42[...]` frame; they run in
  `--client-procs` processes so that parsing 100,000 frames/s is not what is measured;
- the emitter sends open loop, on a schedule fixed in advance (i / rate); every event carries its
  scheduled send time, and latency is from that time to the client's receipt (one machine, one
  clock), so a late emitter counts against the result;
- reported: events delivered per client (and any lost), latency p50/p95/p99/max, and the CPU
  seconds the server used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil
import socketio
import uvicorn
import uvloop
from cryptography.fernet import Fernet

from finnegans.config import Settings
from finnegans.db.migrate import upgrade
from finnegans.main import create_app
from finnegans.realtime import workspace_room
from finnegans.realtime.hub import REDIS_CHANNEL

EVENT = "message:new"
_STAMP = re.compile(r'"bench_t":([0-9.]+)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: pass --redis-url or apt-get install redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.3)
    return proc, f"redis://127.0.0.1:{port}/0"


def start_server(data_dir: Path, redis_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data_dir / 'bench.db'}",
        "DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "PUBLIC_URL": url,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": "fanout-bench-" + "x" * 40,
    }
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "finnegans", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit((data_dir / "server.log").read_text())


class InProcessServer:
    """`create_app` under uvicorn on a thread of this process (in-memory Socket.IO manager);
    events are emitted by a coroutine on the server's own loop, as webhook processing does."""

    def __init__(self, data_dir: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        settings = Settings(
            _env_file=None, environment="test", database_url=f"sqlite:///{data_dir / 'bench.db'}",
            data_dir=data_dir, jwt_secret="fanout-bench-" + "x" * 40,
            encryption_keys=[Fernet.generate_key().decode()], public_url=self.url,
            log_level="WARNING", redis_url="",
        ).complete()  # fmt: skip
        upgrade(settings.database_url)
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.loop = uvloop.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise SystemExit("the in-process server did not start")
            time.sleep(0.05)

    def emit(self, room: str, rate: int, seconds: float) -> tuple[int, float]:
        hub = self.app.state.ctx.realtime

        pending: set[asyncio.Task[None]] = set()

        async def send(payload: dict[str, Any]) -> None:
            # Like a commit releasing its events: the producer does not wait for the fan-out
            # (the hub's ordered emitter keeps the order).
            task = asyncio.ensure_future(hub.emit_now(EVENT, payload, room=room))
            pending.add(task)
            task.add_done_callback(pending.discard)

        job = asyncio.run_coroutine_threadsafe(_schedule(send, rate, seconds), self.loop)
        return job.result()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


# --- clients (in their own processes) -----------------------------------------------------


async def _one_client(
    url: str, token: str, ready: asyncio.Event, counts: dict[str, Any], stop_at: Any
) -> None:
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    latencies: list[float] = counts["latencies"]
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
        opened = await ws.receive_str()
        if not opened.startswith("0"):
            raise RuntimeError(f"unexpected open packet {opened[:80]}")
        await ws.send_str("40" + json.dumps({"token": token}))
        connected = await ws.receive_str()
        if not connected.startswith("40"):
            raise RuntimeError(f"refused: {connected[:200]}")
        counts["connected"] += 1
        ready.set()
        while not (stop_at.value and time.time() > stop_at.value):
            try:
                frame = await ws.receive(timeout=0.5)
            except TimeoutError:
                continue
            if frame.type != aiohttp.WSMsgType.TEXT:
                return
            data = frame.data
            if data == "2":
                await ws.send_str("3")
            elif data.startswith("42"):
                # A frame is one event or a `batch` of them (realtime/fanout.py); a regex over
                # the send times is cheaper than json.loads per frame.
                now = time.time()
                latencies.extend(now - float(t) for t in _STAMP.findall(data))
                counts["frames"] += 1


def client_process(url: str, token: str, n: int, stop_at: Any, queue: Any, ready_flag: Any) -> None:
    """`n` clients; they listen until the wall-clock time in `stop_at` (0: not yet set)."""

    async def main() -> None:
        counts: dict[str, Any] = {"connected": 0, "frames": 0, "latencies": []}
        tasks = []
        for _ in range(n):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(_one_client(url, token, ready, counts, stop_at)))
            await asyncio.wait_for(ready.wait(), 30)
        with ready_flag.get_lock():
            ready_flag.value += n
        await asyncio.gather(*tasks, return_exceptions=True)
        queue.put((counts["frames"], counts["latencies"]))

    uvloop.run(main())


# --- the emitter ---------------------------------------------------------------------------


async def _schedule(
    send: Callable[[dict[str, Any]], Awaitable[None]], rate: int, seconds: float
) -> tuple[int, float]:
    """Send `rate * seconds` events on a fixed schedule; returns (sent, worst lag in s)."""
    total = int(rate * seconds)
    start = time.time() + 0.2
    worst = 0.0
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        worst = max(worst, time.time() - scheduled)
        await send({"contact_id": "bench", "message": {"id": str(i)}, "bench_t": scheduled})
    return total, worst


async def emit_through_redis(
    redis_url: str, room: str, rate: int, seconds: float
) -> tuple[int, float]:
    """As a `finnegans worker` would: a write-only manager publishing to Redis (one publish at
    a time: python-socketio's write-only manager shares one connection)."""
    manager = socketio.AsyncRedisManager(redis_url, channel=REDIS_CHANNEL, write_only=True)

    async def send(payload: dict[str, Any]) -> None:
        await manager.emit(EVENT, payload, room=room, namespace="/")

    return await _schedule(send, rate, seconds)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1)))] if values else float("nan")


def run(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    redis_proc = None
    redis_url = args.redis_url
    in_process: InProcessServer | None = None
    server: subprocess.Popen[bytes] | None = None
    if args.in_process:
        in_process = InProcessServer(data_dir)
        url, server_pid = in_process.url, os.getpid()
    else:
        if not redis_url:
            redis_proc, redis_url = start_redis(data_dir)
        server, url = start_server(data_dir, redis_url)
        server_pid = server.pid
    try:
        owner = httpx.post(f"{url}/api/auth/register", json={
            "name": "Bench", "email": f"fanout-{time.time_ns()}@example.com",
            "password": "bench-password"}).json()  # fmt: skip
        token = owner["token"]
        me = httpx.get(f"{url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
        room = workspace_room(me["workspace"]["id"])

        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        ready = ctx.Value("i", 0)
        per_proc = [args.clients // args.client_procs] * args.client_procs
        per_proc[0] += args.clients - sum(per_proc)
        stop_at = ctx.Value("d", 0.0)
        procs = [ctx.Process(target=client_process, args=(url, token, n, stop_at, queue, ready))
                 for n in per_proc]  # fmt: skip
        for proc in procs:
            proc.start()
        deadline = time.monotonic() + 60
        while ready.value < args.clients and time.monotonic() < deadline:
            time.sleep(0.1)
        if ready.value < args.clients:
            raise SystemExit(f"only {ready.value} of {args.clients} clients connected")
        # Let the connect burst settle, then start the clock.
        time.sleep(1)
        server_ps = psutil.Process(server_pid)
        clients_ps = [psutil.Process(proc.pid) for proc in procs]
        cpu_before = sum(server_ps.cpu_times()[:2])
        clients_before = sum(sum(p.cpu_times()[:2]) for p in clients_ps)
        if in_process is not None:
            sent, emit_lag = in_process.emit(room, args.rate, args.seconds)
        else:
            sent, emit_lag = uvloop.run(
                emit_through_redis(redis_url, room, args.rate, args.seconds)
            )
        # Clients keep listening `--drain` seconds after the last event was published.
        time.sleep(args.drain)
        cpu_used = sum(server_ps.cpu_times()[:2]) - cpu_before
        clients_cpu = sum(sum(p.cpu_times()[:2]) for p in clients_ps) - clients_before
        stop_at.value = time.time()
        results = [queue.get(timeout=120 + args.seconds) for _ in procs]
        for proc in procs:
            proc.join(timeout=10)
    finally:
        if in_process is not None:
            in_process.stop()
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if redis_proc is not None:
            redis_proc.terminate()
    latencies = sorted(lat for _, lats in results for lat in lats)
    frames = sum(n for n, _ in results)
    expected = sent * args.clients
    mode = "in-process emitter, in-memory manager" if args.in_process else "through Redis"
    print(f"socket fan-out ({mode}): {args.clients} clients, {args.rate} events/s for "
          f"{args.seconds} s "
          f"({sent:,} events, {expected:,} deliveries expected), clients in "
          f"{args.client_procs} process(es)")  # fmt: skip
    print(f"  delivered        {len(latencies):,} ({len(latencies) / expected:.2%}); "
          f"lost {expected - len(latencies):,}")  # fmt: skip
    print(f"  frames           {frames:,} ({len(latencies) / max(frames, 1):.1f} events per frame)")
    print(f"  deliveries/s     {len(latencies) / args.seconds:,.0f} "
          f"(target {args.rate * args.clients:,})")  # fmt: skip
    print(
        f"  latency ms       p50 {statistics.median(latencies) * 1000:.1f}  "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f}  "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f}  max {latencies[-1] * 1000:.1f}"
    )
    print(f"  serve CPU        {cpu_used:.1f} s over {args.seconds + args.drain:.0f} s "
          f"({cpu_used / (args.seconds + args.drain):.2f} cores)")  # fmt: skip
    clients_share = clients_cpu / (args.seconds + args.drain)
    print(f"  clients CPU      {clients_cpu:.1f} s ({clients_share:.2f} cores)")
    print(f"  emitter lag      worst {emit_lag * 1000:.1f} ms behind schedule")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=int, default=1000, help="events per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--drain", type=float, default=5, help="seconds to wait after the last")
    parser.add_argument("--client-procs", type=int, default=1)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--in-process", action="store_true", help="one process, in-memory manager")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
