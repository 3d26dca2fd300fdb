"""GraphClient against a respx-faked Graph API: requests, parsing, retries, unknown outcomes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx
import stamina

from finnegans.whatsapp.graph import (
    ErrorKind,
    GraphClient,
    GraphError,
    GraphUnreachable,
    MessageValidationError,
    ReplyButton,
    SendOutcomeUnknown,
    reply_buttons_message,
)

BASE = "https://graph.test"
ROOT = f"{BASE}/v23.0"
TO = "+16505551234"
WAMID = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"
ACCEPTED = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": TO, "wa_id": "16505551234"}],
    "messages": [{"id": WAMID}],
}


def graph_error(code: int, status: int = 400, message: str = "error") -> httpx.Response:
    body = {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "trace",
        }
    }
    return httpx.Response(status, json=body)


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    # No real waiting, but up to 4 attempts so retries are observable.
    with stamina.set_testing(True, attempts=4, cap=True):
        yield


@pytest.fixture
async def router() -> AsyncIterator[respx.MockRouter]:
    # assert_all_mocked (the default) turns any unexpected request into an error: no network.
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def client() -> AsyncIterator[GraphClient]:
    async with httpx.AsyncClient() as http:
        yield GraphClient(
            access_token="secret-token",
            phone_number_id="PNID",
            waba_id="WABA",
            base_url=BASE,
            http_client=http,
        )


async def test_send_text_posts_the_payload_and_parses_the_answer(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").respond(200, json=ACCEPTED)
    result = await client.send_text(TO, "hello", reply_to="wamid.quoted")
    assert (result.wamid, result.input, result.wa_id) == (WAMID, TO, "16505551234")
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {"preview_url": False, "body": "hello"},
        "context": {"message_id": "wamid.quoted"},
    }


async def test_template_send_reports_pacing_status(
    router: respx.MockRouter, client: GraphClient
) -> None:
    answer = {**ACCEPTED, "messages": [{"id": WAMID, "message_status": "accepted"}]}
    router.post(f"{ROOT}/PNID/messages").respond(200, json=answer)
    result = await client.send_template(TO, "hello_world", "en_US")
    assert result.message_status == "accepted"


async def test_invalid_messages_are_refused_before_any_request(
    router: respx.MockRouter, client: GraphClient
) -> None:
    router.post(f"{ROOT}/PNID/messages").respond(200, json=ACCEPTED)
    buttons = [ReplyButton(f"b{i}", f"Button {i}") for i in range(4)]
    with pytest.raises(MessageValidationError, match=r"at most 3 reply buttons \(got 4\)"):
        await client.send(reply_buttons_message(TO, "Pick one", buttons))
    with pytest.raises(MessageValidationError, match=r"text\.body: at most 4096"):
        await client.send_text(TO, "x" * 4097)
    assert router.calls.call_count == 0


async def test_throughput_limit_is_retried_then_succeeds(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(
        side_effect=[graph_error(130429), graph_error(130429), httpx.Response(200, json=ACCEPTED)]
    )
    retries: list[int] = []
    stamina.instrumentation.set_on_retry_hooks([lambda details: retries.append(details.retry_num)])
    try:
        result = await client.send_text(TO, "hello")
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert result.wamid == WAMID
    assert route.call_count == 3
    assert retries == [1, 2]


async def test_invalid_parameter_is_not_retried(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(
        return_value=graph_error(100, message="Invalid")
    )
    with pytest.raises(GraphError) as caught:
        await client.send_text(TO, "hello")
    assert caught.value.kind is ErrorKind.TERMINAL and caught.value.code == 100
    assert route.call_count == 1


async def test_expired_token_is_token_invalid(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(return_value=graph_error(190, 401))
    with pytest.raises(GraphError) as caught:
        await client.send_text(TO, "hello")
    assert caught.value.kind is ErrorKind.TOKEN_INVALID
    assert route.call_count == 1


async def test_timeout_on_send_is_an_unknown_outcome_and_not_repeated(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(SendOutcomeUnknown) as caught:
        await client.send_text(TO, "hello")
    assert caught.value.operation == "send"
    assert route.call_count == 1


async def test_connection_refused_on_send_is_retried_because_nothing_was_sent(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=ACCEPTED)]
    )
    assert (await client.send_text(TO, "hello")).wamid == WAMID
    assert route.call_count == 2


async def test_unreachable_after_retries(router: respx.MockRouter, client: GraphClient) -> None:
    route = router.get(f"{ROOT}/PNID").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(GraphUnreachable):
        await client.phone_number_details()
    assert route.call_count == 4


async def test_success_without_wamid_is_an_unknown_outcome(
    router: respx.MockRouter, client: GraphClient
) -> None:
    router.post(f"{ROOT}/PNID/messages").respond(200, json={"messaging_product": "whatsapp"})
    with pytest.raises(SendOutcomeUnknown):
        await client.send_text(TO, "hello")


async def test_code_1_is_retried_only_once(router: respx.MockRouter, client: GraphClient) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(return_value=graph_error(1))
    with pytest.raises(GraphError):
        await client.send_text(TO, "hello")
    assert route.call_count == 2


async def test_long_server_suggested_wait_is_left_to_the_caller(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(return_value=graph_error(131057))
    with pytest.raises(GraphError) as caught:
        await client.send_text(TO, "hello")
    assert caught.value.retry_after == 60.0 and caught.value.is_retryable
    assert route.call_count == 1


async def test_pair_rate_limit_is_not_retried_inline(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").mock(return_value=graph_error(131056))
    with pytest.raises(GraphError) as caught:
        await client.send_text(TO, "hello")
    assert caught.value.kind is ErrorKind.PER_RECIPIENT
    assert route.call_count == 1


async def test_read_timeout_on_a_read_is_retried(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.get(f"{ROOT}/MEDIA1").mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.Response(
                200,
                json={
                    "messaging_product": "whatsapp",
                    "url": "https://lookaside.test/whatsapp_business/attachments/?mid=1",
                    "mime_type": "image/jpeg",
                    "sha256": "abc",
                    "file_size": "303833",
                    "id": "MEDIA1",
                },
            ),
        ]
    )
    info = await client.get_media_url("MEDIA1")
    url, mime_type, sha256, file_size, _ = info
    assert (mime_type, sha256, file_size) == ("image/jpeg", "abc", 303833)
    assert url.startswith("https://lookaside.test/")
    assert route.call_count == 2
    assert route.calls.last.request.url.params["phone_number_id"] == "PNID"


async def test_mark_as_read_with_typing_indicator(
    router: respx.MockRouter, client: GraphClient
) -> None:
    route = router.post(f"{ROOT}/PNID/messages").respond(200, json={"success": True})
    await client.mark_as_read(WAMID, typing_indicator=True)
    assert json.loads(route.calls.last.request.content) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
        "typing_indicator": {"type": "text"},
    }


async def test_upload_and_download_media(router: respx.MockRouter, client: GraphClient) -> None:
    upload = router.post(f"{ROOT}/PNID/media").respond(200, json={"id": "1037543291543636"})
    assert await client.upload_media(b"\x89PNG...", "image/png", "pic.png") == "1037543291543636"
    sent = upload.calls.last.request
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="messaging_product"' in sent.content and b"whatsapp" in sent.content
    assert b'filename="pic.png"' in sent.content and b"\x89PNG..." in sent.content

    download = router.get("https://lookaside.test/media?mid=1").respond(
        200, content=b"binary", headers={"Content-Type": "image/png"}
    )
    assert await client.download_media("https://lookaside.test/media?mid=1") == b"binary"
    assert download.calls.last.request.headers["Authorization"] == "Bearer secret-token"


async def test_expired_media_url_is_a_terminal_404(
    router: respx.MockRouter, client: GraphClient
) -> None:
    router.get("https://lookaside.test/gone").respond(404, text="Not Found")
    with pytest.raises(GraphError) as caught:
        await client.download_media("https://lookaside.test/gone")
    assert caught.value.http_status == 404 and caught.value.kind is ErrorKind.TERMINAL


async def test_list_templates_follows_pages(router: respx.MockRouter, client: GraphClient) -> None:
    route = router.get(f"{ROOT}/WABA/message_templates").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "data": [{"name": "a", "status": "APPROVED"}],
                    "paging": {"cursors": {"before": "B1", "after": "A1"}, "next": "https://x"},
                },
            ),
            httpx.Response(
                200,
                json={
                    "data": [{"name": "b", "status": "PENDING"}],
                    "paging": {"cursors": {"before": "B2", "after": "A2"}},
                },
            ),
        ]
    )
    templates = await client.list_templates()
    assert [t["name"] for t in templates] == ["a", "b"]
    assert "after" not in route.calls[0].request.url.params
    assert route.calls[1].request.url.params["after"] == "A1"


async def test_create_and_delete_template(router: respx.MockRouter, client: GraphClient) -> None:
    create = router.post(f"{ROOT}/WABA/message_templates").respond(
        200, json={"id": "1689556908129832", "status": "PENDING", "category": "UTILITY"}
    )
    components = [{"type": "BODY", "text": "Hello {{1}}", "example": {"body_text": [["Ann"]]}}]
    created = await client.create_template("greeting", "en", "UTILITY", components)
    assert created.id == "1689556908129832" and created.status == "PENDING"
    assert json.loads(create.calls.last.request.content) == {
        "name": "greeting",
        "language": "en",
        "category": "UTILITY",
        "components": components,
    }
    delete = router.delete(f"{ROOT}/WABA/message_templates").respond(200, json={"success": True})
    assert await client.delete_template("greeting", hsm_id="123") is True
    assert dict(delete.calls.last.request.url.params) == {"name": "greeting", "hsm_id": "123"}


async def test_template_calls_need_a_waba_id(router: respx.MockRouter) -> None:
    async with httpx.AsyncClient() as http:
        client = GraphClient(access_token="t", phone_number_id="PNID", http_client=http)
        with pytest.raises(ValueError, match="waba_id"):
            await client.list_templates()
    assert router.calls.call_count == 0


async def test_phone_number_details_and_register(
    router: respx.MockRouter, client: GraphClient
) -> None:
    router.get(f"{ROOT}/PNID").respond(200, json={"verified_name": "Lucky Shrub", "id": "PNID"})
    assert (await client.phone_number_details())["verified_name"] == "Lucky Shrub"
    register = router.post(f"{ROOT}/PNID/register").respond(200, json={"success": True})
    assert await client.register_phone("123456") is True
    assert json.loads(register.calls.last.request.content) == {
        "messaging_product": "whatsapp",
        "pin": "123456",
    }
    with pytest.raises(ValueError, match="six digits"):
        await client.register_phone("12")


async def test_sends_wait_for_the_send_budget_on_every_attempt(router: respx.MockRouter) -> None:
    class RecordingBudget:
        number_window_seconds = 1.0

        def __init__(self) -> None:
            self.calls: list[tuple[str, int]] = []

        async def acquire(
            self, account_id: str, rate_per_second: int, window_seconds: float | None = None
        ) -> float:
            self.calls.append((account_id, rate_per_second))
            return 0.0

    router.post(f"{ROOT}/PNID/messages").mock(
        side_effect=[
            graph_error(130429),
            httpx.Response(200, json=ACCEPTED),
            httpx.Response(200, json={"success": True}),
        ]
    )
    budget = RecordingBudget()
    async with httpx.AsyncClient() as http:
        client = GraphClient(
            access_token="t",
            phone_number_id="PNID",
            base_url=BASE,
            http_client=http,
            send_budget=budget,
            send_rate_per_second=20,
        )
        await client.send_text(TO, "hi")
        await client.mark_as_read(WAMID)  # not a message: no budget
    assert budget.calls == [("PNID", 20), ("PNID", 20)]


async def test_owned_http_client_is_closed_and_injected_one_is_not() -> None:
    async with GraphClient(access_token="t", phone_number_id="P") as owned:
        inner = owned._http
    assert inner.is_closed
    async with httpx.AsyncClient() as http:
        async with GraphClient(access_token="t", phone_number_id="P", http_client=http):
            pass
        assert not http.is_closed
