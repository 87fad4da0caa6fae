"""httpx clients for the external link check: one connection pool per scheme and host, and only
public addresses unless the run allows private ones (`private.PublicOnly`)."""

from __future__ import annotations

import ssl

import httpcore
import httpx

from handbook.linkcheck import private
from handbook.linkcheck.settings import Settings


class Clients:
    """An httpx client (a connection pool) per scheme and host. httpcore's pool scans every connection
    for every waiting request: one pool for all hosts costs more CPU than the checks.

    Only https clients load the CA bundle (20-100 ms, once, shared): a run of http URLs never needs it.
    An http client never speaks TLS to its origin (a redirect to https goes to the https client, and a
    proxy's own TLS has its own context), so it gets a context that verifies against no CA at all:
    were it ever used, the handshake would fail rather than pass unchecked."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings, self.transport = settings, transport
        self.headers = {"User-Agent": settings.user_agent, "Accept-Language": "en-US,en;q=0.8",
                        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
        self.clients: dict[tuple[str, bool], httpx.AsyncClient] = {}
        self.tls: dict[bool, ssl.SSLContext] = {}

    def __call__(self, host: str, secure: bool) -> httpx.AsyncClient:
        key = ("", True) if self.transport is not None else (host, secure)  # an injected transport serves all
        if key not in self.clients:
            verify: ssl.SSLContext | bool = True
            if self.transport is None:
                if secure not in self.tls:
                    self.tls[secure] = httpx.create_ssl_context() if secure else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                verify = self.tls[secure]
            transport = self.transport
            if transport is None and not self.settings.allow_private:
                # Connections go only to public addresses, checked when each is opened.
                transport = httpx.AsyncHTTPTransport(verify=verify)
                transport._pool = httpcore.AsyncConnectionPool(
                    ssl_context=verify, max_connections=None, max_keepalive_connections=16,
                    network_backend=private.PublicOnly())
            self.clients[key] = httpx.AsyncClient(
                transport=transport, verify=verify, headers=self.headers, follow_redirects=False,
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=16),
                timeout=httpx.Timeout(self.settings.timeout, pool=None))
        return self.clients[key]

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
