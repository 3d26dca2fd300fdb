"""Graph errors are parsed from Meta's shapes and classified by code (reference §7)."""

from __future__ import annotations

import json

import httpx
import pytest

from finnegans.whatsapp.graph import ErrorKind, GraphError, classify, pair_rate_limit_backoff


@pytest.mark.parametrize(
    ("code", "http_status", "kind"),
    [
        (1, 400, ErrorKind.RETRYABLE),
        (2, 503, ErrorKind.RETRYABLE),
        (131000, 500, ErrorKind.RETRYABLE),
        (131016, 503, ErrorKind.RETRYABLE),
        (131057, 400, ErrorKind.RETRYABLE),
        (133004, 400, ErrorKind.RETRYABLE),
        (4, 400, ErrorKind.RATE_LIMITED),
        (4, 429, ErrorKind.RATE_LIMITED),
        (80007, 400, ErrorKind.RATE_LIMITED),
        (130429, 400, ErrorKind.RATE_LIMITED),
        (131056, 400, ErrorKind.PER_RECIPIENT),
        (131047, 400, ErrorKind.WINDOW_CLOSED),
        (190, 400, ErrorKind.TOKEN_INVALID),
        (190, 401, ErrorKind.TOKEN_INVALID),
        (0, 401, ErrorKind.TOKEN_INVALID),
        (None, 401, ErrorKind.TOKEN_INVALID),
        (3, 500, ErrorKind.TERMINAL),
        (10, 403, ErrorKind.TERMINAL),
        (100, 400, ErrorKind.TERMINAL),
        (131026, 400, ErrorKind.TERMINAL),
        (131048, 400, ErrorKind.TERMINAL),
        (131051, 400, ErrorKind.TERMINAL),
        (132000, 400, ErrorKind.TERMINAL),
        (132001, 404, ErrorKind.TERMINAL),
        (132015, 400, ErrorKind.TERMINAL),
        (368, 403, ErrorKind.TERMINAL),
        (None, 502, ErrorKind.RETRYABLE),
        (None, 404, ErrorKind.TERMINAL),
        (999999, 500, ErrorKind.RETRYABLE),
    ],
)
def test_classification_table(code: int | None, http_status: int, kind: ErrorKind) -> None:
    assert classify(code, http_status) is kind


def test_is_transient_makes_an_unknown_code_retryable() -> None:
    assert classify(123456, 400, is_transient=True) is ErrorKind.RETRYABLE
    assert classify(123456, 400) is ErrorKind.TERMINAL


def test_parses_a_graph_error_response() -> None:
    body = {
        "error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {"messaging_product": "whatsapp", "details": "too many messages"},
            "error_subcode": 2494055,
            "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
        }
    }
    usage = {"123": [{"type": "whatsapp", "call_count": 100, "estimated_time_to_regain_access": 2}]}
    response = httpx.Response(
        400, json=body, headers={"x-business-use-case-usage": json.dumps(usage)}
    )
    error = GraphError.from_response(response)
    assert (error.http_status, error.code, error.subcode) == (400, 130429, 2494055)
    assert error.title == "Rate limit hit"
    assert error.details == "too many messages"
    assert error.fbtrace_id == "Az8or2yhqkZfEZ-_4Qn_Bam"
    assert error.error_type == "OAuthException"
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.is_retryable and error.is_throughput_limit
    assert error.retry_after == 120.0  # the header counts minutes
    assert "130429" in str(error) and "too many messages" in str(error)


def test_non_json_error_keeps_the_status() -> None:
    error = GraphError.from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert error.code is None and error.http_status == 502
    assert error.kind is ErrorKind.RETRYABLE


def test_webhook_error_object_and_maintenance_hint() -> None:
    webhook_error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "More than 24 hours have passed"},
    }
    error = GraphError.from_error_object(webhook_error)
    assert error.kind is ErrorKind.WINDOW_CLOSED and error.http_status is None
    assert error.details == "More than 24 hours have passed"
    maintenance = GraphError.from_error_object({"code": 131057, "message": "(#131057) Maint"})
    assert maintenance.retry_after == 60.0 and maintenance.is_retryable


def test_pair_rate_limit_backoff_is_powers_of_four() -> None:
    assert [pair_rate_limit_backoff(x) for x in range(4)] == [1.0, 4.0, 16.0, 64.0]
