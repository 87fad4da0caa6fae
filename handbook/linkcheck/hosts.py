"""Per-host politeness: a concurrency limit, a request rate, and a bounded budget for 429 waits.

One `HostGate` per host key (host, or host:port). Every request, first try or retry, passes
through its host's gate, so limits hold across redirects and retries alike. The rate is kept in
two steps: `slot()` books each request a start on a fixed grid (request i at first + i/rate,
re-anchored when the host idles, so no burst builds up) before it takes a connection, and
`at_wire()`, called just before the request's first byte is written, holds the moments requests
really leave (which a new connection or a busy event loop delays) to the same kind of grid: no
request leaves before its place on it. A request that leaves late by up to `SLACK` of the interval
keeps the grid where it was: timers wake a millisecond or two late, and were each request timed
from the previous one's real start, every such delay would push all later ones back (0.2-0.4 s
over 50 requests at 5/s). One later than that moves the grid to itself, so nothing catches up in
a burst. Two requests thus never leave closer than the interval less the slack.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from handbook.linkcheck.settings import HostLimits, Settings

SLACK = 0.1  # share of the interval a request may leave late without moving the grid (20 ms at 5/s)
MAX_SLACK = 0.02  # seconds, at most: a few timer wake-ups' worth, whatever the rate


class HostGate:
    def __init__(self, limits: HostLimits, retry_after_cap: float, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.interval = 1.0 / limits.rate if limits.rate > 0 else 0.0
        self.slack = min(self.interval * SLACK, MAX_SLACK)
        self.cap = retry_after_cap
        self.clock = clock
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._booked = -1e9  # start booked for the latest request (grid of `interval`)
        self._wire = asyncio.Lock()
        self._next_wire = -1e9  # earliest moment the next request may leave (grid of `interval`)
        self.paused_until = 0.0  # set from Retry-After: the whole host waits, not only one request
        self.waited = 0.0  # seconds of Retry-After pauses granted so far
        self.exhausted = False  # the 429 budget is spent: stop asking this host
        self.head_refused = False  # the host answered HEAD with 405/501: go straight to GET
        self.failures = 0  # tries in a row that got no answer at all (timeouts, refused, reset)
        self.requests = 0  # requests sent, counted by the fetcher

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's concurrent slots, from a start the rate and any pause allow."""
        async with self._slots:
            while True:
                now = self.clock()
                start = max(now, self._booked + self.interval, self.paused_until)
                self._booked = start  # book it, so requests waiting behind queue up on the grid
                if start <= now:
                    break
                await asyncio.sleep(start - now)
                if self.clock() >= self.paused_until - 0.005:  # no pause began while asleep
                    break
            yield

    async def at_wire(self) -> None:
        """Wait, if need be, until this request's place on the grid of real departures."""
        if not self.interval:
            return
        async with self._wire:
            now = self.clock()
            if self._next_wire > now:
                await asyncio.sleep(self._next_wire - now)
            sent = max(self._next_wire, self.clock())  # when it really leaves
            late = sent - self._next_wire
            self._next_wire = (self._next_wire if late <= self.slack else sent) + self.interval

    def pause(self, seconds: float) -> bool:
        """Pause the host for `seconds` (a Retry-After); False when that would pass the per-host cap."""
        now = self.clock()
        end = now + max(0.0, seconds)
        extra = max(0.0, end - max(self.paused_until, now))  # overlapping pauses count once
        if self.waited + extra > self.cap:
            self.exhausted = True
            return False
        self.waited += extra
        self.paused_until = max(self.paused_until, end)
        return True


class Hosts:
    """The gates of one run, created on first use."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.clock = clock
        self.gates: dict[str, HostGate] = {}

    def gate(self, host: str) -> HostGate:
        if host not in self.gates:
            limits = self.settings.limits_for(host)
            self.gates[host] = HostGate(limits, self.settings.retry_after_cap, self.clock)
        return self.gates[host]

    @property
    def requests(self) -> int:
        return sum(g.requests for g in self.gates.values())
