"""The outcome of an external link check: one `Result` per URL, a readable summary, JSON, an exit code.

Outcomes: ok, redirected (a permanent redirect: update the source), broken, anchor-missing,
unverifiable (bot wall, rate limit past the cap, TLS failure), timeout, skipped (settings or a
non-web scheme), and unchecked (only when the network is unreachable).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from handbook.linkcheck.collect import Place

FAILING = ("broken", "anchor-missing")  # fail every run
WARNING = ("timeout", "unverifiable")  # fail only a strict run
ORDER = ("broken", "anchor-missing", "timeout", "unverifiable", "redirected", "unchecked", "skipped", "ok")
TITLES = {
    "broken": "Broken", "anchor-missing": "Anchor missing", "timeout": "Timed out",
    "unverifiable": "Unverifiable (check by hand)", "redirected": "Moved permanently (update the source)",
    "unchecked": "Not checked", "skipped": "Skipped", "ok": "OK",
}
EXIT_OK, EXIT_BROKEN, EXIT_UNREACHABLE = 0, 1, 3


@dataclass(frozen=True)
class Result:
    url: str
    outcome: str
    status: int | None
    final_url: str
    detail: str
    places: tuple[Place, ...]
    cached: bool = False

    def record(self) -> dict:
        return {
            "url": self.url, "outcome": self.outcome, "status": self.status, "final_url": self.final_url,
            "places": [{"path": p.path, "line": p.line} for p in self.places],
            "detail": self.detail, "cached": self.cached,
        }


@dataclass
class LinkReport:
    results: list[Result] = field(default_factory=list)
    unreachable: str | None = None  # why the network looks unreachable; nothing was checked then
    requests: int = 0  # HTTP requests sent in this run
    seconds: float = 0.0
    requests_by_host: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # things the editor should know about the run itself

    @property
    def network_unreachable(self) -> bool:
        return self.unreachable is not None

    def by_outcome(self, outcome: str) -> list[Result]:
        return [r for r in self.results if r.outcome == outcome]

    def counts(self) -> dict[str, int]:
        return {o: n for o in ORDER if (n := len(self.by_outcome(o)))}

    def exit_code(self, strict: bool = False) -> int:
        """0 when nothing is broken; 1 when something is (or, with strict, unverifiable/timed out); 3 offline."""
        if self.network_unreachable:
            return EXIT_UNREACHABLE
        failing = FAILING + (WARNING if strict else ())
        return EXIT_BROKEN if any(r.outcome in failing for r in self.results) else EXIT_OK

    def summary(self) -> str:
        places = sum(len(r.places) for r in self.results)
        cached = sum(r.cached for r in self.results)
        counts = ", ".join(f"{n} {o}" for o, n in self.counts().items()) or "nothing to check"
        lines = [f"External links: {len(self.results)} URLs in {places} places: {counts}.",
                 f"({self.requests} requests, {cached} results from the cache, {self.seconds:.1f} s)"]
        lines += [f"note: {note}" for note in self.notes]
        if self.unreachable:
            lines += ["", f"{self.unreachable}: no link was checked; run again with a network."]
        for outcome in ORDER:
            group = self.by_outcome(outcome)
            if not group:
                continue
            lines += ["", f"{TITLES[outcome]} ({len(group)}):"]
            for r in group:
                if outcome in ("ok", "skipped", "unchecked"):
                    # Short groups: one line per URL, places inline.
                    lines.append(f"  {r.url}  [{', '.join(map(str, r.places))}]")
                    continue
                status = f"{r.status}: " if r.status and not r.detail.startswith(str(r.status)) else ""
                lines.append(f"  {r.url}")
                lines.append(f"    {status}{r.detail}" if (status or r.detail) else "    (no detail)")
                lines += [f"    at {p}" for p in r.places]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        document = {
            "network_unreachable": self.network_unreachable, "unreachable_detail": self.unreachable or "",
            "counts": self.counts(), "requests": self.requests, "seconds": round(self.seconds, 3),
            "links": [r.record() for r in self.results],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
