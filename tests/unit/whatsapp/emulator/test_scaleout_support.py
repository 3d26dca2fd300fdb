"""What the scale-out stage relies on: webhooks spread over several servers like a load
balancer, and a count of the sends refused with 130429."""

from __future__ import annotations

from .conftest import CUSTOMER, Env


async def test_a_comma_separated_webhook_url_is_served_round_robin(env: Env) -> None:
    # Two "servers" on the same platform app: the URL tells them apart.
    env.number.webhook_url = "http://platform/webhook?server=1, http://platform/webhook?server=2"
    seen: list[str] = []
    original = env.emulator.webhooks.http.post

    async def post(url: str, **kwargs: object) -> object:
        seen.append(url)
        return await original(url, **kwargs)  # type: ignore[arg-type]

    env.emulator.webhooks.http.post = post  # type: ignore[method-assign]
    env.emulator.faults.webhook_copies = 2
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "one")
    await env.emulator.drain()
    # The two copies of one body reach different servers.
    assert sorted(seen) == [
        "http://platform/webhook?server=1",
        "http://platform/webhook?server=2",
    ]
    assert len({r.body for r in env.platform.received}) == 1


async def test_refused_sends_are_counted_per_number(env: Env) -> None:
    env.emulator.open_window(env.number.phone_number_id, CUSTOMER)
    env.emulator.faults.statuses = False
    env.number.throughput_mps = 2
    codes = [(await env.send_text()).status_code for _ in range(5)]
    assert codes == [200, 200, 400, 400, 400]
    counted = (await env.graph.get("/_emulator/throughput")).json()
    assert counted == {env.number.phone_number_id: {"refused_130429": 3}}
