"""Per-host politeness: a concurrency limit, a request rate, and a bounded budget for 429 waits.

One `HostGate` per host key (host, or host:port). Every request, first try or retry, passes
through its host's gate, so limits hold across redirects and retries alike.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from handbook.linkcheck.settings import HostLimits, Settings


class HostGate:
    def __init__(self, limits: HostLimits, retry_after_cap: float, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.interval = 1.0 / limits.rate if limits.rate > 0 else 0.0
        self.cap = retry_after_cap
        self.clock = clock
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._next_start = 0.0  # earliest start of the next request (rate limit)
        self.paused_until = 0.0  # set from Retry-After: the whole host waits, not only one request
        self.waited = 0.0  # seconds of Retry-After pauses granted so far
        self.exhausted = False  # the 429 budget is spent: stop asking this host
        self.head_refused = False  # the host answered HEAD with 405/501: go straight to GET
        self.requests = 0  # requests sent, counted by the fetcher

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's concurrent slots, started no sooner than the rate and pauses allow."""
        async with self._slots:
            while True:
                now = self.clock()
                start = max(now, self._next_start, self.paused_until)
                self._next_start = start + self.interval  # reserve: waiting requests queue, not bunch
                if start <= now:
                    break
                await asyncio.sleep(start - now)
                if self.clock() >= self.paused_until - 0.01:  # no new pause began while asleep
                    break
            yield

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
