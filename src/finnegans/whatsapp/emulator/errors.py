"""Graph API errors as Meta shapes them (reference §7).

Synchronous errors answer with `{"error": {message, type, code, error_subcode?, error_data?,
fbtrace_id}}`; WhatsApp codes put `"(#<code>) <title>"` in `message` and carry no subcode
(deprecated since v16). Asynchronous errors (webhook `errors[]`) use `{code, title, message,
error_data: {details}, href}`. HTTP statuses follow the current error-codes page: 400 for most,
401 for 190, 403 for permissions, 500/503 for server codes.
"""

from __future__ import annotations

from typing import Any

from finnegans.whatsapp.emulator.ids import new_fbtrace_id

ERROR_CODES_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"

# code -> (title, HTTP status, default details)
_CATALOGUE: dict[int, tuple[str, int, str]] = {
    2: ("Service temporarily unavailable", 503, "Temporary downtime or overload; retry later."),
    100: ("Invalid parameter", 400, "Invalid parameter"),
    130429: (
        "Rate limit hit",
        400,
        "Message failed to send because there were too many messages sent from this phone "
        "number in a short period of time",
    ),
    130472: (
        "User's number is part of an experiment",
        400,
        "Failed to send message because this user's phone number is part of an experiment",
    ),
    131000: ("Something went wrong", 500, "Message failed to send due to an unknown error."),
    131005: ("Access denied", 403, "Permission is either not granted or has been removed."),
    131008: ("Required parameter is missing", 400, "A required parameter is missing."),
    131009: ("Parameter value is not valid", 400, "One or more parameter values are invalid."),
    131016: ("Service unavailable", 503, "A service is temporarily unavailable."),
    131026: (
        "Message undeliverable",
        400,
        "Message failed to send because the recipient is not a WhatsApp user or cannot receive it.",
    ),
    131047: (
        "Re-engagement message",
        400,
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        400,
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving "
        "marketing messages on WhatsApp from your business",
        400,
        "The user has stopped marketing messages from this business.",
    ),
    131051: ("Unsupported message type", 400, "Message type is not currently supported."),
    131053: ("Media upload error", 400, "Unable to upload the media used in the message."),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        400,
        "Message failed to send because there were too many messages sent from this phone "
        "number to the same phone number in a short period of time.",
    ),
    132000: (
        "Number of parameters does not match the expected number of params",
        400,
        "The number of variable parameter values does not match the template.",
    ),
    132001: (
        "Template name does not exist in the translation",
        400,
        "The template does not exist in the specified language or is not approved.",
    ),
    133010: ("Account not registered", 400, "Phone number is not registered on the Cloud API."),
}


def title_for(code: int) -> str:
    return _CATALOGUE.get(code, ("Something went wrong", 400, ""))[0]


def async_error(code: int, details: str | None = None) -> dict[str, Any]:
    """The `errors[]` item of a failed status / value-level error webhook."""
    title, _, default_details = _CATALOGUE.get(code, (f"Error {code}", 400, ""))
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or default_details},
        "href": ERROR_CODES_HREF,
    }


class GraphApiError(Exception):
    """Raised inside the emulator's Graph routes; rendered as Meta's error body."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        http_status: int | None = None,
        message: str | None = None,
        subcode: int | None = None,
        error_type: str = "OAuthException",
        with_error_data: bool = True,
        is_transient: bool | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        title, default_status, default_details = _CATALOGUE.get(code, ("Unknown error", 400, ""))
        self.code = code
        self.title = title
        self.details = details or default_details
        self.http_status = http_status or default_status
        self.message = message or f"(#{code}) {title}"
        self.subcode = subcode
        self.error_type = error_type
        self.with_error_data = with_error_data
        self.is_transient = is_transient
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
        }
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.with_error_data:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = new_fbtrace_id()
        return {"error": error}


def invalid_parameter(details: str) -> GraphApiError:
    return GraphApiError(100, details)


def missing_parameter(path: str) -> GraphApiError:
    return GraphApiError(131008, f"The parameter {path} is required.")


def invalid_value(details: str) -> GraphApiError:
    return GraphApiError(131009, details)


def invalid_token() -> GraphApiError:
    return GraphApiError(
        190,
        message="Invalid OAuth access token - Cannot parse access token",
        http_status=401,
        with_error_data=False,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'},
    )


def expired_token() -> GraphApiError:
    return GraphApiError(
        190,
        message=(
            "Error validating access token: Session has expired on Saturday, 24-Mar-18 "
            "05:00:00 PDT. The current time is Saturday, 24-Mar-18 05:20:17 PDT."
        ),
        http_status=401,
        subcode=463,
        with_error_data=False,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'},
    )


def unknown_object(object_id: str, method: str) -> GraphApiError:
    return GraphApiError(
        100,
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation. "
            "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
        subcode=33,
        error_type="GraphMethodException",
        with_error_data=False,
    )
