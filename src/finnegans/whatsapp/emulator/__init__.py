"""A fake of Meta's WhatsApp Cloud API that behaves like Meta (DESIGN.md §5).

emulator = Emulator(http=httpx.AsyncClient(transport=httpx.ASGITransport(app=platform)))
number = emulator.add_number(webhook_url="http://platform/webhook", app_secret="s")
graph = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.graph_app),
                          base_url="http://graph.emulator")
wamid = await emulator.customer_sends(number.phone_number_id, "16505551234", text("hi"))
await emulator.drain()
"""

from finnegans.whatsapp.emulator import customers as inbound
from finnegans.whatsapp.emulator.customers import InboundMessage, MediaBlob
from finnegans.whatsapp.emulator.emulator import Emulator
from finnegans.whatsapp.emulator.errors import GraphApiError
from finnegans.whatsapp.emulator.faults import Faults
from finnegans.whatsapp.emulator.standalone import create_standalone_app, run
from finnegans.whatsapp.emulator.state import BusinessNumber, Customer, LoggedMessage, Template
from finnegans.whatsapp.emulator.webhooks import DeliveryAttempt

__all__ = [
    "BusinessNumber",
    "Customer",
    "DeliveryAttempt",
    "Emulator",
    "Faults",
    "GraphApiError",
    "InboundMessage",
    "LoggedMessage",
    "MediaBlob",
    "Template",
    "create_standalone_app",
    "inbound",
    "run",
]
