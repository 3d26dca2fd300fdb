"""Async Graph API client for one WhatsApp business number (reference §6).

Retry rules, because a message send has no idempotency key (§7.3):
* Meta answered with a retryable code (5xx, 1, 2, 4, 80007, 130429, 131000, …): the request
  was refused, not accepted, so repeating it is safe for every call, sends included.
* The connection failed before the request left (connect error/timeout, pool timeout): safe.
* Timeout or dropped connection after the request may have been read: repeated only for calls
  that are safe to repeat (reads, media download/upload, mark-as-read, deletes). For sends
  (and template creation, registration) it raises `SendOutcomeUnknown` after exactly one try.
Waits are exponential with jitter (stamina), capped at `max_retry_wait`; a server-suggested
wait longer than that (usage header, 131057 maintenance) is not slept inline but raised with
`GraphError.retry_after` so a job queue can reschedule.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx
import stamina
import structlog

from finnegans.system import metrics
from finnegans.whatsapp.graph.errors import GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph.messages import Payload, mark_read_payload, text_message
from finnegans.whatsapp.graph.results import (
    MediaInfo,
    SendResult,
    TemplateCreated,
    json_object,
    media_info,
    send_result,
)
from finnegans.whatsapp.graph.templates import template_message
from finnegans.whatsapp.send_budget import DEFAULT_RATE_PER_SECOND, ArrivalGuard, SendBudget

log = structlog.get_logger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
DEFAULT_PHONE_FIELDS = (
    "display_phone_number,verified_name,quality_rating,code_verification_status,"
    "name_status,platform_type,throughput"
)
DEFAULT_TEMPLATE_FIELDS = "name,status,category,language,components,id"

# Raised before any byte of the request reached Meta, so the request cannot have taken effect.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_PIN = re.compile(r"^[0-9]{6}$")


class GraphClient:
    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        waba_id: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str = DEFAULT_BASE_URL,
        http_client: httpx.AsyncClient | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry_attempts: int = 4,
        max_retry_wait: float = 5.0,
        send_budget: SendBudget | None = None,
        send_rate_per_second: int = DEFAULT_RATE_PER_SECOND,
        budget_key: str | None = None,
        budget_window_seconds: float | None = None,
        arrival_guard: ArrivalGuard | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self._token = access_token
        self._root = f"{base_url.rstrip('/')}/{api_version.strip('/')}"
        # Never a module-level client: tests and the emulator inject one on an ASGI transport.
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self._timeout = timeout
        self._retry_attempts = retry_attempts
        self._max_retry_wait = max_retry_wait
        self._send_budget = send_budget
        self._send_rate = send_rate_per_second
        # Meta's throughput limit is per business number, hence the default key.
        self._budget_key = budget_key or phone_number_id
        self._budget_window = budget_window_seconds  # None: the budget's own (1 s)
        self._arrival_guard = arrival_guard

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ----- messages -------------------------------------------------------------------------

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        """Send a message body built by the builders; raises GraphError / SendOutcomeUnknown."""
        response = await self._call(
            "send",
            "POST",
            self._url(self.phone_number_id, "messages"),
            safe_to_repeat=False,
            use_budget=True,
            json=dict(payload),
        )
        result = send_result(response)
        if result is None:
            # 200 without a wamid: Meta most likely accepted it, but we cannot tell.
            raise SendOutcomeUnknown("send", ValueError("unreadable success response"))
        log.debug("graph.sent", wamid=result.wamid, type=payload.get("type"))
        return result

    async def send_text(
        self, to: str, body: str, *, preview_url: bool = False, reply_to: str | None = None
    ) -> SendResult:
        return await self.send(text_message(to, body, preview_url=preview_url, reply_to=reply_to))

    async def send_template(
        self,
        to: str,
        name: str,
        language: str,
        components: Sequence[Mapping[str, Any]] = (),
        *,
        reply_to: str | None = None,
    ) -> SendResult:
        return await self.send(template_message(to, name, language, components, reply_to=reply_to))

    async def mark_as_read(self, wamid: str, *, typing_indicator: bool = False) -> None:
        """Mark a received message (and the ones before it) read; optionally show typing."""
        payload = mark_read_payload(wamid, typing_indicator=typing_indicator)
        await self._call(
            "mark_as_read",
            "POST",
            self._url(self.phone_number_id, "messages"),
            safe_to_repeat=True,
            json=payload,
        )

    # ----- media ----------------------------------------------------------------------------

    async def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file for later sends (kept 30 days); returns the media id."""
        # A repeated upload only creates an orphan id that expires, so it is safe to repeat.
        response = await self._call(
            "upload_media",
            "POST",
            self._url(self.phone_number_id, "media"),
            safe_to_repeat=True,
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(json_object(response)["id"])

    async def get_media_url(self, media_id: str) -> MediaInfo:
        response = await self._call(
            "get_media_url",
            "GET",
            self._url(media_id),
            safe_to_repeat=True,
            params={"phone_number_id": self.phone_number_id},
        )
        return media_info(json_object(response), media_id)

    async def download_media(self, url: str) -> bytes:
        """Fetch a media URL from `get_media_url` (needs the token; 404 ⇒ get a fresh URL)."""
        response = await self._call("download_media", "GET", url, safe_to_repeat=True)
        return response.content

    async def delete_media(self, media_id: str) -> bool:
        response = await self._call(
            "delete_media",
            "DELETE",
            self._url(media_id),
            safe_to_repeat=True,
            params={"phone_number_id": self.phone_number_id},
        )
        return json_object(response).get("success") is True

    # ----- templates (on the WABA) ----------------------------------------------------------

    async def list_templates(
        self,
        *,
        name: str | None = None,
        fields: str = DEFAULT_TEMPLATE_FIELDS,
        page_size: int = 100,
    ) -> list[dict[str, Any]]:
        """All templates of the WABA, following the `after` cursor page by page."""
        params: dict[str, str | int] = {"fields": fields, "limit": page_size}
        if name is not None:
            params["name"] = name
        templates: list[dict[str, Any]] = []
        seen_cursors: set[str] = set()
        while True:
            response = await self._call(
                "list_templates",
                "GET",
                self._url(self._require_waba(), "message_templates"),
                safe_to_repeat=True,
                params=dict(params),
            )
            body = json_object(response)
            templates.extend(t for t in body.get("data", []) if isinstance(t, dict))
            paging = body.get("paging")
            paging = paging if isinstance(paging, dict) else {}
            cursors = paging.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) else None
            # No "next" means last page; a repeated cursor would loop forever.
            if not paging.get("next") or not after or after in seen_cursors:
                return templates
            seen_cursors.add(after)
            params["after"] = after

    async def create_template(
        self,
        name: str,
        language: str,
        category: str,
        components: Sequence[Mapping[str, Any]],
        *,
        parameter_format: str | None = None,
    ) -> TemplateCreated:
        body: Payload = {
            "name": name,
            "language": language,
            "category": category,
            "components": [dict(c) for c in components],
        }
        if parameter_format is not None:
            body["parameter_format"] = parameter_format
        response = await self._call(
            "create_template",
            "POST",
            self._url(self._require_waba(), "message_templates"),
            safe_to_repeat=False,
            json=body,
        )
        answer = json_object(response)
        return TemplateCreated(
            id=str(answer["id"]),
            status=str(answer.get("status", "PENDING")),
            category=str(answer.get("category", category)),
        )

    async def delete_template(self, name: str, hsm_id: str | None = None) -> bool:
        """Delete every language of `name`, or only the template `hsm_id` when given."""
        params = {"name": name} | ({"hsm_id": hsm_id} if hsm_id else {})
        response = await self._call(
            "delete_template",
            "DELETE",
            self._url(self._require_waba(), "message_templates"),
            safe_to_repeat=True,
            params=params,
        )
        return json_object(response).get("success") is True

    # ----- phone number ---------------------------------------------------------------------

    async def phone_number_details(self, fields: str = DEFAULT_PHONE_FIELDS) -> dict[str, Any]:
        response = await self._call(
            "phone_number_details",
            "GET",
            self._url(self.phone_number_id),
            safe_to_repeat=True,
            params={"fields": fields},
        )
        return json_object(response)

    async def register_phone(self, pin: str) -> bool:
        """Register the number on Cloud API with its two-step verification PIN."""
        if not _PIN.match(pin):
            raise ValueError("pin: six digits expected")
        # Not repeated after a timeout: a wrong PIN attempt counts against the guess limit.
        response = await self._call(
            "register_phone",
            "POST",
            self._url(self.phone_number_id, "register"),
            safe_to_repeat=False,
            json={"messaging_product": "whatsapp", "pin": pin},
        )
        return json_object(response).get("success") is True

    # ----- plumbing -------------------------------------------------------------------------

    def _url(self, *parts: str) -> str:
        return "/".join([self._root, *parts])

    def _require_waba(self) -> str:
        if not self.waba_id:
            raise ValueError("waba_id is required for template management calls")
        return self.waba_id

    async def _call(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        safe_to_repeat: bool,
        use_budget: bool = False,
        **request: Any,
    ) -> httpx.Response:
        code_1_retried = False

        def should_retry(exc: Exception) -> bool | float:
            nonlocal code_1_retried
            if isinstance(exc, GraphUnreachable):
                return True
            if not isinstance(exc, GraphError) or not exc.is_retryable:
                return False
            if exc.code == 1:  # "invalid request or possible server error": one more try only
                if code_1_retried:
                    return False
                code_1_retried = True
            if exc.retry_after is not None:
                return exc.retry_after if exc.retry_after <= self._max_retry_wait else False
            return True

        async for attempt in stamina.retry_context(
            on=should_retry,
            attempts=self._retry_attempts,
            timeout=self._max_retry_wait * self._retry_attempts * 2,
            wait_initial=0.5,
            wait_max=self._max_retry_wait,
            wait_jitter=0.5,
        ):
            with attempt:
                if use_budget and self._send_budget is not None:
                    # Every attempt is a request Meta counts, so every attempt pays.
                    await self._send_budget.acquire(
                        self._budget_key, self._send_rate, self._budget_window
                    )
                    if self._arrival_guard is not None:
                        async with self._arrival_guard.hold(self._send_rate):
                            return await self._timed_request(
                                operation, method, url, safe_to_repeat, request
                            )
                return await self._timed_request(operation, method, url, safe_to_repeat, request)
        raise AssertionError("unreachable: stamina either returns or re-raises")

    async def _timed_request(
        self,
        operation: str,
        method: str,
        url: str,
        safe_to_repeat: bool,
        request: dict[str, Any],
    ) -> httpx.Response:
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await self._request_once(operation, method, url, safe_to_repeat, request)
            outcome = "ok"
            return response
        except GraphError as exc:
            metrics.GRAPH_ERRORS.labels(str(exc.code)).inc()
            raise
        except (GraphUnreachable, SendOutcomeUnknown):
            outcome = "unreachable"
            raise
        finally:
            elapsed = time.perf_counter() - started
            metrics.GRAPH_LATENCY.labels(operation, outcome).observe(elapsed)

    async def _request_once(
        self,
        operation: str,
        method: str,
        url: str,
        safe_to_repeat: bool,
        request: dict[str, Any],
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            response = await self._http.request(
                method, url, headers=headers, timeout=self._timeout, **request
            )
        except _NOT_SENT_ERRORS as exc:
            log.warning("graph.unreachable", operation=operation, error=type(exc).__name__)
            raise GraphUnreachable(operation, exc) from exc
        except httpx.TransportError as exc:
            log.warning("graph.transport_error", operation=operation, error=type(exc).__name__)
            if safe_to_repeat:
                raise GraphUnreachable(operation, exc) from exc
            raise SendOutcomeUnknown(operation, exc) from exc
        if response.is_success:
            return response
        error = GraphError.from_response(response)
        log.warning(
            "graph.error",
            operation=operation,
            http_status=error.http_status,
            code=error.code,
            kind=error.kind.value,
            details=error.details,
            fbtrace_id=error.fbtrace_id,
        )
        raise error
