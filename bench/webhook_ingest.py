"""Webhook ingest: ack latency and sustained rate, with nothing lost or processed twice.

Starts `finnegans serve` (SQLite by default, or PostgreSQL with --database-url) in its own
process, connects a number, then client processes fire signed inbound-message webhooks at a
fixed open-loop rate and measure every acknowledgement. Afterwards it waits until the backlog is
processed and checks that every message id was stored exactly once and processed exactly once.

    .venv/bin/python bench/webhook_ingest.py --rate 500 --seconds 10 --repeat 3
    .venv/bin/python bench/webhook_ingest.py --database-url postgresql://... --rate 500

Method, so the client is not what is measured:
- Open loop: send times are fixed in advance (i / rate) and latency is measured from the
  SCHEDULED time, so a late send or a wait for a free connection counts against the server
  (no coordinated omission).
- A minimal HTTP/1.1 client on raw asyncio (uvloop) over a pool of keep-alive connections,
  with bodies built and signed before the clock starts; httpx costs about 1 ms of CPU per POST,
  which on 2 cores would take a large share of the machine at 500/s.
- `--clients N` spreads the schedule over N processes (request i goes to process i mod N).
- Each run reports the achieved send rate and how late sends left, and the CPU seconds that
  `serve`, the worker and the clients used during the run.

Target (DESIGN.md §7, issue 3): ack p99 < 50 ms at 500 POSTs/s, nothing lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import psutil
import psycopg
from sqlalchemy import create_engine, text

from finnegans.whatsapp.signature import meta_wire_json, sign

APP_SECRET = "bench-app-secret"  # noqa: S105 - a local benchmark secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body_for(phone_number_id: str, i: int, run: str) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "777000",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [
                                {
                                    "profile": {"name": f"Customer {i % 500}"},
                                    "wa_id": f"5491100{i % 500:05d}",
                                }
                            ],
                            "messages": [
                                {
                                    "from": f"5491100{i % 500:05d}",
                                    "id": f"wamid.bench.{run}.{i}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": f"hola {i} ¿qué tal? 😀"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return meta_wire_json(payload)


def http_request(port: int, body: bytes) -> bytes:
    head = (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"X-Hub-Signature-256: {sign(body, APP_SECRET)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# --- the load generator (runs in child processes) -------------------------------------------


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length = 0
        marker = head.find(b"content-length:")
        if marker >= 0:
            length = int(head[marker + 15 :].split(b"\r\n", 1)[0])
        if len(self.buffer) < end + 4 + length:
            return
        status = int(head[9:12])
        del self.buffer[: end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("closed"))

    async def send(self, raw: bytes) -> int:
        if self.transport is None:
            await asyncio.sleep(0)  # uvloop calls connection_made just after create_connection
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


@dataclass
class ClientResult:
    latencies: list[float]  # seconds from the scheduled send time to the full response
    send_lags: list[float]  # seconds the request left after its scheduled time
    statuses: dict[int, int]
    first_send: float
    last_send: float
    cpu_seconds: float


async def _fire(
    port: int, schedule: list[tuple[float, bytes]], connections: int, pipe: Connection
) -> ClientResult:
    loop = asyncio.get_running_loop()
    idle: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(connections):
        _, proto = await loop.create_connection(_Connection, "127.0.0.1", port)  # TCP_NODELAY
        idle.put_nowait(proto)
    pipe.send("ready")
    start_at: float = pipe.recv()  # time.monotonic() is system-wide, so shared by processes
    latencies: list[float] = []
    lags: list[float] = []
    statuses: dict[int, int] = {}
    sends: list[float] = []
    cpu_started = time.process_time()

    async def one(due: float, raw: bytes) -> None:
        conn = await idle.get()  # waiting for a free connection counts as latency
        if conn.closed:  # the server closed it: open another
            _, conn = await loop.create_connection(_Connection, "127.0.0.1", port)
        sent = time.monotonic()
        sends.append(sent)
        lags.append(sent - due)
        try:
            status = await conn.send(raw)
        except ConnectionError:
            status = 0
        latencies.append(time.monotonic() - due)
        statuses[status] = statuses.get(status, 0) + 1
        idle.put_nowait(conn)

    tasks = []
    for offset, raw in schedule:
        due = start_at + offset
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, raw)))
    await asyncio.gather(*tasks)
    return ClientResult(
        latencies,
        lags,
        statuses,
        min(sends),
        max(sends),
        time.process_time() - cpu_started,
    )


def _client_process(
    port: int,
    schedule: list[tuple[float, bytes]],
    connections: int,
    pipe: Connection,
    priority: int,
) -> None:
    import uvloop

    if priority:
        os.nice(-priority)
    pipe.send(uvloop.run(_fire(port, schedule, connections, pipe)))


def fire(
    port: int, requests: list[bytes], rate: float, clients: int, connections: int, priority: int
) -> list[ClientResult]:
    """Send `requests` at `rate`/s from `clients` processes; returns each process's results."""
    ctx = mp.get_context("fork")  # the schedule is inherited, not pickled
    pipes, procs = [], []
    for k in range(clients):
        schedule = [(i / rate, raw) for i, raw in enumerate(requests) if i % clients == k]
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_client_process,
            args=(port, schedule, connections // clients, child, priority),
        )
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    for pipe in pipes:
        assert pipe.recv() == "ready"
    start_at = time.monotonic() + 0.2
    for pipe in pipes:
        pipe.send(start_at)
    results = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join()
    return results


