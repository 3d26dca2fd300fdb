"""Typed attributes, list filters on them, saved segments and bulk actions, on both databases.

The JSON comparisons differ per database (json_type/json_extract on SQLite, jsonb operators on
PostgreSQL), so every filter here runs on both through the `database_url` parametrisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.models import Contact
from finnegans.kit.clock import utcnow
from tests.helpers import User, register
from tests.integration.contacts.contact_helpers import count, create_contact, names

DEFINITIONS = [
    {"key": "age", "label": "Edad", "type": "number"},
    {"key": "vip", "type": "boolean"},
    {"key": "birthday", "label": "Cumpleaños", "type": "date"},
    {"key": "city", "type": "text"},
]


async def _people(client: AsyncClient, app: FastAPI) -> tuple[User, dict[str, str]]:
    owner = await register(client)
    for definition in DEFINITIONS:
        r = await client.post("/api/contact-attributes", headers=owner.auth, json=definition)
        assert r.status_code == 201, r.text
    people = {
        "Ana": {"age": "34", "vip": "sí", "birthday": "1991-03-02", "city": "Rosario"},
        "Beto": {"age": 51, "vip": False, "birthday": "1974-11-30", "city": "Córdoba"},
        "Caro": {"age": 19.5, "city": "rosario"},
        "Dani": {},
    }
    ids = {}
    for i, (name, attributes) in enumerate(people.items()):
        created = await create_contact(
            client,
            owner,
            phone=f"+54911000000{i:02d}",
            name=name,
            attributes=attributes,
            tags=["vip"] if i < 2 else [],
        )
        ids[name] = created["id"]
    # A flow's "set contact attribute" node writes whatever it got, untyped.
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        dani = (
            await session.execute(select(Contact).where(Contact.id == ids["Dani"]))
        ).scalar_one()
        dani.attributes = {"age": "n/a", "vip": "maybe", "birthday": "someday", "pet": "gato"}
        dani.last_inbound_at = utcnow() - timedelta(days=2)
        beto = (
            await session.execute(select(Contact).where(Contact.id == ids["Beto"]))
        ).scalar_one()
        beto.last_inbound_at = utcnow() - timedelta(days=40)
    return owner, ids


async def test_values_are_stored_with_their_type_and_a_wrong_one_is_named(
    client: AsyncClient, app: FastAPI
) -> None:
    owner, ids = await _people(client, app)
    ana = (await client.get(f"/api/contacts/{ids['Ana']}", headers=owner.auth)).json()
    assert ana["attributes"] == {
        "age": 34,
        "vip": True,
        "birthday": "1991-03-02",
        "city": "Rosario",
    }
    for attributes, field in (
        ({"age": "treinta"}, "attributes.age"),
        ({"vip": "tal vez"}, "attributes.vip"),
        ({"birthday": "30/11/1974"}, "attributes.birthday"),
        ({"age": True}, "attributes.age"),
    ):
        r = await client.patch(
            f"/api/contacts/{ids['Ana']}",
            headers=owner.auth,
            json={"attributes": attributes, "name": "changed"},
        )
        assert r.status_code == 422, r.text
        assert field in r.json()["fields"] and field.split(".")[1] in r.json()["error"]
    # Nothing of the refused writes stuck; a null removes a key, unknown keys are text.
    r = await client.patch(
        f"/api/contacts/{ids['Ana']}",
        headers=owner.auth,
        json={"attributes": {"city": None, "plan": 3}},
    )
    assert r.json()["name"] == "Ana"
    assert r.json()["attributes"] == {"age": 34, "vip": True, "birthday": "1991-03-02", "plan": "3"}

    listed = (await client.get("/api/contact-attributes", headers=owner.auth)).json()
    assert [(a["key"], a["label"], a["type"]) for a in listed["attributes"]] == [
        ("age", "Edad", "number"),
        ("birthday", "Cumpleaños", "date"),
        ("city", "city", "text"),
        ("vip", "vip", "boolean"),
    ]
    taken = await client.post("/api/contact-attributes", headers=owner.auth, json=DEFINITIONS[0])
    assert taken.status_code == 409
    bad_key = await client.post(
        "/api/contact-attributes", headers=owner.auth, json={"key": "1st", "type": "text"}
    )
    assert bad_key.status_code == 400 and "key" in bad_key.json()["fields"]


async def test_list_filters_compare_by_type_and_ignore_values_of_the_wrong_type(
    client: AsyncClient, app: FastAPI
) -> None:
    owner, _ = await _people(client, app)

    async def match(*attr: str, **params: Any) -> list[str | None]:
        return sorted(await names(client, owner, attr=list(attr), **params), key=str)

    assert await match("age:gte:34") == ["Ana", "Beto"]
    assert await match("age:lt:20") == ["Caro"]
    assert await match("age:eq:51") == ["Beto"]
    assert await match("age:is_set") == ["Ana", "Beto", "Caro"]  # "n/a" is not a number
    assert await match("age:not_set") == ["Dani"]
    assert await match("vip:eq:true") == ["Ana"]
    assert await match("vip:neq:true") == ["Beto", "Caro", "Dani"]
    assert await match("birthday:lt:1990-01-01") == ["Beto"]
    assert await match("birthday:gte:1980-01-01") == ["Ana"]
    assert await match("city:eq:ROSARIO") == ["Ana", "Caro"]
    assert await match("city:contains:ó") == ["Beto"]
    assert await match("pet:eq:gato") == ["Dani"]  # no definition: text
    assert await match("age:gte:18", "city:contains:ros") == ["Ana", "Caro"]
    assert await match("age:gte:18", tag="vip") == ["Ana", "Beto"]
    assert await match(last_activity_after=(utcnow() - timedelta(days=7)).isoformat()) == ["Dani"]
    assert await count(client, owner, attr="age:gte:18") == 3

    for bad, field in (
        ("age:gt:old", "attr[0]"),
        ("city:gt:a", "attr[0]"),
        ("vip:eq:maybe", "attr[0]"),
        ("age", "attr[0]"),
        ("bad key:eq:1", "attr[0]"),
    ):
        r = await client.get("/api/contacts", headers=owner.auth, params={"attr": bad})
        assert r.status_code == 422, (bad, r.text)
        assert list(r.json()["fields"]) == [field] or field in r.json()["error"], r.json()


SEGMENT = {
    "match": "any",
    "conditions": [
        {"field": "tag", "op": "has", "value": "vip"},
        {
            "match": "all",
            "conditions": [
                {"field": "attribute", "key": "age", "op": "lt", "value": 25},
                {"field": "opted_out", "value": False},
            ],
        },
    ],
}


async def test_a_saved_segment_selects_the_same_contacts_everywhere(
    client: AsyncClient, app: FastAPI
) -> None:
    owner, ids = await _people(client, app)
    r = await client.post(
        "/api/segments", headers=owner.auth, json={"name": "VIP o jóvenes", "rules": SEGMENT}
    )
    assert r.status_code == 201, r.text
    segment = r.json()
    assert segment["rules"]["conditions"][1]["conditions"][0]["value"] == 25

    listed = await client.get(f"/api/segments/{segment['id']}/contacts", headers=owner.auth)
    assert sorted(c["name"] for c in listed.json()["contacts"]) == ["Ana", "Beto", "Caro"]
    assert sorted(await names(client, owner, segment=segment["id"]), key=str) == [
        "Ana",
        "Beto",
        "Caro",
    ]
    assert await names(client, owner, segment=segment["id"], q="car") == ["Caro"]
    counted = await client.get(f"/api/segments/{segment['id']}/count", headers=owner.auth)
    assert counted.json() == {"count": 3}
    assert await count(client, owner, segment=segment["id"]) == 3

    # Opting Caro out takes her out of the segment (she matched only through the group).
    await client.patch(f"/api/contacts/{ids['Caro']}", headers=owner.auth, json={"opted_out": True})
    assert await count(client, owner, segment=segment["id"]) == 2

    activity = {
        "match": "all",
        "conditions": [{"field": "last_activity", "op": "within_days", "value": 7}],
    }
    preview = await client.post(
        "/api/segments/preview", headers=owner.auth, json={"rules": activity}
    )
    assert preview.json() == {"count": 1}
    inactive = {"conditions": [{"field": "last_activity", "op": "older_than_days", "value": 30}]}
    preview = await client.post(
        "/api/segments/preview", headers=owner.auth, json={"rules": inactive}
    )
    assert preview.json() == {"count": 1}
    never = {"conditions": [{"field": "last_activity", "op": "never"}]}
    preview = await client.post("/api/segments/preview", headers=owner.auth, json={"rules": never})
    assert preview.json() == {"count": 2}

    renamed = await client.patch(
        f"/api/segments/{segment['id']}",
        headers=owner.auth,
        json={"name": "Activos", "rules": activity},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Activos"
    assert await names(client, owner, segment=segment["id"]) == ["Dani"]
    all_segments = (await client.get("/api/segments", headers=owner.auth)).json()["segments"]
    assert [s["name"] for s in all_segments] == ["Activos"]
    assert (
        await client.delete(f"/api/segments/{segment['id']}", headers=owner.auth)
    ).status_code == 204
    assert (
        await client.get(f"/api/segments/{segment['id']}", headers=owner.auth)
    ).status_code == 404


async def test_a_bad_rule_is_refused_naming_the_condition(
    client: AsyncClient, app: FastAPI
) -> None:
    owner, _ = await _people(client, app)
    cases = [
        (
            {"conditions": [{"field": "attribute", "key": "city", "op": "gt", "value": "a"}]},
            "rules.conditions[0].op",
        ),
        (
            {
                "conditions": [
                    {"field": "tag", "value": "vip"},
                    {"field": "attribute", "key": "age", "op": "gt", "value": "old"},
                ]
            },
            "rules.conditions[1].value",
        ),
        (
            {
                "conditions": [
                    {"field": "attribute", "key": "birthday", "op": "lt", "value": "ayer"}
                ]
            },
            "rules.conditions[0].value",
        ),
        ({"conditions": [{"field": "colour", "value": "red"}]}, "rules.conditions[0]"),
        (
            {"conditions": [{"field": "last_activity", "op": "within_days", "value": -1}]},
            "rules.conditions[0].value",
        ),
        ({"match": "some"}, "rules.match"),
        (
            {"conditions": [{"conditions": [{"conditions": [{"conditions": []}]}]}]},
            "rules.conditions[0].conditions[0].conditions[0]",
        ),
        ({"conditions": "vip"}, "rules.conditions"),
    ]
    for rules, where in cases:
        r = await client.post(
            "/api/segments", headers=owner.auth, json={"name": "Bad", "rules": rules}
        )
        assert r.status_code == 422, (rules, r.text)
        assert r.json()["error"].startswith(where), (where, r.json())
    assert (await client.get("/api/segments", headers=owner.auth)).json() == {"segments": []}
    ok = {"conditions": [{"field": "tag", "value": "vip"}]}
    assert (
        await client.post("/api/segments", headers=owner.auth, json={"name": "VIP", "rules": ok})
    ).status_code == 201
    again = await client.post(
        "/api/segments", headers=owner.auth, json={"name": "VIP", "rules": ok}
    )
    assert again.status_code == 409


async def test_bulk_actions_by_ids_and_by_filter(client: AsyncClient, app: FastAPI) -> None:
    owner, ids = await _people(client, app)
    adults = {
        "rules": {"conditions": [{"field": "attribute", "key": "age", "op": "gte", "value": 18}]}
    }
    r = await client.post(
        "/api/contacts/bulk",
        headers=owner.auth,
        json={"filter": adults, "action": "add_tags", "tags": ["adulto"]},
    )
    assert r.json() == {"action": "add_tags", "matched": 3}
    assert sorted(await names(client, owner, tag="adulto"), key=str) == ["Ana", "Beto", "Caro"]

    r = await client.post(
        "/api/contacts/bulk",
        headers=owner.auth,
        json={"ids": [ids["Ana"], "0" * 32], "action": "remove_tags", "tags": ["adulto", "vip"]},
    )
    assert r.json()["matched"] == 1
    ana = (await client.get(f"/api/contacts/{ids['Ana']}", headers=owner.auth)).json()
    assert ana["tags"] == []

    r = await client.post(
        "/api/contacts/bulk",
        headers=owner.auth,
        json={"filter": {"tags": ["adulto"]}, "action": "opt_out"},
    )
    assert r.json()["matched"] == 2
    assert sorted(await names(client, owner, opted_out=True), key=str) == ["Beto", "Caro"]

    tags = {
        t["name"]: t["contact_count"]
        for t in (await client.get("/api/tags", headers=owner.auth)).json()["tags"]
    }
    assert tags == {"adulto": 2, "vip": 1}

    r = await client.post(
        "/api/contacts/bulk",
        headers=owner.auth,
        json={"filter": {"q": "o", "opted_out": True}, "action": "delete"},
    )
    assert r.json() == {"action": "delete", "matched": 2}
    assert sorted(await names(client, owner), key=str) == ["Ana", "Dani"]

    for body in (
        {"action": "delete"},
        {"ids": [], "filter": {}, "action": "delete"},
        {"ids": [ids["Ana"]], "action": "add_tags"},
        {"ids": [ids["Ana"]], "action": "explode"},
    ):
        r = await client.post("/api/contacts/bulk", headers=owner.auth, json=body)
        assert r.status_code == 400, (body, r.text)
    assert await count(client, owner) == 2


async def test_tags_are_renamed_recolored_and_deleted_for_every_contact(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    contact = await create_contact(client, owner, phone="+5491100000001", tags=["vip"])
    created = await client.post(
        "/api/tags", headers=owner.auth, json={"name": "nuevo", "color": "#25d366"}
    )
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "nuevo",
        "color": "#25d366",
        "contact_count": 0,
    }
    assert (
        await client.post("/api/tags", headers=owner.auth, json={"name": "vip"})
    ).status_code == 409
    [vip] = [
        t
        for t in (await client.get("/api/tags", headers=owner.auth)).json()["tags"]
        if t["name"] == "vip"
    ]
    assert vip["contact_count"] == 1

    r = await client.patch(
        f"/api/tags/{vip['id']}",
        headers=owner.auth,
        json={"name": "cliente vip", "color": "#ff0000"},
    )
    assert r.json() == {**vip, "name": "cliente vip", "color": "#ff0000"}
    shown = (await client.get(f"/api/contacts/{contact['id']}", headers=owner.auth)).json()
    assert shown["tags"] == ["cliente vip"]
    clash = await client.patch(f"/api/tags/{vip['id']}", headers=owner.auth, json={"name": "nuevo"})
    assert clash.status_code == 409
    assert (
        await client.patch(f"/api/tags/{vip['id']}", headers=owner.auth, json={"color": "red"})
    ).status_code == 400

    assert (await client.delete(f"/api/tags/{vip['id']}", headers=owner.auth)).status_code == 204
    shown = (await client.get(f"/api/contacts/{contact['id']}", headers=owner.auth)).json()
    assert shown["tags"] == []


NASTY_RULES: list[Any] = [
    None, [], "all", 5, {"conditions": None}, {"conditions": [None]}, {"conditions": [[]]},
    {"conditions": [{"field": "attribute", "key": "age", "op": "gt", "value": 1e308}]},
    {"conditions": [{"field": "attribute", "key": "age", "op": "gt", "value": True}]},
    {"conditions": [{"field": "attribute", "key": "vip", "op": "eq", "value": "true"}]},
    {"conditions": [{"field": "attribute", "key": "x'); DROP TABLE contacts;--", "op": "eq",
                     "value": "1"}]},
    {"conditions": [{"field": "attribute", "key": 'a"b', "op": "is_set"}]},
    {"conditions": [{"field": "attribute", "key": "city", "op": "contains", "value": "%_\\"}]},
    {"conditions": [{"field": "attribute", "key": "city", "op": "eq", "value": "\u0000"}]},
    {"conditions": [{"field": "last_activity", "op": "before", "value": "9999-12-31T23:59:59"}]},
    {"conditions": [{"field": "last_activity", "op": "after", "value": "0001-01-01"}]},
    {"conditions": [{"field": "last_activity", "op": "within_days", "value": 10**12}]},
    {"conditions": [{"field": "tag", "value": "x" * 65}]},
    {"conditions": [{"field": "opted_out", "value": "yes please"}]},
    {"conditions": [{"field": "tag", "value": "vip"}] * 101},
]  # fmt: skip


async def test_no_rule_or_filter_however_malformed_is_a_500(
    client: AsyncClient, app: FastAPI
) -> None:
    owner, ids = await _people(client, app)
    for rules in NASTY_RULES:
        r = await client.post("/api/segments/preview", headers=owner.auth, json={"rules": rules})
        assert r.status_code in (200, 400, 422), (rules, r.status_code, r.text)
        assert r.status_code == 200 or r.json()["error"]
    long_text = "city:eq:" + "x" * 3000
    for attr in ("age:gt:1e400", "age:gt:nan", "age:gt:inf", "birthday:lt:2020-13-01",
                 long_text, "city:contains:%", "vip:is_set:extra", ":eq:1"):  # fmt: skip
        r = await client.get("/api/contacts", headers=owner.auth, params={"attr": attr})
        assert r.status_code in (200, 400, 422), (attr, r.status_code, r.text)
    for attributes in ({"age": 1e16}, {"age": "1e400"}, {"age": float("1e300")},
                       {"city": "x" * 1001}, {"birthday": "2020-02-30"}):  # fmt: skip
        r = await client.patch(f"/api/contacts/{ids['Ana']}", headers=owner.auth,
                               json={"attributes": attributes})  # fmt: skip
        assert r.status_code == 422, (attributes, r.text)
    shown = (await client.get(f"/api/contacts/{ids['Ana']}", headers=owner.auth)).json()
    assert shown["attributes"]["age"] == 34
