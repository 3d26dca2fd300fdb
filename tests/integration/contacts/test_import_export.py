"""Contact CSV import (upload → mapping → background import → errors report) and the export,
through the HTTP API on SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.models import ContactOptEvent
from tests.helpers import User, join_as, register
from tests.integration.contacts.contact_helpers import create_contact, listed
from tests.integration.contacts.import_helpers import (
    error_rows,
    run_import,
    upload,
    uploaded,
    wait_for,
)


async def _define(client: AsyncClient, user: User, key: str, type_: str, label: str = "") -> None:
    body = {"key": key, "type": type_, **({"label": label} if label else {})}
    r = await client.post("/api/contact-attributes", headers=user.auth, json=body)
    assert r.status_code == 201, r.text


async def _by_phone(client: AsyncClient, user: User) -> dict[str, dict[str, Any]]:
    return {c["phone"]: c for c in await listed(client, user)}


# --- upload: encoding, delimiter, suggested mapping ------------------------------------------


async def test_english_headers_get_a_suggested_mapping_and_nothing_is_imported_yet(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    await _define(client, owner, "age", "number")
    shown = await uploaded(
        client, owner,
        "Name,Phone Number,Tags,Age,Unsubscribed,Notes,Favourite colour\n"
        "Ana,+54 9 11 2233-4455,vip|lead,34,no,likes mate,blue\n"
        "Beto,+34 612 345 678,,51,yes,,green\n",
    )  # fmt: skip
    assert shown["status"] == "uploaded"
    assert shown["delimiter"] == "," and shown["encoding"] == "utf-8"
    assert shown["headers"][:2] == ["Name", "Phone Number"]
    assert shown["suggested_mapping"] == [
        "name", "phone", "tags", "attribute:age", "opted_out", "notes", "ignore",
    ]  # fmt: skip
    assert shown["sample_rows"][1][:2] == ["Beto", "+34 612 345 678"]
    assert shown["columns"][1] == {
        "index": 1, "header": "Phone Number", "suggested": "phone",
        "samples": ["+54 9 11 2233-4455", "+34 612 345 678"],
    }  # fmt: skip
    assert await listed(client, owner) == []  # nothing imported before /start


async def test_spanish_headers_semicolons_and_a_bom_are_recognised(client: AsyncClient) -> None:
    owner = await register(client)
    await _define(client, owner, "ciudad", "text", label="Ciudad")
    data = (
        "\ufeffNombre;Teléfono;Etiquetas;Ciudad;Dado de baja\r\n"
        "José Pérez;+5491122334455;cliente;Córdoba;no\r\n"
    ).encode()
    shown = await uploaded(client, owner, data)
    assert (shown["delimiter"], shown["encoding"]) == (";", "utf-8-sig")
    assert shown["headers"][0] == "Nombre"  # the BOM is not part of the first header
    assert shown["suggested_mapping"] == [
        "name", "phone", "tags", "attribute:ciudad", "opted_out",
    ]  # fmt: skip
    for header, target in (("celular", "phone"), ("WhatsApp", "phone"), ("teléfono", "phone")):
        again = await uploaded(client, owner, f"nombre\t{header}\nAna\t+5491122334455\n")
        assert again["delimiter"] == "\t"
        assert again["suggested_mapping"] == ["name", target]


async def test_a_column_of_numbers_without_a_phone_header_is_suggested_as_the_phone(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    shown = await uploaded(client, owner, "cliente,contacto_wa\nAna,+5491122334455\n"
                                          "Beto,+34612345678\n")  # fmt: skip
    assert shown["suggested_mapping"] == ["name", "phone"]


async def test_utf16_files_from_excel_are_accepted(client: AsyncClient) -> None:
    owner = await register(client)
    text = "Nombre\tTeléfono\r\nMaría\t+5491122334455\r\n"
    shown = await uploaded(client, owner, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (shown["encoding"], shown["delimiter"]) == ("utf-16", "\t")
    r = await client.post(f"/api/contacts/imports/{shown['id']}/start", headers=owner.auth,
                          json={"mapping": shown["suggested_mapping"]})  # fmt: skip
    assert r.status_code == 202, r.text
    assert (await wait_for(client, owner, shown["id"]))["created"] == 1
    assert [c["name"] for c in await listed(client, owner)] == ["María"]


async def test_bad_files_are_refused_with_the_reason_and_nothing_is_stored(
    client: AsyncClient, app: FastAPI
) -> None:
    owner = await register(client)
    cases: list[tuple[bytes, int, str]] = [
        ("nombre,teléfono\nJosé,+5491122334455\n".encode("latin-1"), 400, "not UTF-8"),
        (b"", 400, "empty"),
        (b"\xef\xbb\xbf\r\n  \n", 400, "empty"),
        (b"nombre,telefono\n", 400, "no contacts"),
        (b"nombre,ciudad\nAna,Rosario\nBeto,Salta\n", 400, "no column looks like a phone"),
        (b"PK\x03\x04\x14\x00\x06\x00", 400, "Excel workbook"),
        ("nombre,tel\nAna,+54911\x0022\n".encode("utf-16-le"), 400, "NUL"),
    ]
    for data, code, words in cases:
        r = await upload(client, owner, data)
        assert r.status_code == code, (data[:20], r.text)
        assert words in r.json()["error"], r.text
        assert r.json()["fields"] == {"file": r.json()["error"].removeprefix("file: ")}
    missing = await client.post("/api/contacts/import", headers=owner.auth)
    assert missing.status_code == 400 and "multipart" in missing.json()["error"]
    assert (await client.get("/api/contacts/imports", headers=owner.auth)).json() == {"imports": []}
    ctx: AppContext = app.state.ctx
    assert list((ctx.settings.data_dir / "imports").glob("*")) == []


async def test_a_file_over_50_mb_is_a_413(client: AsyncClient, app: FastAPI) -> None:
    owner = await register(client)
    row = b"Cliente con un nombre largo,+5491122334455\n"
    data = b"nombre,telefono\n" + row * (50 * 1024 * 1024 // len(row) + 1)
    r = await upload(client, owner, data)
    assert r.status_code == 413, r.text
    assert "at most 50 MB" in r.json()["error"]
    ctx: AppContext = app.state.ctx
    assert list((ctx.settings.data_dir / "imports").glob("*")) == []


# --- start: the mapping is checked ----------------------------------------------------------


async def test_a_wrong_mapping_is_a_400_naming_the_column(client: AsyncClient) -> None:
    owner = await register(client)
    agent = await join_as(client, owner, "agent")
    shown = await uploaded(client, owner, "nombre,tel,otro tel,edad\nAna,+5491122334455,,3\n")
    url = f"/api/contacts/imports/{shown['id']}/start"
    cases: list[tuple[Any, str]] = [
        (["name", "ignore", "ignore", "ignore"], "no column is mapped to phone"),
        (["name", "phone", "phone", "ignore"], "columns 2 and 3 are all mapped to phone"),
        (["name", "phone"], "the file has 4 columns"),
        (["name", "phone", "ignore", "edad"], "'edad' is not a target"),
        (["name", "phone", "ignore", "attribute:edad"], "attribute 'edad' is not defined"),
        (["name", "phone", "name", "ignore"], "are both name"),
        ({"nombre": "name", "telefono": "phone"}, "'telefono' is not a column"),
    ]
    for mapping, words in cases:
        r = await client.post(url, headers=owner.auth, json={"mapping": mapping})
        assert r.status_code == 400, (mapping, r.text)
        assert words in r.json()["error"], r.text
    bad_country = await client.post(url, headers=owner.auth, json={
        "mapping": ["name", "phone", "ignore", "ignore"], "default_country": "XX"})  # fmt: skip
    assert bad_country.status_code == 400 and bad_country.json()["fields"] == {
        "default_country": "unknown country"
    }
    # Creating attributes on the way is for admins.
    create = {"mapping": ["name", "phone", "ignore", "attribute:edad"], "create_attributes": True}
    assert (await client.post(url, headers=agent.auth, json=create)).status_code == 403
    assert (await client.get(f"/api/contacts/imports/{shown['id']}", headers=owner.auth)).json()[
        "status"
    ] == "uploaded"
    r = await client.post(url, headers=owner.auth, json=create)
    assert r.status_code == 202, r.text
    again = await client.post(url, headers=owner.auth, json=create)
    assert again.status_code == 409
    done = await wait_for(client, owner, shown["id"])
    assert (done["created"], done["failed"]) == (1, 0)
    [ana] = await listed(client, owner)
    assert ana["attributes"] == {"edad": "3"}  # created as a text attribute
    attrs = (await client.get("/api/contact-attributes", headers=owner.auth)).json()
    assert [(a["key"], a["type"]) for a in attrs["attributes"]] == [("edad", "text")]


async def test_a_mapping_by_header_name_works_too(client: AsyncClient) -> None:
    owner = await register(client)
    result = await run_import(
        client, owner, "a,b,c\nAna,+5491122334455,x\n", mapping={"a": "name", "b": "phone"}
    )
    assert (result["created"], result["mapping"]) == (1, ["name", "phone", "ignore"])


# --- the import itself ----------------------------------------------------------------------


async def test_bad_rows_are_reported_with_their_reason_and_the_rest_is_imported(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    await _define(client, owner, "age", "number")
    await _define(client, owner, "vip", "boolean")
    data = (
        "name,phone,age,vip,opted_out\n"
        "Ana,+5491122334455,34,yes,\n"  # row 2: fine
        "Beto,+5412,40,no,\n"  # row 3: too short
        "Caro,,22,,\n"  # row 4: no phone
        "Dani,+34612345678,treinta,,\n"  # row 5: not a number
        "\n"  # row 6: blank, ignored
        "Eva,+34612345679,,maybe,\n"  # row 7: not a boolean
        "Fede,+hola,,,\n"  # row 8: not a number at all
        "Gabi,+34612345670,,,quizás\n"  # row 9: opted_out is not true/false
        "Hugo,1122334455,,,\n"  # row 10: national number without a default country
    )
    result = await run_import(client, owner, data)
    assert result["status"] == "completed"
    assert result["progress"] == 100.0 and result["bytes_read"] == result["total_bytes"]
    assert (result["rows_read"], result["created"], result["failed"]) == (8, 1, 7)
    rows = await error_rows(client, owner, result["id"])
    assert [(r["row"], r["column"], r["phone"], r["value"]) for r in rows] == [
        ("3", "phone", "+5412", "+5412"),
        ("4", "phone", "", ""),
        ("5", "age", "+34612345678", "treinta"),
        ("7", "vip", "+34612345679", "maybe"),
        ("8", "phone", "'+hola", "'+hola"),  # a spreadsheet would run "+hola" as a formula
        ("9", "opted_out", "+34612345670", "quizás"),
        ("10", "phone", "1122334455", "1122334455"),
    ]
    reasons = [r["reason"] for r in rows]
    assert "wrong number of digits" in reasons[0]
    assert reasons[1] == "the phone is empty"
    assert reasons[2] == "age is a number attribute: 'treinta' is not a number"
    assert "is not true or false" in reasons[3] and "is not true or false" in reasons[5]
    assert "not a phone number" in reasons[4]
    assert "has no country code" in reasons[6]
    [ana] = await listed(client, owner)
    assert (ana["name"], ana["attributes"]) == ("Ana", {"age": 34, "vip": True})
    # With a default country, the national number imports.
    again = await run_import(client, owner, "name,phone\nHugo,011 2233-4466\n",
                             default_country="AR")  # fmt: skip
    assert again["created"] == 1 and again["default_country"] == "AR"
    assert "+541122334466" in await _by_phone(client, owner)


async def test_duplicates_are_merged_within_the_file_and_with_existing_contacts(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    await _define(client, owner, "city", "text")
    await _define(client, owner, "age", "number")
    existing = await create_contact(client, owner, phone="+5491122334455", name="Ana",
                                    tags=["old"], attributes={"city": "Rosario", "age": 30},
                                    notes="keep me")  # fmt: skip
    data = (
        "phone,name,tags,age\n"
        "+54 9 11 2233-4455,,vip,31\n"  # the existing contact: tag added, age updated
        "+34612345678,Beto,lead,\n"  # new
        "+34 612-345-678,Roberto,lead|vip,40\n"  # Beto again, written another way
    )
    result = await run_import(client, owner, data, add_tags=["imported"])
    assert (result["created"], result["updated"], result["skipped"]) == (1, 2, 0)
    people = await _by_phone(client, owner)
    assert len(people) == 2
    ana = people["+5491122334455"]
    assert ana["id"] == existing["id"]
    assert ana["name"] == "Ana" and ana["notes"] == "keep me"  # empty cells change nothing
    assert ana["tags"] == ["imported", "old", "vip"]
    assert ana["attributes"] == {"city": "Rosario", "age": 31}
    beto = people["+34612345678"]
    assert (beto["name"], beto["tags"], beto["attributes"]) == (
        "Roberto", ["imported", "lead", "vip"], {"age": 40},
    )  # fmt: skip
    # on_duplicate=skip leaves known numbers alone.
    skipped = await run_import(client, owner, "phone,name\n+34612345678,Otro\n+34699999999,Nuevo\n"
                               "+34699999999,Nuevo otra vez\n", on_duplicate="skip")  # fmt: skip
    assert (skipped["created"], skipped["updated"], skipped["skipped"]) == (1, 0, 2)
    people = await _by_phone(client, owner)
    assert people["+34612345678"]["name"] == "Roberto"
    assert people["+34699999999"]["name"] == "Nuevo"


async def test_opted_out_rows_opt_out_with_an_audit_and_never_opt_anyone_back_in(
    client: AsyncClient, app: FastAPI
) -> None:
    owner = await register(client)
    gone = await create_contact(client, owner, phone="+5491100000001", opted_out=True)
    data = (
        "phone,opted_out\n"
        "+5491100000001,false\n"  # opted out already: an import does not opt them back in
        "+5491100000002,true\n"  # new and opted out
        "+5491100000003,no\n"
    )
    result = await run_import(client, owner, data)
    assert (result["created"], result["updated"], result["failed"]) == (2, 1, 0)
    people = await _by_phone(client, owner)
    assert people["+5491100000001"]["opted_out"] is True
    assert people["+5491100000002"]["opted_out"] is True
    assert people["+5491100000003"]["opted_out"] is False
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        events = (
            (
                await session.execute(
                    select(ContactOptEvent).where(
                        ContactOptEvent.workspace_id == owner.workspace_id
                    )
                )
            )
            .scalars()
            .all()
        )
    by_contact = {(e.contact_id, e.action, e.source) for e in events}
    assert by_contact == {
        (gone["id"], "opt_out", "agent"),
        (people["+5491100000002"]["id"], "opt_out", "import"),
    }
    [imported] = [e for e in events if e.source == "import"]
    assert imported.detail == "contacts.csv row 3" and imported.actor_user_id == owner.id


async def test_a_file_that_breaks_off_mid_way_fails_with_the_reason_and_keeps_what_came_before(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    good = "".join(f"+54911000000{i:02d},Cliente {i}\n" for i in range(10))
    data = "phone,name\n" + good + "+5491100000099," + "x" * (1024 * 1024 + 10) + "\n"
    result = await run_import(client, owner, data)
    assert result["status"] == "failed"
    assert "a line is longer than 1 MB" in result["error"]
    assert (result["rows_read"], result["created"]) == (10, 10)
    assert 0 < result["bytes_read"] < result["total_bytes"]  # stopped where the file broke
    assert len(await listed(client, owner)) == 10


async def test_imports_are_listed_newest_first(client: AsyncClient) -> None:
    owner = await register(client)
    first = await run_import(client, owner, "phone\n+5491100000001\n")
    second = await uploaded(client, owner, "phone\n+5491100000002\n", filename="dos.csv")
    listed_imports = (await client.get("/api/contacts/imports", headers=owner.auth)).json()
    assert [(i["id"], i["status"]) for i in listed_imports["imports"]] == [
        (second["id"], "uploaded"), (first["id"], "completed"),
    ]  # fmt: skip
    assert listed_imports["imports"][0]["filename"] == "dos.csv"
    other = await register(client)
    assert (await client.get("/api/contacts/imports", headers=other.auth)).json() == {"imports": []}
    for path in (f"/api/contacts/imports/{first['id']}",
                 f"/api/contacts/imports/{first['id']}/errors.csv"):  # fmt: skip
        assert (await client.get(path, headers=other.auth)).status_code == 404


async def test_imports_can_be_discarded_but_not_while_running(
    client: AsyncClient, app: FastAPI
) -> None:
    owner = await register(client)
    ctx: AppContext = app.state.ctx
    shown = await uploaded(client, owner, "phone\n+5491100000001\n")
    stored = ctx.settings.data_dir / "imports" / f"{shown['id']}.csv"
    assert stored.exists()
    r = await client.delete(f"/api/contacts/imports/{shown['id']}", headers=owner.auth)
    assert r.status_code == 204
    assert not stored.exists()
    gone = await client.get(f"/api/contacts/imports/{shown['id']}", headers=owner.auth)
    assert gone.status_code == 404
    done = await run_import(client, owner, "phone\n+5491100000001\n+54911\n")
    r = await client.delete(f"/api/contacts/imports/{done['id']}", headers=owner.auth)
    assert r.status_code == 204
    assert len(await listed(client, owner)) == 1  # its contacts stay
    huge = await upload(client, owner, "x" * 300 + ",phone\nAna,+5491100000002\n")
    assert huge.status_code == 400 and "column 1's header is longer" in huge.json()["error"]


async def test_the_original_json_import_body_still_works(client: AsyncClient) -> None:
    owner = await register(client)
    await create_contact(client, owner, phone="+5491100000001", name="Ana", tags=["old"])
    body = {"contacts": [
        {"phone": "+54 9 11 0000-0001", "tags": ["vip"]},  # already a contact: merged
        {"phone": "+34612345678", "name": "Beto", "tags": "lead;feria"},
        {"phone": "+34 612-345-678", "name": "Roberto"},  # the same number again
        {"phone": "12", "name": "Corto"},
        {"name": "Sin teléfono"},
    ]}  # fmt: skip
    r = await client.post("/api/contacts/import", headers=owner.auth, json=body)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert (answer["total"], answer["imported"]) == (5, 1)
    assert answer["duplicates"] == {"inFile": ["+34612345678"], "existing": ["+5491100000001"]}
    assert [f["phone"] for f in answer["failures"]] == ["12", ""]
    assert answer["failures"][1]["reason"] == "the phone is empty"
    people = await _by_phone(client, owner)
    assert people["+5491100000001"]["tags"] == ["old", "vip"]
    assert (people["+34612345678"]["name"], people["+34612345678"]["tags"]) == (
        "Roberto", ["feria", "lead"],
    )  # fmt: skip
    # It is an import like the others, with its error report.
    assert len(await error_rows(client, owner, answer["id"])) == 2
    again = await client.post("/api/contacts/import", headers=owner.auth, json=body)
    assert again.status_code == 200 and again.json()["imported"] == 0  # nothing new
    for bad in ({"contacts": "x"}, {"contacts": [{"phone": 5}]}, {}):
        r = await client.post("/api/contacts/import", headers=owner.auth, json=bad)
        assert r.status_code == 400 and "contacts" in r.json()["error"], r.text
    assert len(await listed(client, owner)) == 2


# --- export ---------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_export_follows_the_list_filters(client: AsyncClient) -> None:
    owner = await register(client)
    await _define(client, owner, "age", "number")
    await create_contact(client, owner, phone="+5491100000001", name="Ana", tags=["vip"],
                         attributes={"age": 34})  # fmt: skip
    await create_contact(client, owner, phone="+5491100000002", name="Beto", tags=["vip"],
                         attributes={"age": 17})  # fmt: skip
    await create_contact(client, owner, phone="+5491100000003", name="Caro", opted_out=True)
    r = await client.get("/api/contacts/export", headers=owner.auth)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="contacts-' in r.headers["content-disposition"]
    rows = _csv_rows(r.content)
    assert list(rows[0]) == ["phone", "name", "wa_id", "tags", "opted_out", "notes",
                             "created_at", "last_activity_at", "attribute:age"]  # fmt: skip
    assert [row["name"] for row in rows] == ["Ana", "Beto", "Caro"]  # oldest first
    assert rows[0]["wa_id"] == "5491100000001" and rows[0]["attribute:age"] == "34"
    for params, expected in (
        ({"tag": "vip"}, ["Ana", "Beto"]),
        ({"attr": "age:gte:18"}, ["Ana"]),
        ({"opted_out": "true"}, ["Caro"]),
        ({"q": "bet"}, ["Beto"]),
    ):
        r = await client.get("/api/contacts/export", headers=owner.auth, params=params)
        assert [row["name"] for row in _csv_rows(r.content)] == expected, params
    # The original's parameters: search and tagId.
    vip = next(t for t in (await client.get("/api/tags", headers=owner.auth)).json()["tags"]
               if t["name"] == "vip")  # fmt: skip
    r = await client.get("/api/contacts/export", headers=owner.auth,
                         params={"search": "ana", "tagId": vip["id"]})  # fmt: skip
    assert [row["name"] for row in _csv_rows(r.content)] == ["Ana"]
    unknown = await client.get("/api/contacts/export", headers=owner.auth,
                               params={"tagId": "nope"})  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["fields"] == {"tagId": "unknown"}
    bad = await client.get("/api/contacts/export", headers=owner.auth,
                           params={"attr": "age:gte:old"})  # fmt: skip
    assert bad.status_code in (400, 422) and "age" in bad.json()["error"]
    other = await register(client)
    assert _csv_rows((await client.get("/api/contacts/export", headers=other.auth)).content) == []


async def test_an_export_reimports_losslessly_into_another_workspace(
    client: AsyncClient,
) -> None:
    a = await register(client, name="A")
    b = await register(client, name="B")
    definitions = [("age", "number"), ("vip", "boolean"), ("birthday", "date"), ("city", "text")]
    for user in (a, b):
        for key, type_ in definitions:
            await _define(client, user, key, type_)
    people: list[dict[str, Any]] = [
        {"phone": "+5491122334455", "name": "José \"Pepe\" Pérez", "tags": ["vip", "a,b"],
         "attributes": {"age": 34, "vip": True, "birthday": "1991-03-02", "city": "Córdoba"},
         "notes": "línea 1\nlínea 2; con \"comillas\""},
        {"phone": "+34612345678", "name": "=HYPERLINK(\"http://evil\")", "tags": [],
         "attributes": {"age": 19.5, "vip": False, "city": "-ciudad"}, "opted_out": True},
        {"phone": "+14155550123", "name": "'+quoted", "tags": ["@mention"],
         "attributes": {"city": "'apostrophe"}},
        {"phone": "+447911123456"},
    ]  # fmt: skip
    for person in people:
        await create_contact(client, a, **person)
    exported = await client.get("/api/contacts/export", headers=a.auth)
    text = exported.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # a spreadsheet shows it as text, never runs it
    shown = await uploaded(client, b, exported.content)
    assert shown["suggested_mapping"] == [
        "phone", "name", "ignore", "tags", "opted_out", "notes", "ignore", "ignore",
        "attribute:age", "attribute:birthday", "attribute:city", "attribute:vip",
    ]  # fmt: skip
    r = await client.post(f"/api/contacts/imports/{shown['id']}/start", headers=b.auth,
                          json={"mapping": shown["suggested_mapping"]})  # fmt: skip
    assert r.status_code == 202, r.text
    result = await wait_for(client, b, shown["id"])
    assert (result["created"], result["failed"]) == (4, 0)

    def comparable(contacts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(
            (c["phone"], c["wa_id"], c["name"], c["tags"], c["attributes"], c["opted_out"],
             c["notes"])
            for c in contacts
        )  # fmt: skip

    assert comparable(await listed(client, b)) == comparable(await listed(client, a))

    # And exporting B gives the same file, but for the creation times.
    def without_times(content: bytes) -> list[dict[str, str]]:
        rows = [{k: v for k, v in r.items() if k != "created_at"} for r in _csv_rows(content)]
        return sorted(rows, key=lambda r: r["phone"])

    again = await client.get("/api/contacts/export", headers=b.auth)
    assert without_times(again.content) == without_times(exported.content)