# --- the server under test ------------------------------------------------------------------


def start_server(
    database_url: str,
    data_dir: Path,
    port: int,
    *,
    separate_worker: bool,
    worker_nice: int,
    serve_workers: int,
    priority: int,
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "EMBEDDED_WORKER": "false" if separate_worker else "true",
    }
    subprocess.run(
        [sys.executable, "-m", "finnegans", "migrate"], env=env, check=True, capture_output=True
    )
    serve = [sys.executable, "-m", "finnegans", "serve", "--port", str(port), "--no-migrate"]
    serve += ["--workers", str(serve_workers)]

    def raise_priority() -> None:
        os.nice(-priority)

    start = raise_priority if priority else None
    procs = [subprocess.Popen(serve, env=env, preexec_fn=start)]
    if separate_worker:  # the worker's --nice applies on top of the raised priority
        worker = [sys.executable, "-m", "finnegans", "worker", "--nice", str(worker_nice)]
        procs.append(subprocess.Popen(worker, env=env, preexec_fn=start))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return procs
        except httpx.HTTPError:
            time.sleep(0.1)
    for proc in procs:
        proc.kill()
    raise RuntimeError("server did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (uvicorn's --workers run as children)."""
    try:
        proc = psutil.Process(pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def machine_busy_seconds() -> tuple[float, float]:
    """CPU seconds the machine's processes have used (every core) and the hypervisor stole."""
    t = psutil.cpu_times()
    steal = getattr(t, "steal", 0.0)
    guest = getattr(t, "guest", 0.0) + getattr(t, "guest_nice", 0.0)  # already in user/nice
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0) - steal - guest), float(steal)


def connect_number(base: str) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    r = httpx.post(
        f"{base}/api/auth/register",
        json={"name": "Bench", "email": email, "password": "bench-password"},
    )
    token = r.json()["token"]
    phone_number_id = str(uuid.uuid4().int)[:15]
    r = httpx.post(
        f"{base}/api/whatsapp-accounts",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "phoneNumberId": phone_number_id,
            "appSecret": APP_SECRET,
            "accessToken": "bench-token",
            "businessAccountId": "777000",
        },
    )
    r.raise_for_status()
    return phone_number_id


