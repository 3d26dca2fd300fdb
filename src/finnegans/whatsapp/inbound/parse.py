"""`parse_webhook`: a raw WhatsApp Cloud API webhook body -> flat, typed, routable items.

Meta batches up to 1000 updates per POST across entries, changes, messages and statuses, and
retries the whole POST for 7 days if we fail it. So every item is validated on its own: a bad or
unknown one lands in `skipped` (raw, with a reason) and never hides its siblings. Only a body
that is not a JSON object with an `entry` list raises, as `InvalidWebhookBody`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from finnegans.whatsapp.inbound.common import WaError
from finnegans.whatsapp.inbound.events import (
    AccountUpdateEvent,
    InboundMessageEvent,
    ParsedWebhook,
    QualityUpdateEvent,
    SkippedItem,
    SkippedKind,
    StatusEvent,
    TemplateStatusEvent,
    UserPreferencesEvent,
    WebhookErrorEvent,
)
from finnegans.whatsapp.inbound.management import (
    AccountUpdate,
    PhoneNumberQualityUpdate,
    TemplateStatusUpdate,
)
from finnegans.whatsapp.inbound.messages import MESSAGE_ADAPTER
from finnegans.whatsapp.inbound.models import (
    Change,
    Contact,
    EntryHeader,
    MessagesValueHeader,
    Metadata,
)
from finnegans.whatsapp.inbound.statuses import Status
from finnegans.whatsapp.inbound.summary import summarize

__all__ = ["InvalidWebhookBody", "parse_webhook"]

_M = TypeVar("_M", bound=BaseModel)


class InvalidWebhookBody(ValueError):
    """The body is not a webhook at all (not JSON, not an object, no `entry` list)."""


def parse_webhook(body: bytes | bytearray | str | Mapping[str, Any]) -> ParsedWebhook:
    """Parse one POST body (raw bytes as received, or already-decoded JSON)."""
    document = _load(body)
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise InvalidWebhookBody("webhook body has no 'entry' list")
    kind = document.get("object")
    parser = _Parser(ParsedWebhook(object=kind if isinstance(kind, str) else None))
    for raw_entry in entries:
        parser.entry(raw_entry)
    return parser.out


def _reject_constant(name: str) -> Any:
    raise InvalidWebhookBody(f"webhook body contains {name}, which is not JSON")


def _load(body: bytes | bytearray | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    try:
        # json.loads detects UTF-8/16/32 on bytes; NaN/Infinity are Python extensions, not JSON.
        document = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, InvalidWebhookBody):
            raise
        raise InvalidWebhookBody(f"webhook body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidWebhookBody("webhook body is not a JSON object")
    return document


def _reason(exc: ValidationError) -> str:
    """Short and free of user data (no input values): it ends up in logs."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "item"
        parts.append(f"{where}: {error['msg']}")
    if exc.error_count() > 3:
        parts.append(f"(+{exc.error_count() - 3} more)")
    return "; ".join(parts)


def _message_reason(exc: ValidationError, raw: Any) -> str:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "union_tag_invalid":
        return f"unknown message type {raw.get('type')!r}"
    if first["type"] == "union_tag_not_found":
        return "message has no 'type'"
    return _reason(exc)


def _match_contact(
    contacts: list[Contact], wa_id: str | None, user_id: str | None
) -> Contact | None:
    """The contact for a sender/recipient: by wa_id, then BSUID, else the only one there is."""
    for contact in contacts:
        if wa_id and contact.wa_id == wa_id:
            return contact
        if user_id and contact.user_id == user_id:
            return contact
    return contacts[0] if len(contacts) == 1 else None


def _items(value: Mapping[str, Any], key: str) -> list[Any] | None:
    items = value.get(key)
    if items is None:
        return []
    return items if isinstance(items, list) else None


