"""An uploaded CSV list as the audience (matched, created, tagged, invalid rows reported; bad
files refused with nothing written), and who may change broadcasts (admins and the owner)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from finnegans.db.models import Contact, ContactImport
from tests.helpers import join_as, register
from tests.integration.broadcasts.broadcast_helpers import HELLO, Workspace, workspace

UPLOAD = "/api/broadcasts/audience-upload"


async def upload(ws: Workspace, content: bytes, name: str = "lista.csv") -> Response:
    return await ws.client.post(UPLOAD, headers=ws.owner.auth,
                                files={"file": (name, content, "text/csv")})  # fmt: skip


async def contact_by_phone(ws: Workspace, phone: str) -> Contact | None:
    async with ws.ctx.db.unit_of_work(write=False) as session:
        found = await session.execute(
            select(Contact).where(Contact.workspace_id == ws.owner.workspace_id,
                                  Contact.phone == phone)
        )  # fmt: skip
        return found.scalar_one_or_none()


async def written(ws: Workspace) -> tuple[int, int]:
    """(contacts, imports) of the workspace: what a refused upload must not change."""
    async with ws.ctx.db.unit_of_work(write=False) as session:
        contacts = await session.scalar(
            select(func.count()).where(Contact.workspace_id == ws.owner.workspace_id)
        )
        imports = await session.scalar(
            select(func.count()).where(ContactImport.workspace_id == ws.owner.workspace_id)
        )
        return int(contacts or 0), int(imports or 0)


async def test_a_csv_list_matches_known_numbers_creates_the_rest_and_skips_opt_outs(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    settings = {"default_country": "AR", "opt_out_keywords": ["STOP"],
                "opt_in_keywords": ["START"]}  # fmt: skip
    r = await client.put("/api/contacts/settings", headers=ws.owner.auth, json=settings)
    assert r.status_code == 200, r.text
    known = (await ws.contacts(1, name="Ana Conocida"))[0]
    opted = (await ws.contacts(1, opted_out=True, name="Baja"))[0]
    known_phone, opted_phone = "+5491155550001", "+5491155550002"
    async with ws.ctx.db.unit_of_work() as session:
        for contact_id, phone in ((known, known_phone), (opted, opted_phone)):
            contact = await session.get(Contact, contact_id)
            assert contact is not None
            contact.phone, contact.wa_id = phone, phone.lstrip("+")
    # Semicolons, a national number read with the default country, a repeat, a bad row.
    csv_text = (
        "Nombre;Celular;Ciudad\n"
        f"Otro Nombre;{known_phone};Rosario\n"
        f"Baja;{opted_phone};\n"
        "Nueva;011 2233-4455;CABA\n"
        "Repetida;+54 11 2233 4455;CABA\n"
        "Mal;12;CABA\n"
        "\n"
    )
    r = await upload(ws, csv_text.encode())
    assert r.status_code == 201, r.text
    listed = r.json()
    assert (listed["rows"], listed["numbers"], listed["created"], listed["matched"],
            listed["invalid"]) == (5, 3, 1, 2, 1), listed  # fmt: skip
    assert listed["errors"][0]["row"] == 6 and "digits" in listed["errors"][0]["reason"]
    assert listed["errors_csv"].endswith(f"/imports/{listed['upload_id']}/errors.csv")
    errors_csv = await client.get(listed["errors_csv"], headers=ws.owner.auth)
    assert errors_csv.status_code == 200 and "12" in errors_csv.text
    # The known contact keeps its name; the new one is a contact with the list's tag.
    async with ws.ctx.db.unit_of_work(write=False) as session:
        assert (await session.get(Contact, known)).name == "Ana Conocida 0"  # type: ignore[union-attr]
    new = await contact_by_phone(ws, "+541122334455")
    assert new is not None and new.name == "Repetida"  # a repeat merges: the later row wins
    tagged = await ws.get("/api/contacts", tag=listed["tag"])
    assert len(tagged["contacts"]) == 3

    audience = {"kind": "csv", "uploadId": listed["upload_id"]}
    preview = await ws.post("/api/broadcasts/audience-preview", {"audience": audience})
    assert (preview["matched"], preview["opted_out"], preview["unique"]) == (3, 1, 2)
    assert preview["timezone"]  # where the wizard says a schedule is read
    draft = await ws.create(title="Lista", audience=audience, content=HELLO)
    assert draft["audience"]["upload_id"] == listed["upload_id"]
    await ws.launch(draft["id"])
    done = await ws.wait(draft["id"])
    assert done["status"] == "completed", done
    assert (done["total_recipients"], done["counts"]["skipped"], done["funnel"]["sent"]) == (
        3, 1, 2)  # fmt: skip
    assert sorted(m.wa_id for m in ws.outbound()) == sorted(
        [known_phone.lstrip("+"), "541122334455"])  # fmt: skip

    # Another workspace cannot use this list.
    other = await workspace(app, client, await register(client))
    r = await client.post("/api/broadcasts/audience-preview", headers=other.owner.auth,
                          json={"audience": audience})  # fmt: skip
    assert r.status_code == 400 and "audience.upload_id" in r.json()["fields"], r.text


async def test_a_bad_list_is_a_clear_4xx_and_writes_nothing(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    before = await written(ws)

    async def refused(content: bytes, status: int, words: str, name: str = "l.csv") -> None:
        r = await upload(ws, content, name)
        assert r.status_code == status, (content[:40], r.status_code, r.text)
        body: dict[str, Any] = r.json()
        assert words in body["error"], body
        assert "file" in body["fields"], body
        assert await written(ws) == before

    await refused("teléfono,nombre\n+5491122334455,José\n".encode("latin-1"), 400, "not UTF-8")
    await refused(b"", 400, "empty")
    await refused(b"nombre,ciudad\nAna,Rosario\nLuis,Salta\n", 400, "no column looks like")
    await refused(b"phone,name\n", 400, "no contacts under it")
    await refused(b"phone,name\n12,Ana\nabc,Luis\n", 400, "no row has a valid phone")
    await refused(b"PK\x03\x04rest of a workbook", 400, "Excel")
    # Just over the list's limit (a much bigger body is refused by the server's body limit).
    big = b"phone\n" + b"+5491122334455\n" * (5 * 1024 * 1024 // 15 + 100)
    await refused(big, 413, "at most 5 MB")
    many = b"phone\n" + b"".join(b"+54911%08d\n" % i for i in range(10_001))
    await refused(many, 413, "at most 10,000 rows")
    r = await client.post(UPLOAD, headers=ws.owner.auth)
    assert r.status_code == 400 and "multipart" in r.json()["error"]
    assert await written(ws) == before
    # A csv audience needs a list, and one that exists.
    r = await client.post("/api/broadcasts", headers=ws.owner.auth,
                          json={"audience": {"kind": "csv"}, "content": HELLO})  # fmt: skip
    assert r.status_code in (400, 422) and "upload_id" in r.text
    unknown = {"audience": {"kind": "csv", "uploadId": "nope"}, "content": HELLO}
    r = await client.post("/api/broadcasts", headers=ws.owner.auth, json=unknown)
    assert r.status_code == 400 and "no such uploaded list" in r.json()["error"]


async def test_agents_read_broadcasts_and_only_admins_and_owners_change_them(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    await ws.contacts(2)
    agent = await join_as(client, ws.owner, "agent")
    admin = await join_as(client, ws.owner, "admin")
    body = {"title": "T", "audience": {"kind": "everyone"}, "content": HELLO}
    draft = await ws.create(**body)
    running = await ws.create(**body, launch=True)
    base = f"/api/broadcasts/{draft['id']}"
    for method, url, payload in (
        ("POST", "/api/broadcasts", body),
        ("PATCH", base, {"title": "x"}),
        ("DELETE", base, None),
        ("POST", f"{base}/launch", None),
        ("POST", f"/api/broadcasts/{running['id']}/pause", None),
        ("POST", f"/api/broadcasts/{running['id']}/resume", None),
        ("POST", f"/api/broadcasts/{running['id']}/cancel", None),
    ):
        r = await client.request(method, url, headers=agent.auth, json=payload)
        assert r.status_code == 403 and "admin" in r.json()["error"], (method, url, r.text)
    r = await client.post(
        UPLOAD,
        headers=agent.auth,
        files={"file": ("l.csv", b"phone\n+5491122334455\n", "text/csv")},
    )
    assert r.status_code == 403
    assert (await written(ws))[0] == 2  # the refused upload created no contact
    # Reading is for every member.
    for url in ("/api/broadcasts", base, f"{base}/recipients", f"{base}/recipients.csv"):
        r = await client.get(url, headers=agent.auth)
        assert r.status_code == 200, (url, r.text)
    r = await client.post("/api/broadcasts/audience-preview", headers=agent.auth,
                          json={"audience": {"kind": "everyone"}})  # fmt: skip
    assert r.status_code == 200 and r.json()["unique"] == 2
    # An admin may do all of it.
    r = await client.patch(base, headers=admin.auth, json={"title": "Renamed"})
    assert r.status_code == 200 and r.json()["title"] == "Renamed"
    r = await client.post(f"{base}/launch", headers=admin.auth)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/broadcasts/{running['id']}/cancel", headers=admin.auth)
    assert r.status_code in (200, 409), r.text


async def test_a_list_with_over_4_mb_of_text_is_read_to_its_last_row(
    client: AsyncClient, app: FastAPI
) -> None:
    # Wide rows (an ignored notes column): the reader's 4 MB chunks end before the file does.
    ws = await workspace(app, client)
    rows = 7000
    filler = "x" * 690
    body = "phone,notes\n" + "".join(f"+54911{i:08d},{filler}\n" for i in range(rows))
    assert 4 * 1024 * 1024 < len(body) < 5 * 1024 * 1024
    r = await upload(ws, body.encode())
    assert r.status_code == 201, r.text
    assert (r.json()["rows"], r.json()["created"], r.json()["invalid"]) == (rows, rows, 0)
