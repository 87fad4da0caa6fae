"""Fetch one page politely and say what became of it: HEAD then GET, retries, redirects, bot walls.

`Fetcher.fetch(url, want_ids)` returns a `Fetched`: the page's outcome before any fragment is
looked at (ok, redirected, broken, unverifiable, timeout), and the ids of the final page when asked.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urljoin

import httpx

from handbook.linkcheck import pages, private
from handbook.linkcheck.clients import Clients
from handbook.linkcheck.collect import document_url, host_key
from handbook.linkcheck.hosts import Hosts
from handbook.linkcheck.settings import Settings

REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}


@dataclass
class Fetched:
    outcome: str
    status: int | None
    final_url: str
    detail: str = ""
    ids: frozenset[str] | None = None  # None: not read (not HTML, or not asked for)
    content_type: str = ""
    chain: list[tuple[int, str]] = field(default_factory=list)  # (status, next URL) per redirect


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    method: str  # the one sent: HEAD turns into GET once the host is known to refuse HEAD
    ids: frozenset[str] | None = None


class _Final(Exception):
    """Ends a fetch early with an outcome that needs no further request."""

    def __init__(self, outcome: str, detail: str, status: int | None = None):
        super().__init__(detail)
        self.outcome, self.detail, self.status = outcome, detail, status


def _reason(status: int) -> str:
    try:
        return f"{status} {httpx.codes(status).phrase}"
    except ValueError:
        return str(status)


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta or HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def bot_wall(status: int, headers: httpx.Headers) -> str | None:
    """A CDN challenge or bot block: the page may well exist, but a program cannot tell."""
    server = headers.get("server", "").lower()
    if status == 999:
        return "999: the site refuses automated visits (LinkedIn-style bot wall)"
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return f"{status}: Cloudflare challenge page"
    if status in (403, 503) and "cloudflare" in server:
        return f"{status}: Cloudflare bot protection"
    if status == 403 and "akamaighost" in server:
        return "403: Akamai bot protection"
    if status in (403, 405) and ("x-datadome" in headers or "x-amzn-waf-action" in headers):
        return f"{status}: bot protection (DataDome/AWS WAF)"
    return None


def _tls_failure(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in str(exc)[:40]:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _dns_failure(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("name or service not known", "nodename nor servname", "no address associated",
                                   "temporary failure in name resolution", "getaddrinfo failed"))


class Fetcher:
    def __init__(self, clients: Clients, settings: Settings, hosts: Hosts,
                 rng: Callable[[], float] = random.random):
        self.clients, self.settings, self.hosts, self.rng = clients, settings, hosts, rng

    async def fetch(self, url: str, want_ids: bool = False) -> Fetched:
        chain: list[tuple[int, str]] = []
        current = document_url(url)
        method = "GET" if want_ids else "HEAD"
        seen = [current]
        try:
            while True:
                if not self.settings.allow_private and (why := await private.refusal(current)):
                    raise _Final("skipped", why)
                answer = await self._request(method, current, want_ids)
                status, method = answer.status, answer.method
                location = answer.headers.get("location")
                if status in REDIRECTS and location:
                    nxt = document_url(urljoin(current, location.strip()))
                    chain.append((status, nxt))
                    # Back to a page already seen is a loop, unless a cookie was just set (a cookie check).
                    if nxt in seen and "set-cookie" not in answer.headers:
                        raise _Final("broken", "redirect loop: " + " -> ".join(seen + [nxt]), status)
                    if len(chain) > self.settings.max_redirects:
                        raise _Final("broken", f"more than {self.settings.max_redirects} redirects", status)
                    seen.append(nxt)
                    current = nxt
                    method = "GET" if status == 303 else method
                    continue
                if (method == "HEAD" and status >= 400 and not self.settings.is_ok_status(status)
                        and not bot_wall(status, answer.headers)):
                    # HEAD is often refused or answered wrongly; the GET answer is the one that counts.
                    if status in (405, 501):
                        self.hosts.gate(host_key(current)).head_refused = True
                    method = "GET"
                    continue
                return self._classify(answer, current, chain)
        except _Final as final:
            return Fetched(final.outcome, final.status, current, final.detail, chain=chain)

    def _classify(self, answer: _Answer, final_url: str, chain: list[tuple[int, str]]) -> Fetched:
        status = answer.status
        ctype = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if self.settings.is_ok_status(status):
            if chain and chain[0][0] in PERMANENT:
                # Follow the leading permanent hops only: a later temporary hop is not the new address.
                new = chain[0][1]
                for hop_status, hop_url in chain:
                    if hop_status not in PERMANENT:
                        break
                    new = hop_url
                detail = f"moved permanently ({chain[0][0]}): update the source to {new}"
                return Fetched("redirected", status, final_url, detail, answer.ids, ctype, chain)
            detail = f"temporary redirect to {final_url}" if chain else ""
            return Fetched("ok", status, final_url, detail, answer.ids, ctype, chain)
        if wall := bot_wall(status, answer.headers):
            return Fetched("unverifiable", status, final_url, wall, chain=chain)
        if status in self.settings.unverifiable:
            detail = f"{_reason(status)}: the server refuses automated checks; check it in a browser"
            return Fetched("unverifiable", status, final_url, detail, chain=chain)
        if status in REDIRECTS:
            return Fetched("broken", status, final_url, f"{_reason(status)} without a Location", chain=chain)
        return Fetched("broken", status, final_url, _reason(status), chain=chain)

    def _backoff(self, attempt: int) -> float:
        return self.settings.backoff * (2 ** attempt) * (0.5 + self.rng())  # jitter spreads retries

    async def _request(self, method: str, url: str, want_ids: bool) -> _Answer:
        """One request with its retries; raises _Final for outcomes that end the fetch."""
        host = host_key(url)
        gate = self.hosts.gate(host)
        timeout = gate.limits.timeout or self.settings.timeout
        retries = self.settings.retries
        attempt = 0
        while True:
            error = ""
            if gate.exhausted:
                raise _Final("unverifiable", f"not asked: {host} kept answering 429 past the "
                             f"{self.settings.retry_after_cap:g} s retry_after_cap")
            try:
                async with gate.slot():
                    if gate.exhausted:
                        continue  # the budget ran out while this request queued
                    gate.requests += 1
                    if gate.head_refused:
                        method = "GET"  # learnt from an earlier page of this host, maybe while queued
                    answer = await self._send(method, url, want_ids, timeout)
            except httpx.TimeoutException:
                error = "timeout"
            except httpx.ConnectError as exc:
                if _tls_failure(exc):
                    raise _Final("unverifiable", f"TLS failure: {exc}") from None
                if _dns_failure(exc):
                    raise _Final("broken", f"host not found: {host}") from None
                error = f"connection failed: {exc or type(exc).__name__}"
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise _Final("broken", f"malformed URL: {exc}") from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                error = f"connection error: {exc or type(exc).__name__}"  # resets, truncated answers
            else:
                gate.failures = 0
                status = answer.status
                if bot_wall(status, answer.headers):
                    return answer  # a challenge does not go away by asking again
                wait = retry_after(answer.headers)
                if status == 429 or (status == 503 and wait is not None):
                    if attempt >= retries:
                        raise _Final("unverifiable", f"still {_reason(status)} after {attempt + 1} tries", status)
                    if not gate.pause(self._backoff(attempt) if wait is None else wait):
                        raise _Final("unverifiable", f"{_reason(status)}: still rate-limited after "
                                     f"{gate.waited:.1f} s of waiting on {host} (retry_after_cap)", status)
                    attempt += 1
                    continue  # the gate holds the retry until the pause ends
                if status >= 500 and method == "GET" and attempt < retries:
                    await asyncio.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                return answer
            # After more failures in a row than one page may retry, the host is taken as down and
            # its pages get no more retries: a dead host should not cost retries x timeout per link.
            gate.failures += 1
            if attempt >= retries or gate.failures > retries:
                tries = f"{attempt + 1} {'try' if attempt == 0 else 'tries'}"
                if error == "timeout":
                    raise _Final("timeout", f"no answer within {timeout:g} s ({tries})")
                raise _Final("broken", f"{error} ({tries})")
            await asyncio.sleep(self._backoff(attempt))
            attempt += 1

    async def _send(self, method: str, url: str, want_ids: bool, timeout: float) -> _Answer:
        gate = self.hosts.gate(host_key(url))

        async def trace(event: str, info: dict) -> None:
            # httpcore calls this just before writing the request: the moment the rate is about.
            if event.endswith("send_request_headers.started"):
                await gate.at_wire()

        client = self.clients(host_key(url), url[:6].lower() == "https:")
        # httpcore awaits the trace at every step of every request: only a rate needs it.
        request = client.build_request(method, url, timeout=httpx.Timeout(timeout, pool=None),
                                       extensions={"trace": trace} if gate.interval else None)
        response = await client.send(request, stream=True)
        try:
            ids = None
            ctype = response.headers.get("content-type", "text/html").lower()
            if want_ids and method == "GET" and response.status_code < 300 and "html" in ctype:
                ids = pages.page_ids(await self._read(response))
            else:
                # Reading a small (or HEAD's empty) body lets the connection be reused; a big one is cheaper to drop.
                length = response.headers.get("content-length", "")
                if method == "HEAD" or (length.isdigit() and int(length) <= 65536):
                    await response.aread()
            return _Answer(response.status_code, response.headers, method, ids)
        finally:
            await response.aclose()

    async def _read(self, response: httpx.Response) -> bytes:
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.settings.max_page_bytes:
                break  # ids past this point are not worth the memory
        return b"".join(chunks)