class _Parser:
    def __init__(self, out: ParsedWebhook) -> None:
        self.out = out
        self._field_handlers: dict[str, Callable[[str, datetime | None, Change], None]] = {
            "messages": self._messages_value,
            "message_template_status_update": self._template_update,
            "account_update": self._account_update,
            "phone_number_quality_update": self._quality_update,
            "user_preferences": self._user_preferences,
        }

    def skip(self, kind: SkippedKind, reason: str, raw: Any, **where: str | None) -> None:
        self.out.skipped.append(SkippedItem(kind=kind, reason=reason, raw=raw, **where))

    def entry(self, raw: Any) -> None:
        try:
            header = EntryHeader.model_validate(raw)
        except ValidationError as exc:
            self.skip("entry", _reason(exc), raw)
            return
        changes = _items(raw, "changes")
        if changes is None:
            self.skip("entry", "changes: not a list", raw, waba_id=header.id)
            return
        for raw_change in changes:
            try:
                change = Change.model_validate(raw_change)
            except ValidationError as exc:
                self.skip("change", _reason(exc), raw_change, waba_id=header.id)
                continue
            handler = self._field_handlers.get(change.field)
            if handler is None:
                reason = f"unhandled field {change.field!r}"
                self.skip("change", reason, raw_change, waba_id=header.id, field=change.field)
                continue
            handler(header.id, header.time, change)

    # --- field "messages" ------------------------------------------------------------------

    def _messages_value(self, waba_id: str, _time: datetime | None, change: Change) -> None:
        value = change.value
        try:
            header = MessagesValueHeader.model_validate(value)
        except ValidationError as exc:
            self.skip("change", _reason(exc), value, waba_id=waba_id, field=change.field)
            return
        where: dict[str, str | None] = {
            "waba_id": waba_id,
            "field": change.field,
            "phone_number_id": header.metadata.phone_number_id,
        }
        lists = {key: _items(value, key) for key in ("contacts", "messages", "statuses", "errors")}
        for key, items in lists.items():
            if items is None:
                self.skip("change", f"{key}: not a list", value, **where)
                return
        contacts = self._contacts(lists["contacts"] or [], where)
        for raw in lists["messages"] or []:
            self._message(raw, waba_id, header.metadata, contacts, where)
        for raw in lists["statuses"] or []:
            self._status(raw, waba_id, header.metadata, contacts, where)
        for raw in lists["errors"] or []:
            self._value_error(raw, waba_id, header.metadata, where)

    def _contacts(self, raws: list[Any], where: dict[str, str | None]) -> list[Contact]:
        contacts = []
        for raw in raws:
            try:
                contacts.append(Contact.model_validate(raw))
            except ValidationError as exc:
                # Not fatal: the message still has `from`; it only loses the profile name.
                self.skip("contact", _reason(exc), raw, **where)
        return contacts

    def _message(
        self,
        raw: Any,
        waba_id: str,
        metadata: Metadata,
        contacts: list[Contact],
        where: dict[str, str | None],
    ) -> None:
        try:
            message = MESSAGE_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            self.skip("message", _message_reason(exc, raw), raw, **where)
            return
        contact = _match_contact(contacts, message.from_, message.from_user_id)
        profile = contact.profile if contact is not None else None
        self.out.messages.append(
            InboundMessageEvent(
                waba_id=waba_id,
                phone_number_id=metadata.phone_number_id,
                display_phone_number=metadata.display_phone_number,
                wa_id=message.from_ or (contact.wa_id if contact else None),
                user_id=message.from_user_id or (contact.user_id if contact else None),
                profile_name=(profile.name or None) if profile is not None else None,
                contact=contact,
                message=message,
                summary=summarize(message),
            )
        )

    def _status(
        self,
        raw: Any,
        waba_id: str,
        metadata: Metadata,
        contacts: list[Contact],
        where: dict[str, str | None],
    ) -> None:
        try:
            status = Status.model_validate(raw)
        except ValidationError as exc:
            self.skip("status", _reason(exc), raw, **where)
            return
        # 2026 BSUID webhooks add the recipient as a contact; use it to fill the missing id.
        contact = _match_contact(contacts, status.recipient_id, status.recipient_user_id)
        recipient_id = status.recipient_id or (contact.wa_id if contact else None)
        recipient_user_id = status.recipient_user_id or (contact.user_id if contact else None)
        error = status.errors[0] if status.errors else None
        pricing = status.pricing
        self.out.statuses.append(
            StatusEvent(
                waba_id=waba_id,
                phone_number_id=metadata.phone_number_id,
                display_phone_number=metadata.display_phone_number,
                wamid=status.id,
                status=status.status,
                timestamp=status.timestamp,
                recipient_id=recipient_id,
                recipient_user_id=recipient_user_id,
                error_code=error.code if error else None,
                error_title=error.title if error else None,
                error_details=error.details if error else None,
                pricing_category=pricing.category if pricing else None,
                pricing_model=pricing.pricing_model if pricing else None,
                pricing_type=pricing.type if pricing else None,
                conversation_id=status.conversation.id if status.conversation else None,
                biz_opaque_callback_data=status.biz_opaque_callback_data,
                detail=status,
            )
        )

    def _value_error(
        self, raw: Any, waba_id: str, metadata: Metadata, where: dict[str, str | None]
    ) -> None:
        try:
            error = WaError.model_validate(raw)
        except ValidationError as exc:
            self.skip("error", _reason(exc), raw, **where)
            return
        self.out.errors.append(
            WebhookErrorEvent(
                waba_id=waba_id,
                phone_number_id=metadata.phone_number_id,
                display_phone_number=metadata.display_phone_number,
                error=error,
            )
        )

    # --- management fields -------------------------------------------------------------------

    def _management(self, model: type[_M], waba_id: str, change: Change) -> _M | None:
        try:
            return model.model_validate(change.value)
        except ValidationError as exc:
            self.skip("change", _reason(exc), change.value, waba_id=waba_id, field=change.field)
            return None

    def _template_update(self, waba_id: str, time: datetime | None, change: Change) -> None:
        update = self._management(TemplateStatusUpdate, waba_id, change)
        if update is not None:
            event = TemplateStatusEvent(waba_id=waba_id, time=time, update=update)
            self.out.template_updates.append(event)

    def _account_update(self, waba_id: str, time: datetime | None, change: Change) -> None:
        update = self._management(AccountUpdate, waba_id, change)
        if update is not None:
            event = AccountUpdateEvent(waba_id=waba_id, time=time, update=update)
            self.out.account_updates.append(event)

    def _user_preferences(self, waba_id: str, _time: datetime | None, change: Change) -> None:
        value = change.value
        try:
            header = MessagesValueHeader.model_validate(value)
        except ValidationError as exc:
            self.skip("change", _reason(exc), value, waba_id=waba_id, field=change.field)
            return
        if _items(value, "user_preferences") is None:
            self.skip("change", "user_preferences: not a list", value, waba_id=waba_id,
                      field=change.field)  # fmt: skip
            return
        event = UserPreferencesEvent(
            waba_id=waba_id, phone_number_id=header.metadata.phone_number_id, value=value
        )
        self.out.user_preferences.append(event)

    def _quality_update(self, waba_id: str, time: datetime | None, change: Change) -> None:
        update = self._management(PhoneNumberQualityUpdate, waba_id, change)
        if update is not None:
            event = QualityUpdateEvent(waba_id=waba_id, time=time, update=update)
            self.out.quality_updates.append(event)
