"""Broadcasts through the API: audiences and their counts, each kind of content, per-recipient
rendering, the funnel, and the original system's body."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.whatsapp.emulator import Template
from tests.integration.broadcasts.broadcast_helpers import HELLO, workspace
from tests.integration.flows.flow_helpers import settle


async def test_audience_preview_counts_tags_segments_picks_and_opt_outs(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    vip = await ws.contacts(3, tags=("vip",))
    news = await ws.contacts(2, tags=("news",))
    both = await ws.contacts(1, tags=("vip", "news"))
    await ws.contacts(2, tags=("vip",), opted_out=True)
    await ws.contacts(1)

    async def preview(audience: dict[str, object]) -> dict[str, object]:
        return await ws.post("/api/broadcasts/audience-preview",
                             {"audience": audience, "content": HELLO, "samples": 2})  # fmt: skip

    everyone = await preview({"kind": "everyone"})
    assert (everyone["matched"], everyone["opted_out"], everyone["unique"]) == (9, 2, 7)
    assert len(everyone["samples"]) == 2  # type: ignore[arg-type]
    any_tag = await preview({"kind": "tags", "tags": ["vip", "news"], "match": "any"})
    assert (any_tag["matched"], any_tag["opted_out"], any_tag["unique"]) == (8, 2, 6)
    all_tags = await preview({"kind": "tags", "tags": ["vip", "news"], "match": "all"})
    assert (all_tags["matched"], all_tags["unique"]) == (1, 1)
    segment = await ws.post("/api/segments", {"name": "VIP", "rules": {
        "match": "all", "conditions": [{"field": "tag", "op": "has", "value": "vip"}]}},
        expect=201)  # fmt: skip
    by_segment = await preview({"kind": "segment", "segment_id": segment["id"]})
    assert (by_segment["matched"], by_segment["opted_out"], by_segment["unique"]) == (6, 2, 4)
    picked = await preview({"kind": "contacts", "contact_ids": [vip[0], news[1], both[0]]})
    assert (picked["matched"], picked["unique"]) == (3, 3)


async def test_a_template_broadcast_renders_per_recipient_and_tracks_the_funnel(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    account = await ws.account()
    assert account.waba_id is not None
    ws.emulator.templates(account.waba_id).append(Template(
        id="9001", name="promo", language="es_AR", category="MARKETING", status="APPROVED",
        components=[{"type": "BODY", "text": "Hola {{1}}, tu código es {{2}}"}],
    ))  # fmt: skip
    ids = await ws.contacts(4, tags=("vip",), name="Ana", attributes={"code": "X7"})
    opted = await ws.contacts(1, tags=("vip",), opted_out=True)
    content = {"kind": "template", "template": {
        "name": "promo", "language": {"code": "es_AR"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "{{contact.name}}"},
            {"type": "text", "text": "{{contact.attributes.code}}"}]}]}}  # fmt: skip
    draft = await ws.create(title="Promo", audience={"kind": "tags", "tags": ["vip"]},
                            content=content)  # fmt: skip
    assert draft["status"] == "draft" and draft["total_recipients"] == 0
    body = {"audience": {"kind": "tags", "tags": ["vip"]}, "content": content, "samples": 1}
    preview = await ws.post("/api/broadcasts/audience-preview", body)
    rendered = preview["samples"][0]["rendered"]["template"]["components"][0]["parameters"]
    assert rendered[0]["text"].startswith("Ana ") and rendered[1]["text"] == "X7"

    await ws.launch(draft["id"])
    done = await ws.wait(draft["id"])
    assert done["status"] == "completed", done
    assert done["total_recipients"] == 5
    assert done["counts"]["read"] == 4 and done["counts"]["skipped"] == 1, done["counts"]
    assert done["funnel"] == {"sent": 4, "delivered": 4, "read": 4, "replied": 0, "failed": 0}
    assert done["progress"] == 1.0
    sent_names = sorted(
        m.payload["template"]["components"][0]["parameters"][0]["text"] for m in ws.outbound()
    )
    assert sent_names == [f"Ana {i}" for i in range(4)]
    # Every message carries its recipient id for Meta to echo back.
    recipients = await ws.recipients(draft["id"])
    by_contact = {r["contact_id"]: r for r in recipients}
    assert by_contact[opted[0]]["status"] == "skipped"
    assert by_contact[opted[0]]["error"] == "opted out"
    opaque = {m.payload["biz_opaque_callback_data"] for m in ws.outbound()}
    assert opaque == {f"bcast:{by_contact[c]['id']}" for c in ids}
    assert all(by_contact[c]["wamid"] and by_contact[c]["read_at"] for c in ids)

    # A reply after the send counts as "replied".
    await ws.open_window(ids[0])
    again = await ws.get(f"/api/broadcasts/{draft['id']}")
    assert again["counts"]["replied"] == 1 and again["funnel"]["replied"] == 1

    listed = await ws.get("/api/broadcasts")
    assert [b["id"] for b in listed["broadcasts"]] == [draft["id"]]
    assert listed["broadcasts"][0]["counts"]["read"] == 4


async def test_text_goes_only_to_open_windows_and_the_rest_is_skipped(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    inside = await ws.contacts(2, window_open=True)
    outside = await ws.contacts(2)
    preview = await ws.post("/api/broadcasts/audience-preview", {
        "audience": {"kind": "everyone"},
        "content": {"kind": "text", "text": "Hola {{contact.name}}"}})  # fmt: skip
    assert (preview["matched"], preview["window_closed"], preview["unique"]) == (4, 2, 2)
    text = {"kind": "text", "text": "Hola {{contact.name}}!"}
    created = await ws.create(audience={"kind": "everyone"}, launch=True, content=text)
    done = await ws.wait(created["id"])
    assert done["status"] == "completed"
    rows = {r["contact_id"]: r for r in await ws.recipients(created["id"])}
    assert {rows[c]["status"] for c in outside} == {"skipped"}
    assert {rows[c]["error"] for c in outside} == {"window closed"}
    assert {rows[c]["status"] for c in inside} == {"read"}
    texts = sorted(m.payload["text"]["body"] for m in ws.outbound() if m.type == "text")
    assert texts == ["Hola Cliente 0!", "Hola Cliente 1!"]


async def test_a_flow_broadcast_starts_the_flow_for_each_recipient_like_the_original(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    flow = await ws.post("/api/flows", {"name": "Promo", "status": "Active", "definition": {
        "nodes": [
            {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["promo"]}},
            {"id": "m", "type": "message", "position": {},
             "data": {"text": "Hola {{contact.name}}, ¿querés la promo?"}}],
        "edges": [{"id": "e", "source": "t", "target": "m"}]}}, expect=201)  # fmt: skip
    ids = await ws.contacts(3, tags=("clientes",), window_open=True)
    await ws.contacts(1)  # not tagged: not in the audience
    # The original body: flowId, message, sendToAll, filterTag; it launches at once.
    created = await ws.create(title="Primavera", message="promo", flowId=flow["id"],
                              sendToAll=True, filterTag="clientes")  # fmt: skip
    assert created["status"] == "running" and created["total_recipients"] == 3
    done = await ws.wait(created["id"])
    assert done["status"] == "completed" and done["counts"]["sent"] == 3, done
    await settle(app)
    texts = sorted(m.payload["text"]["body"] for m in ws.outbound() if m.type == "text")
    assert texts == [f"Hola Cliente {i}, ¿querés la promo?" for i in range(3)]
    assert len(ids) == 3
