"""Load-test a deployed Finnegans webhook with Locust: signed, Meta-shaped inbound messages.

Each simulated Meta delivery is one inbound text message from one of 500 customers, built by
the same code as bench/webhook_ingest.py (Meta's exact wire JSON) and signed with
`X-Hub-Signature-256` (HMAC-SHA256 of the raw bytes with the app secret). Every message id is
unique across users and Locust workers, so the server stores and processes each one.

Configuration (environment variables):

    FINNEGANS_PHONE_NUMBER_ID   the connected number's phone number id (required)
    FINNEGANS_APP_SECRET        that number's app secret (required)
    FINNEGANS_WEBHOOK_PATH      default /webhook
    FINNEGANS_POSTS_PER_USER    POSTs per second per Locust user (default 1): users x this = rate

    pip install -e '.[load]'
    FINNEGANS_PHONE_NUMBER_ID=... FINNEGANS_APP_SECRET=... .venv/bin/locust -f bench/locustfile.py \
        --host https://bot.example.com --headless --users 200 --spawn-rate 50 --run-time 60s

The replies the bot sends go to the Graph API the deployment is configured with: point it at
the emulator (`finnegans emulator`) or use a sandbox number, not a real customer's number.
"""

from __future__ import annotations

import itertools
import os
import uuid

from locust import FastHttpUser, constant_throughput, task
from webhook_ingest import body_for  # same folder: locust -f bench/locustfile.py

from finnegans.whatsapp.signature import SIGNATURE_HEADER, sign


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"{name} is not set: see the top of bench/locustfile.py")
    return value


PHONE_NUMBER_ID = _required("FINNEGANS_PHONE_NUMBER_ID")
APP_SECRET = _required("FINNEGANS_APP_SECRET")
WEBHOOK_PATH = os.environ.get("FINNEGANS_WEBHOOK_PATH", "/webhook")
POSTS_PER_USER = float(os.environ.get("FINNEGANS_POSTS_PER_USER", "1"))

# A run id per process (each Locust worker is one), a counter shared by its users.
_RUN = uuid.uuid4().hex[:12]
_COUNTER = itertools.count()


class MetaWebhook(FastHttpUser):
    """Meta delivering inbound messages: POST, signed, expect 200 quickly."""

    wait_time = constant_throughput(POSTS_PER_USER)

    @task
    def inbound_message(self) -> None:
        body = body_for(PHONE_NUMBER_ID, next(_COUNTER), _RUN)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, APP_SECRET)}
        # Meta's wire JSON is pure ASCII: the text goes out as exactly the bytes signed.
        with self.client.post(
            WEBHOOK_PATH,
            data=body.decode("ascii"),
            headers=headers,
            name="POST webhook",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
