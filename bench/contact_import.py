"""Contact CSV import throughput and memory (issue 6: 100,000 rows with bounded memory).

Generates a CSV of N rows (5 % bad: empty phones, wrong lengths, bad numbers), uploads it
through the real API in this process (httpx over ASGI), starts the import with the suggested
mapping and times it until the background task reports `completed`. Memory: Python's peak
allocations during the import (tracemalloc, which slows Python down: the rows/s figure is taken
from a separate run without it unless --tracemalloc-only) and the process's RSS growth.

    .venv/bin/python bench/contact_import.py --rows 100000
    .venv/bin/python bench/contact_import.py --rows 100000 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import psutil
from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from httpx import ASGITransport, AsyncClient

from finnegans.config import Settings
from finnegans.db.migrate import upgrade
from finnegans.main import create_app

BAD_SHARE = 0.05


def write_csv(path: Path, rows: int, seed: int = 7) -> int:
    """N contact rows, 5 % of them bad in one of four ways; returns how many are bad."""
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("nombre,telefono,etiquetas,edad,ciudad\n")
        for i in range(rows):
            phone, age = f"+54911{i:08d}", str(18 + i % 60)
            if rng.random() < BAD_SHARE:
                bad += 1
                kind = rng.randrange(4)
                if kind == 0:
                    phone = ""
                elif kind == 1:
                    phone = f"+549{i % 1000}"
                elif kind == 2:
                    phone = "+no-es-un-numero"
                else:
                    age = "treinta"
            out.write(f"Cliente {i},{phone},lead|promo{i % 10},{age},Ciudad {i % 50}\n")
    return bad


async def run(rows: int, database_url: str | None, *, trace: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = database_url or f"sqlite:///{data_dir / 'bench.db'}"
        settings = Settings(
            _env_file=None, environment="test", database_url=url, data_dir=data_dir,  # type: ignore[call-arg]
            jwt_secret="bench-" + "x" * 40, encryption_keys=[Fernet.generate_key().decode()],
            public_url="http://bench", log_level="WARNING", redis_url="",
        ).complete()  # fmt: skip
        upgrade(settings.database_url)
        csv_path = data_dir / "contacts.csv"
        bad = write_csv(csv_path, rows)
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://bench") as client:
                email = f"bench-{os.getpid()}-{time.time_ns()}@example.com"
                reg = await client.post("/api/auth/register", json={
                    "name": "Bench", "email": email, "password": "bench password 1"})  # fmt: skip
                auth = {"Authorization": f"Bearer {reg.json()['token']}"}
                await client.post("/api/contact-attributes", headers=auth,
                                  json={"key": "edad", "type": "number"})  # fmt: skip
                started = time.perf_counter()
                files = {"file": ("c.csv", csv_path.read_bytes())}
                shown = await client.post("/api/contacts/import", headers=auth, files=files)
                upload_s = time.perf_counter() - started
                import_id = shown.json()["id"]
                rss_before = psutil.Process().memory_info().rss
                if trace:
                    tracemalloc.start()
                started = time.perf_counter()
                await client.post(f"/api/contacts/imports/{import_id}/start", headers=auth,
                                  json={"mapping": shown.json()["suggested_mapping"]})  # fmt: skip
                while True:
                    state = (await client.get(f"/api/contacts/imports/{import_id}",
                                              headers=auth)).json()  # fmt: skip
                    if state["status"] in ("completed", "failed"):
                        break
                    await asyncio.sleep(0.2)
                elapsed = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1] if trace else 0
                if trace:
                    tracemalloc.stop()
                rss_after = psutil.Process().memory_info().rss
    return {
        "rows": rows, "bad": bad, "status": state["status"], "created": state["created"],
        "failed": state["failed"], "seconds": elapsed, "upload_seconds": upload_s,
        "rows_per_s": rows / elapsed, "peak_mb": peak / 1e6,
        "rss_growth_mb": (rss_after - rss_before) / 1e6,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    for trace in (False, True):
        result = asyncio.run(run(args.rows, args.database_url, trace=trace))
        label = "with tracemalloc" if trace else "plain"
        print(f"[{backend}, {label}] {result['rows']} rows ({result['bad']} bad): "
              f"{result['status']}, created {result['created']}, failed {result['failed']}; "
              f"upload {result['upload_seconds']:.1f} s; import {result['seconds']:.1f} s = "
              f"{result['rows_per_s']:.0f} rows/s; RSS growth {result['rss_growth_mb']:.1f} MB"
              + (f"; Python peak {result['peak_mb']:.1f} MB" if trace else ""))  # fmt: skip


if __name__ == "__main__":
    main()
