"""Graph-side message sends: checks in Meta's order, the conversation log, status webhooks."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from finnegans.whatsapp.emulator.errors import GraphApiError, async_error, invalid_parameter
from finnegans.whatsapp.emulator.faults import Dice, Faults, SlidingWindow
from finnegans.whatsapp.emulator.ids import new_wamid
from finnegans.whatsapp.emulator.state import (
    BusinessNumber,
    Customer,
    EmulatorState,
    LoggedMessage,
    StatusRecord,
    Template,
)
from finnegans.whatsapp.emulator.templates import check_template_send, render_template
from finnegans.whatsapp.emulator.validation import (
    MEDIA_TYPES,
    SendRequest,
    normalise_phone,
    parse_send,
)
from finnegans.whatsapp.emulator.webhooks import WebhookDispatcher, statuses_envelope

THROUGHPUT_WINDOW_SECONDS = 1.0


@dataclass
class StatusEvent:
    status: str
    offset: float  # seconds after acceptance
    obj: dict[str, Any]


class Outbound:
    def __init__(
        self,
        state: EmulatorState,
        faults: Callable[[], Faults],
        webhooks: WebhookDispatcher,
        dice: Dice,
        throughput: SlidingWindow,
        pairs: SlidingWindow,
    ) -> None:
        self.state = state
        self._faults = faults
        self.webhooks = webhooks
        self.dice = dice
        self.throughput = throughput
        self.pairs = pairs
        self.refused_130429: Counter[str] = Counter()  # per number, for tests and benchmarks

    # entry point ---------------------------------------------------------------------------
    def send(self, number: BusinessNumber, body: Any) -> dict[str, Any]:
        """Handle `POST /{phone_number_id}/messages`; raise `GraphApiError` like Meta."""
        request = parse_send(body)
        if request.kind == "read":
            return self._mark_read(number, request)
        customer, known = self._recipient(request)
        template = self._template(number, request) if request.type == "template" else None
        faults = self._faults()
        key = number.phone_number_id
        if (
            faults.throughput_auto
            and not self.throughput.allow(key, number.throughput_mps, THROUGHPUT_WINDOW_SECONDS)
        ) or self.dice.roll(faults.throughput_error_rate):
            self.refused_130429[key] += 1
            raise GraphApiError(130429)
        pair = (key, customer.wa_id)
        if faults.pair_rate_limit and not self.pairs.allow(
            pair, faults.pair_rate_burst, faults.pair_rate_window_seconds
        ):
            raise GraphApiError(131056)
        window_open = self.state.window_open(key, customer.wa_id)
        if template is None and not window_open and faults.window_error == "sync":
            raise GraphApiError(131047)
        self.throughput.record(key)
        self.pairs.record(pair)
        return self._accept(number, customer, known, request, template, window_open)

    def _recipient(self, request: SendRequest) -> tuple[Customer, bool]:
        if request.recipient is not None and request.to is None:
            customer = self.state.customer_by_user_id(request.recipient)
            if customer is None:
                raise invalid_parameter(f"Param recipient: unknown user id {request.recipient}.")
            return customer, True
        wa_id = normalise_phone(str(request.to))
        if not 7 <= len(wa_id) <= 15:
            raise invalid_parameter("Param to must be a phone number with country code.")
        if wa_id in self.state.customers:
            return self.state.customers[wa_id], True
        if self._faults().unknown_recipients == "undeliverable":
            return Customer(wa_id=wa_id), False  # not a WhatsApp user: never stored
        return self.state.get_or_create_customer(wa_id), True

    def _template(self, number: BusinessNumber, request: SendRequest) -> Template:
        sent = request.content
        name, language = str(sent["name"]), str(sent["language"]["code"])
        template = self.state.find_template(number.waba_id, name, language)
        check_template_send(template, name, language, sent)
        assert template is not None  # noqa: S101 - checked above
        return template

    def _accept(
        self,
        number: BusinessNumber,
        customer: Customer,
        known: bool,
        request: SendRequest,
        template: Template | None,
        window_open: bool,
    ) -> dict[str, Any]:
        now = self.state.clock()
        wamid = new_wamid(customer.wa_id, inbound=False)
        logged = LoggedMessage(
            wamid, "outbound", request.type, request.body, now,
            number.phone_number_id, customer.wa_id,
        )  # fmt: skip
        if template is not None:
            logged.extra["template"] = render_template(template, request.content)
        self.state.log(logged)
        failure = self._async_failure(request, known, template, window_open)
        self._schedule(number, customer, logged, request, template, window_open, failure)
        contact: dict[str, Any] = {"input": request.to or request.recipient}
        if not customer.bsuid_only:
            contact["wa_id"] = customer.wa_id
        if request.recipient is not None and customer.user_id:
            contact["user_id"] = customer.user_id
        message: dict[str, Any] = {"id": wamid}
        if template is not None:
            message["message_status"] = "accepted"
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [message]}

    def _async_failure(
        self, request: SendRequest, known: bool, template: Template | None, window_open: bool
    ) -> int | None:
        if not known:
            return 131026
        if template is None and not window_open:
            return 131047
        content = request.content
        if (
            request.type in MEDIA_TYPES
            and "id" in content
            and str(content["id"]) not in self.state.media
        ):
            return 131053
        if request.type == "reaction" and content["message_id"] not in self.state.messages:
            return 131009
        return self._faults().async_failure_code

    # mark as read / typing ------------------------------------------------------------------
    def _mark_read(self, number: BusinessNumber, request: SendRequest) -> dict[str, Any]:
        target = self.state.messages.get(str(request.message_id))
        if (
            target is None
            or target.direction != "inbound"
            or target.phone_number_id != number.phone_number_id
        ):
            raise invalid_parameter(f"Param message_id: unknown message {request.message_id}.")
        conversation = self.state.conversation(number.phone_number_id, target.wa_id)
        for message in conversation.messages:
            if message.direction == "inbound" and message.seq <= target.seq:
                message.read_by_business = True
        if request.typing:
            target.extra["typing_indicator_at"] = self.state.clock()
        return {"success": True}

    # statuses ------------------------------------------------------------------------------
    def _schedule(
        self,
        number: BusinessNumber,
        customer: Customer,
        logged: LoggedMessage,
        request: SendRequest,
        template: Template | None,
        window_open: bool,
        failure: int | None,
    ) -> None:
        faults = self._faults()
        if not faults.statuses:
            return
        opaque = request.body.get("biz_opaque_callback_data")
        base = logged.timestamp
        if failure is not None:
            obj = self.status_object(logged, customer, "failed", base + faults.status_sent_delay,
                                     opaque=opaque, errors=[async_error(failure)])  # fmt: skip
            events = [StatusEvent("failed", faults.status_sent_delay, obj)]
        else:
            plan = [("sent", faults.status_sent_delay)]
            if request.type != "reaction":  # reactions only ever get `sent`
                if not faults.status_skip_delivered:
                    plan.append(("delivered", faults.status_delivered_delay))
                if faults.status_read:
                    plan.append(("read", faults.status_read_delay))
            pricing = _pricing(template, window_open)
            events = [
                StatusEvent(status, offset, self.status_object(
                    logged, customer, status, base + offset, opaque=opaque,
                    pricing=pricing if i <= 1 else None,
                ))
                for i, (status, offset) in enumerate(plan)
            ]  # fmt: skip
        self.webhooks.spawn(self._emit(number, customer, logged, events))

    def status_object(
        self,
        logged: LoggedMessage,
        customer: Customer,
        status: str,
        at: float,
        *,
        opaque: Any = None,
        pricing: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        obj: dict[str, Any] = {"id": logged.wamid, "status": status, "timestamp": str(int(at))}
        if not customer.bsuid_only:
            obj["recipient_id"] = customer.wa_id
        if customer.user_id:
            obj["recipient_user_id"] = customer.user_id
        if opaque is not None:
            obj["biz_opaque_callback_data"] = opaque
        if pricing is not None:
            obj["pricing"] = pricing
        if errors is not None:
            obj["errors"] = errors
        return obj

    async def _emit(
        self,
        number: BusinessNumber,
        customer: Customer,
        logged: LoggedMessage,
        events: list[StatusEvent],
    ) -> None:
        faults = self._faults()
        offsets = [e.offset for e in events]
        ordered = list(reversed(events)) if faults.status_out_of_order else events
        loop = asyncio.get_running_loop()
        start = loop.time()
        for offset, event in zip(offsets, ordered, strict=True):
            wait = start + offset - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.emit_status(number, customer, logged, event.obj)

    async def emit_status(
        self,
        number: BusinessNumber,
        customer: Customer,
        logged: LoggedMessage,
        obj: dict[str, Any],
    ) -> None:
        logged.statuses.append(
            StatusRecord(obj["status"], int(obj["timestamp"]), obj.get("errors"))
        )
        for _ in range(self._faults().status_duplicates):
            await self.webhooks.post(number, statuses_envelope(number, customer, obj), "statuses")


def _pricing(template: Template | None, window_open: bool) -> dict[str, Any]:
    """PMP pricing (v24+ shape: no `conversation`): service and in-window utility are free."""
    category = template.category.lower() if template is not None else "service"
    free = category == "service" or (category == "utility" and window_open)
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "type": "free_customer_service" if free else "regular",
        "category": category,
    }
