"""Check every external URL of a book once: collect, consult the cache, probe the network, fetch, report.

Pages are fetched once each (URLs that differ only in their fragment share one request); every URL
as written gets its own result, with every place it appears. Runs its own event loop when called
from synchronous code.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx

from handbook.errors import BuildError
from handbook.linkcheck import network
from handbook.linkcheck.cache import LinkCache
from handbook.linkcheck.collect import Target, collect, document_url, fragment, host_key, malformed
from handbook.linkcheck.fetch import Clients, Fetched, Fetcher
from handbook.linkcheck.hosts import Hosts
from handbook.linkcheck.report import LinkReport, Result
from handbook.linkcheck.settings import Settings, load_settings

Probe = Callable[[list[str]], Awaitable[str | None]]


def check_external(book: Any, cache_path: Path | None = None, use_cache: bool = True,
                   progress: Callable[[str], None] | None = None, **options: Any) -> LinkReport:
    """Check the book's external links. Options: settings=, transport=, probe= (see check_external_async)."""
    run = check_external_async(book, cache_path, use_cache, progress, **options)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run)
    with ThreadPoolExecutor(1) as pool:  # called from async code: a loop of our own, in a thread
        return pool.submit(asyncio.run, run).result()


async def check_external_async(book: Any, cache_path: Path | None = None, use_cache: bool = True,
                               progress: Callable[[str], None] | None = None, *,
                               settings: Settings | None = None,
                               transport: httpx.AsyncBaseTransport | None = None,
                               probe: Probe | None = None) -> LinkReport:
    """`settings` replaces the book's own (tests); `transport` goes to httpx; `probe(urls)` returns why
    the network is unreachable, or None (default: `network.unreachable`; none behind a proxy or with
    an injected transport)."""
    if settings is None:
        settings, problems = load_settings(book)
        errors = [d for d in problems if d.is_error]
        if errors:
            raise BuildError(errors)
    started = time.monotonic()
    say = progress or (lambda message: None)
    targets = collect(book)
    results: dict[str, Result] = {}
    todo: list[Target] = []
    for target in targets:
        if target.scheme not in ("http", "https"):
            results[target.url] = _result(target, "skipped", detail=f"{target.scheme or 'relative'} link, not checked")
        elif problem := malformed(target.url):
            results[target.url] = _result(target, "broken", detail=problem)
        elif settings.skips(target.url):
            results[target.url] = _result(target, "skipped", detail="matches a linkcheck.skip pattern")
        else:
            todo.append(target)

    report = LinkReport()
    cache = None
    if cache_path:
        try:
            cache = LinkCache(cache_path, settings.cache_max_age, settings.cache_jitter)
        except (OSError, sqlite3.Error) as exc:  # the cache only saves time: check without it
            report.notes.append(f"link cache {cache_path} not used: {exc}")
    try:
        if cache is not None and use_cache:
            known = cache.get(t.url for t in todo)
            for target in todo:
                if entry := known.get(target.url):
                    results[target.url] = _result(target, entry.outcome, entry.status, entry.final_url,
                                                  entry.detail, cached=True)
            todo = [t for t in todo if t.url not in known]
        if todo:
            if probe is None and transport is None:  # an injected transport is not the network: no probe
                probe = _default_probe
            say(f"checking {len(todo)} URLs ({len(targets) - len(todo)} skipped or cached)")
            report.unreachable = await probe([t.url for t in todo]) if probe else None
            if report.unreachable:
                for target in todo:
                    results[target.url] = _result(target, "unchecked", detail=report.unreachable)
            else:
                hosts = Hosts(settings)
                fresh = await _check_all(todo, settings, hosts, transport, say)
                results.update(fresh)
                report.requests = hosts.requests
                report.requests_by_host = {h: g.requests for h, g in hosts.gates.items()}
                if cache is not None:
                    try:
                        cache.put((r.url, r.outcome, r.status, r.final_url, r.detail) for r in fresh.values())
                    except sqlite3.Error as exc:  # e.g. locked by another run: this run's results stand
                        report.notes.append(f"link cache {cache_path} not updated: {exc}")
    finally:
        if cache is not None:
            cache.close()
    report.results = [results[t.url] for t in targets]
    report.seconds = time.monotonic() - started
    return report


async def _default_probe(urls: list[str]) -> str | None:
    import urllib.request  # only for its proxy settings; a heavy import for every run otherwise

    proxies = urllib.request.getproxies()
    if any(k in proxies for k in ("http", "https", "all")):
        return None  # behind a proxy, direct lookups say nothing; let the requests tell
    return await network.unreachable(urls)


def _result(target: Target, outcome: str, status: int | None = None, final_url: str = "",
            detail: str = "", cached: bool = False) -> Result:
    return Result(target.url, outcome, status, final_url or target.url, detail, tuple(target.places), cached)


def _wants_ids(settings: Settings, targets: list[Target]) -> bool:
    return settings.anchors and any(_checkable(settings, fragment(t.url)) for t in targets)


def _checkable(settings: Settings, frag: str) -> bool:
    return bool(frag) and not any(p.search(frag) for p in settings.anchors_ignore)


async def _check_all(todo: list[Target], settings: Settings, hosts: Hosts,
                     transport: httpx.AsyncBaseTransport | None, say: Callable[[str], None]) -> dict[str, Result]:
    pages: dict[str, list[Target]] = defaultdict(list)
    for target in todo:
        pages[document_url(target.url)].append(target)
    results: dict[str, Result] = {}
    clients = Clients(settings, transport)
    try:
        fetcher = Fetcher(clients, settings, hosts)

        async def one(page: str, targets: list[Target]) -> None:
            fetched = await fetcher.fetch(page, want_ids=_wants_ids(settings, targets))
            for target in targets:
                results[target.url] = _with_fragment(settings, target, fetched)
                say(f"[{len(results)}/{len(todo)}] {results[target.url].outcome}: {target.url}")

        # Pages of one host queue at its gate; other hosts proceed meanwhile.
        await asyncio.gather(*(one(page, targets) for page, targets in _interleave(pages)))
    finally:
        await clients.aclose()
    return results


def _interleave(pages: dict[str, list[Target]]) -> list[tuple[str, list[Target]]]:
    """Round-robin over hosts, so no host's queue holds back the start of the others."""
    by_host: dict[str, list[tuple[str, list[Target]]]] = defaultdict(list)
    for page, targets in pages.items():
        by_host[host_key(page)].append((page, targets))
    queues = list(by_host.values())
    order = []
    for i in range(max(map(len, queues), default=0)):
        order += [q[i] for q in queues if i < len(q)]
    return order


def _with_fragment(settings: Settings, target: Target, fetched: Fetched) -> Result:
    outcome, detail = fetched.outcome, fetched.detail
    frag = fragment(target.url)
    if outcome in ("ok", "redirected") and settings.anchors and _checkable(settings, frag):
        if fetched.ids is None:
            kind = fetched.content_type or "unknown type"
            detail = "; ".join(filter(None, [detail, f"fragment not checked ({kind} page)"]))
        elif frag not in fetched.ids and f"user-content-{frag}" not in fetched.ids:  # GitHub prefixes ids
            outcome, detail = "anchor-missing", f"no id or name {frag!r} in the page"
    return _result(target, outcome, fetched.status, fetched.final_url, detail)
