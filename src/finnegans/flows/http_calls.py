"""HTTP calls made by flow nodes, refused when they aim at private addresses.

A flow author could otherwise point an `http` node at the server's own network (cloud metadata
at 169.254.169.254, the database, an admin port). The host is resolved once, every address is
checked, and the connection goes to the checked address (the Host header and TLS name stay the
original), so a DNS answer cannot change between the check and the call. Redirects are not
followed: a 3xx takes the node's `error` exit like any other non-2xx answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import httpx

from finnegans.flows.engine import HttpCall, HttpResponse

MAX_RESPONSE_BYTES = 1024 * 1024


class AddressRefused(Exception):
    pass


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _pinned_address(host: str, port: int) -> str:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise AddressRefused(f"cannot resolve {host}: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise AddressRefused(f"cannot resolve {host}")
    for address in addresses:
        if not _is_public(address):
            raise AddressRefused(
                f"{host} resolves to {address}, a private address "
                "(set FLOW_HTTP_ALLOW_PRIVATE=true to allow it)"
            )
    return addresses[0]


async def perform(call: HttpCall, *, allow_private: bool) -> HttpResponse:
    """Run the node's request; never raises (failures become an `error` response)."""
    parts = urlsplit(call.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return HttpResponse(status=None, body=None, error=f"not an http(s) URL: {call.url!r}")
    url = call.url
    headers = dict(call.headers)
    extensions: dict[str, str] = {}
    if not allow_private:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = await _pinned_address(parts.hostname, port)
        except (AddressRefused, ValueError) as exc:
            return HttpResponse(status=None, body=None, error=str(exc))
        literal = f"[{address}]" if ":" in address else address
        url = urlunsplit(parts._replace(netloc=f"{literal}:{port}"))
        headers.setdefault("Host", parts.netloc.rsplit("@", 1)[-1])
        if parts.scheme == "https":
            extensions["sni_hostname"] = parts.hostname
    if call.body is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    try:
        async with httpx.AsyncClient(timeout=call.timeout_seconds, follow_redirects=False) as http:
            request = http.build_request(
                call.method,
                url,
                headers=headers,
                content=call.body.encode("utf-8") if call.body is not None else None,
                extensions=extensions,
            )
            response = await http.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        return HttpResponse(
                            status=response.status_code, body=None,
                            error=f"response larger than {MAX_RESPONSE_BYTES} bytes",
                        )  # fmt: skip
                    chunks.append(chunk)
            finally:
                await response.aclose()
    except httpx.TimeoutException:
        return HttpResponse(
            status=None, body=None, error=f"timed out after {call.timeout_seconds} s"
        )
    except httpx.HTTPError as exc:
        return HttpResponse(status=None, body=None, error=f"{exc.__class__.__name__}: {exc}")
    body = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
    return HttpResponse(status=response.status_code, body=body)
