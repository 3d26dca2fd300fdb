"""Contact CSV imports through the API, as the import wizard does them."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from httpx import AsyncClient, Response

from tests.helpers import User

DONE = ("completed", "failed")


async def upload(
    client: AsyncClient, user: User, data: bytes | str, filename: str = "contacts.csv"
) -> Response:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return await client.post(
        "/api/contacts/import", headers=user.auth, files={"file": (filename, body, "text/csv")}
    )


async def uploaded(
    client: AsyncClient, user: User, data: bytes | str, filename: str = "contacts.csv"
) -> dict[str, Any]:
    r = await upload(client, user, data, filename)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def wait_for(
    client: AsyncClient, user: User, import_id: str, timeout: float = 60, poll: float = 0.05
) -> Any:
    """Poll the import like the wizard's progress bar until it is over."""
    async with asyncio.timeout(timeout):
        while True:
            r = await client.get(f"/api/contacts/imports/{import_id}", headers=user.auth)
            assert r.status_code == 200, r.text
            if r.json()["status"] in DONE:
                return r.json()
            await asyncio.sleep(poll)


async def run_import(
    client: AsyncClient,
    user: User,
    data: bytes | str,
    *,
    mapping: Any = None,
    timeout: float = 60,
    **options: Any,
) -> dict[str, Any]:
    """Upload, start with the suggested mapping (or the given one), wait until it is over."""
    shown = await uploaded(client, user, data)
    body = {"mapping": mapping if mapping is not None else shown["suggested_mapping"], **options}
    r = await client.post(
        f"/api/contacts/imports/{shown['id']}/start", headers=user.auth, json=body
    )
    assert r.status_code == 202, r.text
    result: dict[str, Any] = await wait_for(client, user, shown["id"], timeout)
    return result


async def error_rows(client: AsyncClient, user: User, import_id: str) -> list[dict[str, str]]:
    r = await client.get(f"/api/contacts/imports/{import_id}/errors.csv", headers=user.auth)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
