from __future__ import annotations

from finnegans.whatsapp.emulator import inbound

from .conftest import CUSTOMER, TOKEN, Env

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_upload_get_url_download(env: Env) -> None:
    data = b"\x89PNG\r\n\x1a\nfake-image-bytes"
    response = await env.graph.post(
        f"/v25.0/{env.number.phone_number_id}/media",
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("a.png", data, "image/png")},
        headers=AUTH,
    )
    assert response.status_code == 200
    media_id = response.json()["id"]
    info = (await env.graph.get(f"/v25.0/{media_id}", headers=AUTH)).json()
    assert info["mime_type"] == "image/png"
    assert info["file_size"] == str(len(data))
    assert info["id"] == media_id and info["messaging_product"] == "whatsapp"
    assert "\\/" in (await env.graph.get(f"/v25.0/{media_id}", headers=AUTH)).text
    assert (await env.graph.get(info["url"])).status_code == 401
    download = await env.graph.get(info["url"], headers=AUTH)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "image/png"

    env.emulator.open_window(env.number.phone_number_id, CUSTOMER)
    sent = await env.send({"to": CUSTOMER, "type": "image", "image": {"id": media_id}})
    assert sent.status_code == 200
    deleted = await env.graph.delete(f"/v25.0/{media_id}", headers=AUTH)
    assert deleted.json() == {"success": True}
    assert (await env.graph.get(f"/v25.0/{media_id}", headers=AUTH)).status_code == 400


async def test_upload_rejects_unsupported_type(env: Env) -> None:
    response = await env.graph.post(
        f"/v25.0/{env.number.phone_number_id}/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("a.exe", b"MZ", "application/x-msdownload")},
        headers=AUTH,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 131053


async def test_inbound_image_downloadable_with_the_numbers_token(env: Env) -> None:
    data = b"\xff\xd8\xff\xe0 jpeg bytes"
    await env.emulator.customer_sends(
        env.number.phone_number_id, CUSTOMER, inbound.image(data, caption="caf\u00e9")
    )
    await env.emulator.drain()
    image = env.platform.messages()[0]["image"]
    assert image["mime_type"] == "image/jpeg"
    info = (await env.graph.get(f"/v25.0/{image['id']}", headers=AUTH)).json()
    download = await env.graph.get(info["url"], headers=AUTH)
    assert download.content == data
    other = env.emulator.add_number(access_token="other-token")
    assert other.phone_number_id != env.number.phone_number_id
    forbidden = await env.graph.get(
        f"/v25.0/{image['id']}", headers={"Authorization": "Bearer other-token"}
    )
    assert forbidden.status_code == 400


async def test_unknown_media_id_fails_async(env: Env) -> None:
    env.emulator.open_window(env.number.phone_number_id, CUSTOMER)
    await env.send({"to": CUSTOMER, "type": "image", "image": {"id": "123"}})
    await env.emulator.drain()
    assert env.platform.statuses()[0]["errors"][0]["code"] == 131053