@dataclass
class Outcome:
    events: int  # webhook_events rows of this run
    distinct_events: int  # distinct message ids among them
    processed_once: int  # events processed, with exactly one processing attempt
    done: int  # events processed or given up on
    messages: int  # messages rows of this run
    distinct_messages: int


def outcome(database_url: str, run: str) -> Outcome:
    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    pattern = f"%wamid.bench.{run}.%"
    with engine.connect() as conn:
        events = conn.execute(
            text(
                "SELECT count(*), "
                "count(CASE WHEN status = 'processed' AND attempts = 1 THEN 1 END), "
                "count(CASE WHEN status IN ('processed', 'failed') THEN 1 END) "
                "FROM webhook_events WHERE body LIKE :p"
            ),
            {"p": pattern},
        ).one()
        # The message id is the only part of a body that differs between POSTs of a run.
        distinct_events = conn.execute(
            text("SELECT count(DISTINCT body) FROM webhook_events WHERE body LIKE :p"),
            {"p": pattern},
        ).scalar_one()
        messages = conn.execute(
            text("SELECT count(*), count(DISTINCT wamid) FROM messages WHERE wamid LIKE :p"),
            {"p": f"wamid.bench.{run}.%"},
        ).one()
    engine.dispose()
    return Outcome(
        int(events[0]),
        int(distinct_events),
        int(events[1]),
        int(events[2]),
        int(messages[0]),
        int(messages[1]),
    )


