"""Addresses an external link check never requests unless told to (`--allow-private`): loopback,
private networks (RFC 1918, unique-local), link-local (169.254.0.0/16, where cloud machines answer
metadata requests at 169.254.169.254, and fe80::/10), and every other address that is not public.

A chapter is written by anyone; CI checks its links from inside a network that may hold services
no link should reach. The check is made twice: on the URL's host before each request (each
redirect too), and again when the connection is opened (a host name may resolve differently the
second time), by a network backend that connects only to the public addresses it has checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
from httpcore import AsyncNetworkBackend
from httpcore._backends.auto import AutoBackend

from handbook.linkcheck.collect import forbidden


async def addresses(host: str, port: int) -> list[str]:
    """The addresses `host` stands for: itself when it is one, else what the resolver answers."""
    name = host.strip("[]")
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return [name]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


async def refusal(url: str) -> str | None:
    """Why `url` may not be requested (its host is or resolves to a non-public address), or None.
    A host that does not resolve is left to the request, which reports it."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    host = parts.hostname or ""
    try:
        found = await addresses(host, port)
    except (OSError, UnicodeError):
        return None
    bad = [a for a in found if forbidden(a)]
    if bad:
        return f"{host} is a private, loopback or link-local address ({bad[0]}): not requested (--allow-private)"
    return None


class PublicOnly(AsyncNetworkBackend):
    """httpcore's network backend, connecting only to public addresses, checked at connect time."""

    def __init__(self) -> None:
        self.backend = AutoBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            found = await addresses(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"[Errno -2] Name or service not known: {host} ({exc})") from None
        public = [a for a in found if not forbidden(a)]
        if not public or len(public) != len(found):
            raise httpcore.ConnectError(f"refused: {host} resolves to a non-public address")
        return await self.backend.connect_tcp(public[0], port, timeout=timeout, local_address=local_address,
                                              socket_options=socket_options)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
        raise httpcore.ConnectError("refused: unix sockets are not links")

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)
