"""The `Emulator` facade: a fake of Meta's WhatsApp Cloud API for tests, demo and benchmarks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from finnegans.whatsapp.emulator import customers as build
from finnegans.whatsapp.emulator.customers import (
    MEDIA_KINDS,
    InboundMessage,
    media_object,
    message_object,
    placeholder_media,
)
from finnegans.whatsapp.emulator.errors import async_error
from finnegans.whatsapp.emulator.faults import Dice, Faults, SlidingWindow
from finnegans.whatsapp.emulator.ids import new_numeric_id, new_token, new_wamid
from finnegans.whatsapp.emulator.outbound import Outbound
from finnegans.whatsapp.emulator.state import (
    WINDOW_SECONDS,
    BusinessNumber,
    Customer,
    EmulatorState,
    LoggedMessage,
    MediaItem,
    Template,
)
from finnegans.whatsapp.emulator.templates import quick_reply_label, quick_reply_payload
from finnegans.whatsapp.emulator.webhooks import (
    DeliveryAttempt,
    WebhookDispatcher,
    envelope,
    messages_envelope,
    value_errors_envelope,
)

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

MEDIA_URL_LIFETIME = 300  # seconds (reference §6.10: media URLs expire after 5 minutes)


class Emulator:
    """A fake Meta: Graph API (`graph_app`), signed webhooks, simulated customers, faults.

    `http` is the client used to post webhooks (inject one with `httpx.ASGITransport(app=...)`
    to stay in-process); `public_url` is the emulator's own base URL, used for the `url` of
    inbound media in webhooks (omitted when None, as in older Meta webhooks).
    """

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        *,
        faults: Faults | None = None,
        public_url: str | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        self.state = EmulatorState(clock)
        self._faults = faults or Faults()
        self.public_url = public_url.rstrip("/") if public_url else None
        self.dice = Dice(seed)
        self.webhooks = WebhookDispatcher(lambda: self._faults, http)
        self.outbound = Outbound(
            self.state, lambda: self._faults, self.webhooks, self.dice,
            SlidingWindow(monotonic), SlidingWindow(monotonic),
        )  # fmt: skip
        self._url_key = secrets.token_bytes(16)
        self._graph_app: FastAPI | None = None

    # configuration -------------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults = value

    @property
    def graph_app(self) -> FastAPI:
        """Graph API routes plus the control API under `/_emulator` (one ASGI app)."""
        if self._graph_app is None:
            from finnegans.whatsapp.emulator.graph_app import build_graph_app

            self._graph_app = build_graph_app(self)
        return self._graph_app

    def control_router(self, prefix: str = "/_emulator") -> APIRouter:
        """The JSON control API, to mount in another app (e.g. the dashboard's sandbox)."""
        from finnegans.whatsapp.emulator.control import build_control_router

        return build_control_router(self, prefix)

    def add_number(
        self,
        phone_number_id: str | None = None,
        *,
        waba_id: str | None = None,
        display_phone_number: str | None = None,
        access_token: str | None = None,
        app_secret: str | None = None,
        webhook_url: str | None = None,
        throughput_mps: int = 80,
        verified_name: str = "Finnegans Sandbox",
        verify_token: str | None = None,
    ) -> BusinessNumber:
        number = BusinessNumber(
            phone_number_id=phone_number_id or new_numeric_id(15),
            waba_id=waba_id or new_numeric_id(15),
            display_phone_number=display_phone_number or "1555" + new_numeric_id(7),
            access_token=access_token or new_token(),
            app_secret=app_secret or secrets.token_hex(16),
            webhook_url=webhook_url,
            throughput_mps=throughput_mps,
            verified_name=verified_name,
            verify_token=verify_token,
        )
        return self.state.add_number(number)

    def number(self, phone_number_id: str) -> BusinessNumber:
        try:
            return self.state.numbers[phone_number_id]
        except KeyError:
            raise KeyError(f"unknown phone_number_id {phone_number_id}") from None

    def add_customer(
        self,
        wa_id: str,
        *,
        profile_name: str | None = None,
        user_id: str | None = None,
        bsuid_only: bool | None = None,
    ) -> Customer:
        """Create (or update) a simulated WhatsApp user."""
        customer = self.state.get_or_create_customer(wa_id)
        if profile_name is not None:
            customer.profile_name = profile_name
        if user_id is not None:
            customer.user_id = user_id
        if bsuid_only is not None:
            customer.bsuid_only = bsuid_only
        return customer

    def templates(self, waba_id: str) -> list[Template]:
        return self.state.templates.setdefault(waba_id, [])

    # customers -----------------------------------------------------------------------------
    async def customer_sends(
        self,
        phone_number_id: str,
        wa_id: str,
        message: InboundMessage | str,
        *,
        profile_name: str | None = None,
        user_id: str | None = None,
    ) -> str:
        """The customer messages the business number; returns the inbound wamid.

        The webhook is posted in the background (`await drain()` to wait for it). Opens (or
        renews) the 24-hour customer service window.
        """
        number = self.number(phone_number_id)
        customer = self.add_customer(wa_id, profile_name=profile_name, user_id=user_id)
        if isinstance(message, str):
            message = build.text(message)
        content: Any = message.content
        if message.type in MEDIA_KINDS and message.media is not None:
            blob = message.media
            data, mime_type = blob.data, blob.mime_type
            if data is None:
                data, mime_type = placeholder_media(message.type, mime_type)
            item = self.state.add_media(data, mime_type, phone_number_id, blob.filename)
            url = self.media_url(self.public_url, item) if self.public_url else None
            content = media_object(message, item, url)
        now = self.state.clock()
        wamid = new_wamid(customer.wa_id, inbound=True)
        obj = message_object(
            message, wamid=wamid, timestamp=int(now), wa_id=customer.wa_id,
            user_id=customer.user_id, bsuid_only=customer.bsuid_only,
            business_display_number=number.display_phone_number, content=content,
        )  # fmt: skip
        logged = LoggedMessage(wamid, "inbound", message.type, obj, now, phone_number_id, wa_id)
        self.state.log(logged)
        self.webhooks.schedule(number, messages_envelope(number, customer, obj), "messages")
        return wamid

    def _business_message(self, phone_number_id: str, wa_id: str, wamid: str) -> LoggedMessage:
        logged = self.state.messages.get(wamid)
        if (
            logged is None
            or logged.direction != "outbound"
            or (logged.phone_number_id, logged.wa_id) != (phone_number_id, wa_id)
        ):
            raise KeyError(f"no business message {wamid} in this conversation")
        return logged

    async def reply_button(
        self, phone_number_id: str, wa_id: str, wamid: str, button_id: str
    ) -> str:
        """Tap reply button `button_id` of interactive message `wamid` (title looked up)."""
        sent = self._business_message(phone_number_id, wa_id, wamid).payload
        for button in sent["interactive"]["action"]["buttons"]:
            if button["reply"]["id"] == button_id:
                title = button["reply"]["title"]
                return await self.customer_sends(
                    phone_number_id, wa_id, build.button_reply(button_id, title, reply_to=wamid)
                )
        raise KeyError(f"message {wamid} has no button {button_id}")

    async def reply_list(self, phone_number_id: str, wa_id: str, wamid: str, row_id: str) -> str:
        """Pick row `row_id` of list message `wamid` (title and description looked up)."""
        sent = self._business_message(phone_number_id, wa_id, wamid).payload
        for section in sent["interactive"]["action"]["sections"]:
            for row in section["rows"]:
                if row["id"] == row_id:
                    message = build.list_reply(
                        row_id, row["title"], reply_to=wamid, description=row.get("description")
                    )
                    return await self.customer_sends(phone_number_id, wa_id, message)
        raise KeyError(f"message {wamid} has no row {row_id}")

    async def reply_template_button(
        self, phone_number_id: str, wa_id: str, wamid: str, index: int
    ) -> str:
        """Tap quick-reply button `index` of template message `wamid`."""
        number = self.number(phone_number_id)
        sent = self._business_message(phone_number_id, wa_id, wamid).payload["template"]
        template = self.state.find_template(number.waba_id, sent["name"], sent["language"]["code"])
        payload = quick_reply_payload(sent, template, index)
        label = quick_reply_label(template, index) or payload
        message = build.template_button(payload, label, reply_to=wamid)
        return await self.customer_sends(phone_number_id, wa_id, message)

    def customer_reads(self, phone_number_id: str, wa_id: str) -> int:
        """The customer opens the chat: `read` for every business message not yet read."""
        number = self.number(phone_number_id)
        customer = self.state.get_or_create_customer(wa_id)
        count = 0
        for logged in self.conversation(phone_number_id, wa_id):
            if logged.direction == "outbound" and logged.status in ("sent", "delivered"):
                obj = self.outbound.status_object(
                    logged, customer, "read", self.state.clock(),
                    opaque=logged.payload.get("biz_opaque_callback_data"),
                )  # fmt: skip
                self.webhooks.spawn(self.outbound.emit_status(number, customer, logged, obj))
                count += 1
        return count

    # conversations and windows --------------------------------------------------------------
    def conversation(self, phone_number_id: str, wa_id: str) -> list[LoggedMessage]:
        return list(self.state.conversation(phone_number_id, wa_id).messages)

    def message(self, wamid: str) -> LoggedMessage | None:
        return self.state.messages.get(wamid)

    def window_open(self, phone_number_id: str, wa_id: str) -> bool:
        return self.state.window_open(phone_number_id, wa_id)

    def close_window(self, phone_number_id: str, wa_id: str) -> None:
        """Pretend the customer's last message is more than 24 hours old."""
        conversation = self.state.conversation(phone_number_id, wa_id)
        if conversation.last_inbound_at is not None:
            conversation.last_inbound_at = self.state.clock() - WINDOW_SECONDS - 1

    def open_window(self, phone_number_id: str, wa_id: str) -> None:
        """Open the window without a webhook (as if the customer wrote earlier)."""
        self.state.conversation(phone_number_id, wa_id).last_inbound_at = self.state.clock()

    # webhooks ------------------------------------------------------------------------------
    async def drain(self, max_wait: float = 30.0) -> None:
        """Wait until every scheduled webhook has been delivered (or given up)."""
        await self.webhooks.drain(max_wait)

    @property
    def attempts(self) -> list[DeliveryAttempt]:
        """Every webhook POST attempt (newest last) with the platform's HTTP status."""
        return list(self.webhooks.attempts)

    def fail_message(self, wamid: str, code: int = 131049, details: str | None = None) -> None:
        """Post a `failed` status for an accepted business message, now."""
        logged = self.state.messages[wamid]
        number = self.number(logged.phone_number_id)
        customer = self.state.get_or_create_customer(logged.wa_id)
        # Meta echoes the send's biz_opaque_callback_data on every status of the message.
        obj = self.outbound.status_object(
            logged, customer, "failed", self.state.clock(), errors=[async_error(code, details)],
            opaque=logged.payload.get("biz_opaque_callback_data"),
        )  # fmt: skip
        self.webhooks.spawn(self.outbound.emit_status(number, customer, logged, obj))

    def send_value_error(self, phone_number_id: str, code: int = 130429) -> None:
        """A value-level `errors[]` webhook (not tied to a message), e.g. 130429."""
        number = self.number(phone_number_id)
        payload = value_errors_envelope(number, [async_error(code)])
        self.webhooks.schedule(number, payload, "errors")

    def send_template_status(self, waba_id: str, template: Template, event: str) -> None:
        value = {
            "event": event,
            "message_template_id": int(template.id),
            "message_template_name": template.name,
            "message_template_language": template.language,
            "reason": "NONE",
            "message_template_category": template.category,
        }
        payload = envelope(waba_id, value, "message_template_status_update", int(time.time()))
        seen: set[tuple[str | None, str]] = set()
        for number in self.state.numbers_of_waba(waba_id):
            if (number.webhook_url, number.app_secret) not in seen:
                seen.add((number.webhook_url, number.app_secret))
                self.webhooks.schedule(number, payload, "message_template_status_update")

    async def verify_webhook(self, phone_number_id: str, verify_token: str | None = None) -> bool:
        """Meta's GET handshake (reference §1): only 200 + the echoed challenge counts."""
        number = self.number(phone_number_id)
        if number.webhook_url is None:
            return False
        challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
        params = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token or number.verify_token or "",
        }
        try:
            response = await self.webhooks.http.get(number.webhook_url, params=params)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.text == challenge

    async def aclose(self) -> None:
        await self.webhooks.aclose()

    # media URLs ----------------------------------------------------------------------------
    def _url_hash(self, media_id: str, ext: str) -> str:
        mac = hmac.new(self._url_key, f"{media_id}:{ext}".encode(), hashlib.sha256)
        return mac.hexdigest()[:40]

    def media_url(self, base_url: str | None, item: MediaItem) -> str:
        """A lookaside-style download URL, valid for 5 minutes, needing the bearer token."""
        ext = str(int(self.state.clock()))
        base = (base_url or self.public_url or "").rstrip("/")
        return (
            f"{base}/whatsapp_business/attachments/?mid={item.id}&source=webhook"
            f"&ext={ext}&hash={self._url_hash(item.id, ext)}"
        )

    def check_media_url(self, media_id: str, ext: str, url_hash: str) -> MediaItem | None:
        item = self.state.media.get(media_id)
        if item is None or not hmac.compare_digest(self._url_hash(media_id, ext), url_hash):
            return None
        try:
            issued = int(ext)
        except ValueError:
            return None
        return item if self.state.clock() - issued <= MEDIA_URL_LIFETIME else None
