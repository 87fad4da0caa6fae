"""Is there a network at all? A cheap probe before checking, so an offline run says so.

Without it, every link of an offline run would come back "broken". The probe resolves the book's
host names (in parallel, a few seconds at most); when none resolves, or none of the first few
accepts a TCP connection, the network is unreachable. Loopback and literal addresses are never
probed: they say nothing about the internet, and tests run on them.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from handbook.linkcheck.collect import is_local_host

Resolve = Callable[[str, int], Awaitable[object]]
Connect = Callable[[str, int], Awaitable[None]]


async def _resolve(host: str, port: int) -> object:
    return await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)


async def _connect(host: str, port: int) -> None:
    _, writer = await asyncio.open_connection(host, port)
    writer.close()


async def unreachable(urls: list[str], timeout: float = 4.0, resolve: Resolve = _resolve,
                      connect: Connect = _connect, max_hosts: int = 20, max_connects: int = 3) -> str | None:
    """Why the network looks unreachable for `urls`, or None when it looks fine (or cannot be told)."""
    hosts: dict[str, int] = {}
    seen: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        name = (parts.hostname or "").lower()
        if name and name not in seen:  # a book has many URLs per host: judge each host once
            seen.add(name)
            if not is_local_host(name):
                hosts[name] = port
    if not hosts:
        return None
    sample = list(hosts.items())[:max_hosts]

    async def attempt(step: Callable[[str, int], Awaitable[object]], host: str, port: int) -> bool:
        try:
            await asyncio.wait_for(step(host, port), timeout)
            return True
        except (OSError, asyncio.TimeoutError, UnicodeError):
            return False

    resolved = await asyncio.gather(*(attempt(resolve, h, p) for h, p in sample))
    if not any(resolved):
        names = ", ".join(h for h, _ in sample[:3]) + (", ..." if len(sample) > 3 else "")
        return f"network unreachable: none of {len(sample)} host names resolves ({names})"
    # Names resolve (a local resolver may answer offline): can we reach any of a few hosts?
    reachable = [hp for hp, ok in zip(sample, resolved) if ok][:max_connects]
    connected = await asyncio.gather(*(attempt(connect, h, p) for h, p in reachable))
    if not any(connected):
        names = ", ".join(h for h, _ in reachable)
        return f"network unreachable: no connection to any of {names}"
    return None
