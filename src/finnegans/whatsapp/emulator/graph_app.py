"""The Graph API side of the emulator, as a FastAPI app (reference §6).

Auth: `Authorization: Bearer <token>` (or `?access_token=`). A token that matches no number
answers 190 (HTTP 401); a known token used on an object it does not own, or an unknown object
id, answers Graph's 100/subcode 33 (HTTP 400). JSON answers use Meta's wire format (`\\/`).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from finnegans.whatsapp.emulator.errors import (
    GraphApiError,
    expired_token,
    invalid_parameter,
    invalid_token,
    unknown_object,
)
from finnegans.whatsapp.emulator.state import BusinessNumber, MediaItem
from finnegans.whatsapp.emulator.templates import new_template
from finnegans.whatsapp.signature import meta_wire_json

if TYPE_CHECKING:
    from finnegans.whatsapp.emulator.emulator import Emulator

_VERSION = re.compile(r"^v\d+\.\d+$")
# mime type -> max bytes (reference §6.5)
MEDIA_LIMITS: dict[str, int] = {
    "audio/aac": 16 << 20, "audio/amr": 16 << 20, "audio/mpeg": 16 << 20,
    "audio/mp4": 16 << 20, "audio/ogg": 16 << 20,
    "text/plain": 100 << 20, "application/pdf": 100 << 20,
    "application/msword": 100 << 20, "application/vnd.ms-excel": 100 << 20,
    "application/vnd.ms-powerpoint": 100 << 20,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 << 20,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 << 20,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 << 20,
    "image/jpeg": 5 << 20, "image/png": 5 << 20, "image/webp": 500 << 10,
    "video/mp4": 16 << 20, "video/3gpp": 16 << 20,
}  # fmt: skip


class MetaJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return meta_wire_json(content)


def _error_response(exc: GraphApiError) -> Response:
    headers = {"x-fb-trace-id": "emulator", **exc.headers}
    return MetaJSONResponse(exc.body(), status_code=exc.http_status, headers=headers)


def build_graph_app(emulator: Emulator) -> FastAPI:
    app = FastAPI(title="WhatsApp Cloud API emulator", docs_url=None, redoc_url=None)
    app.include_router(emulator.control_router())

    @app.exception_handler(GraphApiError)
    async def _graph_error(_: Request, exc: GraphApiError) -> Response:
        return _error_response(exc)

    def granted(request: Request) -> list[BusinessNumber]:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        token = token or request.query_params.get("access_token", "")
        numbers = [n for n in emulator.state.numbers.values() if token and n.access_token == token]
        if not numbers:
            raise invalid_token()
        if emulator.faults.token_expired:
            raise expired_token()
        return numbers

    def own_number(request: Request, version: str, phone_number_id: str) -> BusinessNumber:
        if not _VERSION.match(version):
            raise GraphApiError(2500, message=f"Unknown path components: /{version}",
                                with_error_data=False)  # fmt: skip
        numbers = granted(request)
        number = next((n for n in numbers if n.phone_number_id == phone_number_id), None)
        if number is None:
            raise unknown_object(phone_number_id, request.method)
        return number

    def own_waba(request: Request, version: str, waba_id: str) -> str:
        if not _VERSION.match(version) or not any(n.waba_id == waba_id for n in granted(request)):
            raise unknown_object(waba_id, request.method)
        return waba_id

    def own_media(request: Request, media_id: str) -> MediaItem | None:
        item = emulator.state.media.get(media_id)
        if item is None:
            return None
        owners = {n.phone_number_id for n in granted(request)}
        return item if item.phone_number_id in owners else None

    async def faults_before() -> bool:
        """Latency, 5xx and hangs; True means "hang after handling" (accepted, then stuck)."""
        faults = emulator.faults
        if faults.latency_seconds:
            await asyncio.sleep(faults.latency_seconds)
        if emulator.dice.roll(faults.timeout_rate):
            if faults.timeout_after_accept:
                return True
            await asyncio.sleep(faults.timeout_seconds)
            raise GraphApiError(2, is_transient=True)
        if emulator.dice.roll(faults.server_error_rate):
            raise GraphApiError(faults.server_error_code, is_transient=True)
        return False

    async def json_body(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError:
            raise invalid_parameter("The request body is not valid JSON.") from None

    # media download (lookaside URL); declared before the catch-all object routes ----------
    @app.get("/whatsapp_business/attachments/", include_in_schema=False)
    async def download(request: Request, mid: str = "", ext: str = "", hash: str = "") -> Response:
        granted(request)
        item = emulator.check_media_url(mid, ext, hash)
        if item is None or own_media(request, mid) is None:
            return Response(status_code=404)
        return Response(item.data, media_type=item.mime_type)

    @app.post("/{version}/{phone_number_id}/messages")
    async def send(request: Request, version: str, phone_number_id: str) -> Response:
        hang = await faults_before()
        number = own_number(request, version, phone_number_id)
        if not number.registered:
            raise GraphApiError(133010)
        result = emulator.outbound.send(number, await json_body(request))
        if hang:
            await asyncio.sleep(emulator.faults.timeout_seconds)
        return MetaJSONResponse(result)

    @app.post("/{version}/{phone_number_id}/media")
    async def upload(request: Request, version: str, phone_number_id: str) -> Response:
        await faults_before()
        number = own_number(request, version, phone_number_id)
        form = await request.form()
        if form.get("messaging_product") != "whatsapp":
            raise GraphApiError(100, message="(#100) The parameter messaging_product is required.")
        upload_file = form.get("file")
        if upload_file is None or isinstance(upload_file, str):
            raise GraphApiError(100, message="(#100) The parameter file is required.")
        data = await upload_file.read()
        declared = form.get("type")
        mime = str(declared) if isinstance(declared, str) and declared else upload_file.content_type
        base_mime = (mime or "").split(";")[0].strip().lower()
        limit = MEDIA_LIMITS.get(base_mime)
        if limit is None:
            allowed = ", ".join(sorted(MEDIA_LIMITS))
            raise GraphApiError(
                131053, f"Param file must be a file with one of the following types: {allowed}."
            )
        if not data or len(data) > limit:
            raise GraphApiError(131053, f"Param file size must be between 1 and {limit} bytes.")
        item = emulator.state.add_media(
            data, str(mime), number.phone_number_id, upload_file.filename
        )
        return MetaJSONResponse({"id": item.id})

    @app.post("/{version}/{phone_number_id}/register")
    async def register(request: Request, version: str, phone_number_id: str) -> Response:
        number = own_number(request, version, phone_number_id)
        body = await json_body(request)
        pin = body.get("pin") if isinstance(body, dict) else None
        if not isinstance(pin, str) or not re.fullmatch(r"\d{6}", pin):
            raise invalid_parameter("Param pin must be a 6-digit string.")
        number.registered = True
        return MetaJSONResponse({"success": True})

    @app.get("/{version}/{waba_id}/message_templates")
    async def list_templates(
        request: Request, version: str, waba_id: str, name: str | None = None,
        limit: int = 25, after: str | None = None,
    ) -> Response:  # fmt: skip
        own_waba(request, version, waba_id)
        items = [t for t in emulator.templates(waba_id) if name is None or name in t.name]
        start = int(after) if after and after.isdigit() else 0
        page = items[start : start + max(limit, 1)]
        result: dict[str, Any] = {
            "data": [t.public() for t in page],
            "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}},
        }
        if start + len(page) < len(items):
            result["paging"]["next"] = (
                f"{str(request.base_url).rstrip('/')}/{version}/{waba_id}/message_templates"
                f"?limit={limit}&after={start + len(page)}"
            )
        return MetaJSONResponse(result)

    @app.post("/{version}/{waba_id}/message_templates")
    async def create_template(request: Request, version: str, waba_id: str) -> Response:
        own_waba(request, version, waba_id)
        templates = emulator.templates(waba_id)
        template = new_template(await json_body(request), templates)
        templates.append(template)

        async def review() -> None:
            delay = emulator.faults.template_review_delay
            if delay:
                await asyncio.sleep(delay)
            template.status = "APPROVED"
            emulator.send_template_status(waba_id, template, "APPROVED")

        emulator.webhooks.spawn(review())
        return MetaJSONResponse(
            {"id": template.id, "status": "PENDING", "category": template.category}
        )

    @app.delete("/{version}/{waba_id}/message_templates")
    async def delete_template(
        request: Request, version: str, waba_id: str, name: str = "", hsm_id: str | None = None
    ) -> Response:
        own_waba(request, version, waba_id)
        templates = emulator.templates(waba_id)
        doomed = [t for t in templates if t.name == name and (hsm_id is None or t.id == hsm_id)]
        if not doomed:
            raise invalid_parameter(f"Template {name!r} does not exist.")
        templates[:] = [t for t in templates if t not in doomed]
        return MetaJSONResponse({"success": True})

    @app.get("/{version}/{waba_id}/phone_numbers")
    async def list_numbers(request: Request, version: str, waba_id: str) -> Response:
        own_waba(request, version, waba_id)
        data = [_number_fields(n) for n in emulator.state.numbers_of_waba(waba_id)]
        return MetaJSONResponse({"data": data})

    @app.get("/{version}/{object_id}")
    async def get_object(
        request: Request, version: str, object_id: str, fields: str | None = None
    ) -> Response:
        await faults_before()
        if object_id in emulator.state.numbers:
            number = own_number(request, version, object_id)
            data = _number_fields(number)
            if fields:
                wanted = {f.strip() for f in fields.split(",")} | {"id"}
                data = {k: v for k, v in data.items() if k in wanted}
            return MetaJSONResponse(data)
        item = own_media(request, object_id) if _VERSION.match(version) else None
        if item is None:
            raise unknown_object(object_id, request.method)
        return MetaJSONResponse({
            "messaging_product": "whatsapp",
            "url": emulator.media_url(str(request.base_url), item),
            "mime_type": item.mime_type,
            "sha256": item.sha256_hex,
            "file_size": str(len(item.data)),
            "id": item.id,
        })  # fmt: skip

    @app.delete("/{version}/{object_id}")
    async def delete_object(request: Request, version: str, object_id: str) -> Response:
        item = own_media(request, object_id) if _VERSION.match(version) else None
        if item is None:
            raise unknown_object(object_id, request.method)
        del emulator.state.media[object_id]
        return MetaJSONResponse({"success": True})

    return app


def _number_fields(number: BusinessNumber) -> dict[str, Any]:
    return {
        "verified_name": number.verified_name,
        "code_verification_status": "VERIFIED",
        "display_phone_number": number.display_phone_number,
        "quality_rating": number.quality_rating,
        "platform_type": "CLOUD_API",
        "throughput": {"level": "HIGH" if number.throughput_mps >= 1000 else "STANDARD"},
        "id": number.phone_number_id,
    }
