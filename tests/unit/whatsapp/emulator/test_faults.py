from __future__ import annotations

import asyncio

from finnegans.whatsapp.signature import verify

from .conftest import APP_SECRET, CUSTOMER, Env


async def test_automatic_throughput_refuses_the_81st_message_in_a_second(env: Env) -> None:
    env.emulator.open_window(env.number.phone_number_id, CUSTOMER)
    env.emulator.faults.statuses = False
    recipients = [f"1650555{i:04d}" for i in range(81)]
    answers = [await env.send_text("promo", to=to) for to in recipients]
    assert [a.status_code for a in answers[:80]] == [200] * 80
    assert answers[80].status_code == 400
    error = answers[80].json()["error"]
    assert error["code"] == 130429
    assert error["message"] == "(#130429) Rate limit hit"


async def test_throughput_window_slides(env: Env) -> None:
    env.number.throughput_mps = 2
    env.emulator.faults.statuses = False
    assert (await env.send_text()).status_code == 200
    assert (await env.send_text()).status_code == 200
    assert (await env.send_text()).json()["error"]["code"] == 130429
    await asyncio.sleep(1.05)
    assert (await env.send_text()).status_code == 200


async def test_random_throughput_errors_and_5xx(env: Env) -> None:
    env.emulator.faults.throughput_error_rate = 1.0
    assert (await env.send_text()).json()["error"]["code"] == 130429
    env.emulator.faults.throughput_error_rate = 0.0
    env.emulator.faults.server_error_rate = 1.0
    response = await env.send_text()
    assert response.status_code == 500
    assert response.json()["error"]["code"] == 131000


async def test_pair_rate_limit(env: Env) -> None:
    env.emulator.faults.pair_rate_limit = True
    env.emulator.faults.pair_rate_burst = 2
    env.emulator.faults.statuses = False
    assert (await env.send_text()).status_code == 200
    assert (await env.send_text()).status_code == 200
    assert (await env.send_text()).json()["error"]["code"] == 131056
    assert (await env.send_text(to="16505550000")).status_code == 200


async def test_expired_token_mode(env: Env) -> None:
    env.emulator.faults.token_expired = True
    response = await env.send_text()
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 190 and error["error_subcode"] == 463
    env.emulator.faults.token_expired = False
    assert (await env.send_text()).status_code == 200


async def test_latency_and_hang(env: Env) -> None:
    env.emulator.faults.latency_seconds = 0.05
    loop = asyncio.get_running_loop()
    start = loop.time()
    await env.send_text()
    assert loop.time() - start >= 0.05
    env.emulator.faults.latency_seconds = 0
    env.emulator.faults.timeout_rate = 1.0
    env.emulator.faults.timeout_seconds = 5
    try:
        async with asyncio.timeout(0.2):
            await env.send_text()
        raise AssertionError("the request should hang")
    except TimeoutError:
        pass


async def test_duplicate_webhook_copies(env: Env) -> None:
    env.emulator.faults.webhook_copies = 3
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "once")
    await env.emulator.drain()
    bodies = [r.body for r in env.platform.received]
    assert len(bodies) == 3 and len(set(bodies)) == 1
    env.platform.received.clear()
    env.emulator.faults.webhook_copies_concurrent = True
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "again")
    await env.emulator.drain()
    assert len({r.body for r in env.platform.received}) == 1
    assert len(env.platform.received) == 3


async def test_bad_and_missing_signature(env: Env) -> None:
    env.emulator.faults.webhook_signature = "bad"
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "x")
    await env.emulator.drain()
    bad = env.platform.received[-1]
    assert bad.signature is not None and not bad.valid
    env.emulator.faults.webhook_signature = "missing"
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "y")
    await env.emulator.drain()
    missing = env.platform.received[-1]
    assert missing.signature is None and not verify(missing.body, None, APP_SECRET)


async def test_retries_on_non_200_resend_identical_bytes(env: Env) -> None:
    env.platform.fail_next = 2
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "retry me")
    await env.emulator.drain()
    assert len(env.platform.received) == 3
    assert len({r.body for r in env.platform.received}) == 1
    assert [a.status_code for a in env.emulator.attempts] == [500, 500, 200]
    assert [a.attempt for a in env.emulator.attempts] == [1, 2, 3]


async def test_failed_statuses_on_demand(env: Env) -> None:
    env.emulator.open_window(env.number.phone_number_id, CUSTOMER)
    env.emulator.faults.async_failure_code = 131049
    await env.send_text()
    await env.emulator.drain()
    (failed,) = env.platform.statuses()
    assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131049
    env.emulator.faults.async_failure_code = None
    env.platform.received.clear()
    wamid = (await env.send_text()).json()["messages"][0]["id"]
    await env.emulator.drain()
    env.emulator.fail_message(wamid, 131026)
    env.emulator.send_value_error(env.number.phone_number_id)
    await env.emulator.drain()
    assert env.platform.statuses()[-1]["errors"][0]["code"] == 131026
    assert env.platform.received[-1].value["errors"][0]["code"] == 130429