def wait_processed(database_url: str, run: str, timeout: float) -> tuple[Outcome, float]:
    started = time.monotonic()
    while True:
        result = outcome(database_url, run)
        # Every answered POST is committed by now, so the run's events are all there.
        if result.done >= result.events or time.monotonic() - started > timeout:
            return result, time.monotonic() - started
        time.sleep(0.5)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def one_run(
    args: argparse.Namespace, port: int, phone_number_id: str, database_url: str, procs: list[int]
) -> dict[str, float]:
    run = uuid.uuid4().hex[:6]
    total = int(args.rate * args.seconds)
    requests = [http_request(port, body_for(phone_number_id, i, run)) for i in range(total)]
    cpu_before = [cpu_seconds(pid) for pid in procs]
    busy_before = machine_busy_seconds()
    wall = time.monotonic()
    results = fire(port, requests, args.rate, args.clients, args.connections, args.priority)
    wall = time.monotonic() - wall
    cpu = [cpu_seconds(pid) - before for pid, before in zip(procs, cpu_before, strict=True)]
    busy_after = machine_busy_seconds()
    busy, steal = (after - before for after, before in zip(busy_after, busy_before, strict=True))
    latencies = [x for r in results for x in r.latencies]
    lags = [x for r in results for x in r.send_lags]
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    span = max(r.last_send for r in results) - min(r.first_send for r in results)
    sent = len(latencies)
    result, drain = wait_processed(database_url, run, args.drain_timeout)
    client_cpu = sum(r.cpu_seconds for r in results)
    figures = {
        "sent": sent,
        "achieved": (sent - 1) / span if span > 0 else 0.0,
        "ok": statuses.get(200, 0),
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "max": max(latencies) * 1000,
        "lag_p99": percentile(lags, 99) * 1000,
        "lost": sent - result.distinct_events,
        "stored_twice": result.events - result.distinct_events,
        "not_processed_once": result.events - result.processed_once,
        "messages_missing": sent - result.distinct_messages,
        "messages_duplicated": result.messages - result.distinct_messages,
        "drain": drain,
        "serve_cpu_ms_per_post": cpu[0] * 1000 / sent,
        "serve_cpu_share": cpu[0] / wall,
        "worker_cpu_share": cpu[1] / wall if len(cpu) > 1 else 0.0,
        "client_cpu_share": client_cpu / wall,
        # Other people's work on the machine during the run (the figures are noisy when > 0).
        "others_cpu_share": max(0.0, busy - sum(cpu) - client_cpu) / wall,
        "steal_share": steal / wall,  # CPU the VM's host took from us
    }
    print(
        f"  run {run}: sent {sent} (achieved {figures['achieved']:.0f}/s, send lag p99 "
        f"{figures['lag_p99']:.1f} ms), 200: {figures['ok']}, other: "
        f"{ {k: v for k, v in statuses.items() if k != 200} }\n"
        f"    ack p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
        f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms\n"
        f"    CPU during the run: serve {figures['serve_cpu_share']:.0%} of a core "
        f"({figures['serve_cpu_ms_per_post']:.2f} ms/POST), worker "
        f"{figures['worker_cpu_share']:.0%}, clients {figures['client_cpu_share']:.0%}, "
        f"everything else (PostgreSQL too) {figures['others_cpu_share']:.0%}, stolen by the "
        f"host {figures['steal_share']:.0%}\n"
        f"    events stored {result.events} ({result.distinct_events} distinct), processed once "
        f"{result.processed_once}; messages {result.messages} ({result.distinct_messages} "
        f"distinct); drained {drain:.1f} s after the last POST\n"
        f"    lost {figures['lost']}, stored twice {figures['stored_twice']}, not processed "
        f"exactly once {figures['not_processed_once']}, messages missing "
        f"{figures['messages_missing']} / duplicated {figures['messages_duplicated']}",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="measured runs (medians printed)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--clients", type=int, default=1, help="load generator processes")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="process events in a `finnegans worker` process, not in `serve`",
    )
    parser.add_argument("--worker-nice", type=int, default=10, help="nice of the worker")
    parser.add_argument("--serve-workers", type=int, default=1, help="`serve --workers` (PG)")
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="run server, worker and clients at nice -N (root), to shield the measurement "
        "from other jobs on a shared machine",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        database_url = args.database_url or f"sqlite:///{data / 'bench.db'}"
        if database_url.startswith("postgresql"):
            name = f"bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            database_url = database_url.rsplit("/", 1)[0] + f"/{name}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        servers = start_server(
            database_url,
            data,
            port,
            separate_worker=args.separate_worker,
            worker_nice=args.worker_nice,
            serve_workers=args.serve_workers,
            priority=args.priority,
        )
        backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        mode = "separate worker" if args.separate_worker else "embedded worker"
        if args.separate_worker:
            mode += f" (nice {args.worker_nice})"
        if args.serve_workers > 1:
            mode += f", {args.serve_workers} serve processes"
        if args.priority:
            mode += f", at nice -{args.priority}"
        print(
            f"webhook ingest on {backend}, {mode}: {args.rate:g} POSTs/s for {args.seconds:g} s, "
            f"{args.clients} client process(es), {args.connections} connections",
            flush=True,
        )
        runs = []
        try:
            phone_number_id = connect_number(base)
            pids = [p.pid for p in servers]
            if args.warmup > 0:
                warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup})
                print("  (warm-up)", flush=True)
                one_run(warm, port, phone_number_id, database_url, pids)
            for _ in range(args.repeat):
                runs.append(one_run(args, port, phone_number_id, database_url, pids))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    if len(runs) > 1:
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        per_run = ", ".join(f"{r['p99']:.0f}" for r in runs)
        print(
            f"median of {len(runs)} runs: achieved {med['achieved']:.0f}/s, ack p50 "
            f"{med['p50']:.1f} ms, p95 {med['p95']:.1f} ms, p99 {med['p99']:.1f} ms "
            f"(p99 per run: {per_run} ms); serve "
            f"{med['serve_cpu_ms_per_post']:.2f} ms CPU/POST"
        )
    bad = sum(
        r["lost"]
        + r["stored_twice"]
        + r["not_processed_once"]
        + r["messages_missing"]
        + r["messages_duplicated"]
        for r in runs
    )
    print(
        f"  correctness over {len(runs)} run(s): "
        + ("nothing lost, stored twice or processed twice" if bad == 0 else f"{bad} PROBLEMS")
    )


if __name__ == "__main__":
    main()
