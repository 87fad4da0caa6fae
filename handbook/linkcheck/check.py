"""Check every external URL of a book once: collect, consult the cache, probe the network, fetch, report.

Pages are fetched once each (URLs that differ only in their fragment share one request); every URL
as written gets its own result, with every place it appears. `check_external` runs its own event
loop when called from synchronous code. The network side (asyncio, httpx: most of the start-up
time) is imported only when something is left to fetch: a run the cache answers needs none of it.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlsplit

from handbook.linkcheck.cache import LinkCache
from handbook.linkcheck.collect import Address, collect, document_url, forbidden, fragment, host_key, malformed
from handbook.linkcheck.report import LinkReport, Result
from handbook.linkcheck.settings import Settings

if TYPE_CHECKING:
    import httpx

    from handbook.linkcheck.fetch import Fetched
    from handbook.linkcheck.hosts import Hosts

Probe = Callable[[list[str]], Awaitable[str | None]]
Progress = Callable[[str], None]


def check_external(book: Any, cache_path: Path | None = None, use_cache: bool = True,
                   progress: Progress | None = None, *, settings: Settings | None = None,
                   transport: httpx.AsyncBaseTransport | None = None, probe: Probe | None = None,
                   allow_private: bool = False) -> LinkReport:
    """Check the book's external links. `settings` replaces the book's own (tests); `transport`
    goes to httpx; `probe(urls)` returns why the network is unreachable, or None (default:
    `network.unreachable`; none behind a proxy or with an injected transport); `allow_private`
    lets loopback, private and link-local addresses be requested (they are skipped otherwise)."""
    settings = settings or book.config.linkcheck
    if allow_private:
        settings = settings.override(allow_private=True)
    run = _Run(book, cache_path, use_cache, progress, settings)
    try:
        if run.todo:
            import asyncio

            fetch = run.fetch(transport, probe)
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                asyncio.run(fetch)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(1) as pool:  # called from async code: a loop of our own, in a thread
                    pool.submit(asyncio.run, fetch).result()
        return run.finish()
    finally:
        run.close()


class _Run:
    """One check: the results known before any request (skipped, malformed, cached), what is left
    to fetch (`todo`), and the cache, open from the lookup until the new results are stored."""

    def __init__(self, book: Any, cache_path: Path | None, use_cache: bool, progress: Progress | None,
                 settings: Settings):
        self.settings, self.cache_path, self.progress = settings, cache_path, progress
        self.started = time.monotonic()
        self.targets = collect(book)
        self.results: dict[str, Result] = {}
        self.fresh: dict[str, Result] = {}  # fetched in this run
        self.report = LinkReport()
        self.todo: list[Address] = []
        for target in self.targets:
            if target.scheme not in ("http", "https"):
                self.results[target.url] = _result(target, "skipped",
                                                   detail=f"{target.scheme or 'relative'} link, not checked")
            elif problem := malformed(target.url):
                self.results[target.url] = _result(target, "broken", detail=problem)
            elif settings.skips(target.url):
                self.results[target.url] = _result(target, "skipped", detail="matches a linkcheck.skip pattern")
            elif not settings.allow_private and _literal_private(target.url):
                self.results[target.url] = _result(target, "skipped", detail="a private, loopback or link-local "
                                                   "address: not requested (--allow-private)")
            else:
                self.todo.append(target)
        self.cache = None
        if cache_path:
            try:
                self.cache = LinkCache(cache_path, settings.cache_max_age, settings.cache_jitter)
            except (OSError, sqlite3.Error) as exc:  # the cache only saves time: check without it
                self.report.notes.append(f"link cache {cache_path} not used: {exc}")
        if self.cache is not None and use_cache:
            try:
                known = self.cache.get(t.url for t in self.todo)
            except sqlite3.Error as exc:  # damaged past what opening it shows: check without it
                known = {}
                self.report.notes.append(f"link cache {cache_path} not used: {exc}")
            for target in self.todo:
                if entry := known.get(target.url):
                    self.results[target.url] = _result(target, entry.outcome, entry.status, entry.final_url,
                                                       entry.detail, cached=True)
            self.todo = [t for t in self.todo if t.url not in known]

    async def fetch(self, transport: httpx.AsyncBaseTransport | None, probe: Probe | None) -> None:
        """Probe the network, then fetch every page left to do, each host within its limits."""
        from handbook.linkcheck.hosts import Hosts

        if probe is None and transport is None:  # an injected transport is not the network: no probe
            probe = _default_probe
        if self.progress:
            self.progress(f"checking {len(self.todo)} URLs ({len(self.targets) - len(self.todo)} skipped or cached)")
        self.report.unreachable = await probe([t.url for t in self.todo]) if probe else None
        if self.report.unreachable:
            for target in self.todo:
                self.results[target.url] = _result(target, "unchecked", detail=self.report.unreachable)
            return
        hosts = Hosts(self.settings)
        self.fresh = await _check_all(self.todo, self.settings, hosts, transport, self.progress)
        self.results.update(self.fresh)
        self.report.requests = hosts.requests
        self.report.requests_by_host = {h: g.requests for h, g in hosts.gates.items()}

    def finish(self) -> LinkReport:
        """Store what this run learnt, and the report of every URL in the order of the book."""
        if self.cache is not None and self.fresh:
            try:
                self.cache.put((r.url, r.outcome, r.status, r.final_url, r.detail) for r in self.fresh.values())
            except sqlite3.Error as exc:  # e.g. locked by another run: this run's results stand
                self.report.notes.append(f"link cache {self.cache_path} not updated: {exc}")
        self.report.results = [self.results[t.url] for t in self.targets]
        self.report.seconds = time.monotonic() - self.started
        return self.report

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
            self.cache = None


async def _default_probe(urls: list[str]) -> str | None:
    import urllib.request  # only for its proxy settings; a heavy import for every run otherwise

    from handbook.linkcheck import network

    proxies = urllib.request.getproxies()
    if any(k in proxies for k in ("http", "https", "all")):
        return None  # behind a proxy, direct lookups say nothing; let the requests tell
    return await network.unreachable(urls)


def _result(target: Address, outcome: str, status: int | None = None, final_url: str = "",
            detail: str = "", cached: bool = False) -> Result:
    return Result(target.url, outcome, status, final_url or target.url, detail, tuple(target.places), cached)


def _wants_ids(settings: Settings, targets: list[Address]) -> bool:
    return settings.anchors and any(_checkable(settings, fragment(t.url)) for t in targets)


def _checkable(settings: Settings, frag: str) -> bool:
    return bool(frag) and not any(p.search(frag) for p in settings.anchors_ignore)


async def _check_all(todo: list[Address], settings: Settings, hosts: Hosts, transport: httpx.AsyncBaseTransport | None,
                     progress: Progress | None) -> dict[str, Result]:
    import asyncio

    from handbook.linkcheck.fetch import Clients, Fetcher

    pages: dict[str, list[Address]] = defaultdict(list)
    for target in todo:
        pages[document_url(target.url)].append(target)
    results: dict[str, Result] = {}
    clients = Clients(settings, transport)
    try:
        fetcher = Fetcher(clients, settings, hosts)

        async def one(page: str, targets: list[Address]) -> None:
            fetched = await fetcher.fetch(page, want_ids=_wants_ids(settings, targets))
            for target in targets:
                results[target.url] = _with_fragment(settings, target, fetched)
                if progress:
                    progress(f"[{len(results)}/{len(todo)}] {results[target.url].outcome}: {target.url}")

        # Pages of one host queue at its gate; other hosts proceed meanwhile.
        await asyncio.gather(*(one(page, targets) for page, targets in _interleave(pages)))
    finally:
        await clients.aclose()
    return results


def _interleave(pages: dict[str, list[Address]]) -> list[tuple[str, list[Address]]]:
    """Round-robin over hosts, so no host's queue holds back the start of the others."""
    by_host: dict[str, list[tuple[str, list[Address]]]] = defaultdict(list)
    for page, targets in pages.items():
        by_host[host_key(page)].append((page, targets))
    queues = list(by_host.values())
    order = []
    for i in range(max(map(len, queues), default=0)):
        order += [q[i] for q in queues if i < len(q)]
    return order


def _with_fragment(settings: Settings, target: Address, fetched: Fetched) -> Result:
    outcome, detail = fetched.outcome, fetched.detail
    frag = fragment(target.url)
    if outcome in ("ok", "redirected") and settings.anchors and _checkable(settings, frag):
        if fetched.ids is None:
            kind = fetched.content_type or "unknown type"
            detail = "; ".join(filter(None, [detail, f"fragment not checked ({kind} page)"]))
        elif frag not in fetched.ids and f"user-content-{frag}" not in fetched.ids:  # GitHub prefixes ids
            outcome, detail = "anchor-missing", f"no id or name {frag!r} in the page"
    return _result(target, outcome, fetched.status, fetched.final_url, detail)


def _literal_private(url: str) -> bool:
    """A URL whose host is written as a non-public address (or "localhost"): known without DNS."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return forbidden(host)
    except ValueError:
        return False
