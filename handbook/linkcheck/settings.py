"""Link-checker settings from the `linkcheck:` mapping of the book's metadata (chapters/book.yaml).

Every key is optional (defaults shown); unknown keys and bad values become `Diagnostic`s (errors)
pointing at the metadata file and line, so an editor sees every mistake at once.

    linkcheck:
      skip: []                        # regexes searched in each URL (a plain URL works): "skipped", never requested
      accept: []                      # status codes counted as working besides every 2xx, e.g. [429, "300-399"]
      unverifiable: [401, 403, 999]   # codes reported "unverifiable" (bot walls), which warn, instead of "broken"
      timeout: 15                     # seconds for each request
      retries: 3                      # retries after a timeout, a connection error, a 429 or a 5xx
      backoff: 1                      # seconds before the first retry; doubles each time, with jitter
      retry_after_cap: 60             # seconds of Retry-After waiting allowed per host in one run
      max_redirects: 10
      user_agent: "Mozilla/5.0 (compatible; handbook-linkcheck/0.1)"
      anchors: true                   # check #fragments against the ids and <a name>s of the target page
      anchors_ignore: ['^!', '^/', ':~:', '^top$']  # fragments never checked: app routes, text fragments
      cache_max_age: 7                # days a working result is trusted (each entry up to 20% less: jitter)
      hosts:                          # per-host limits; "default" applies to every other host
        default: {concurrency: 2, rate: 5}           # parallel requests; requests per second (0: no limit)
        www.bls.gov: {concurrency: 1, rate: 1, timeout: 30}
        "*.cms.gov": {rate: 2}                       # "*." matches the domain and every subdomain
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handbook.errors import Diagnostic, Diagnostics

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; handbook-linkcheck/0.1)"
DAY = 86400.0


@dataclass(frozen=True)
class HostLimits:
    concurrency: int = 2
    rate: float = 5.0  # requests started per second; 0 means no limit
    timeout: float | None = None  # overrides Settings.timeout for this host


@dataclass(frozen=True)
class Settings:
    skip: tuple[re.Pattern, ...] = ()
    accept: frozenset[int] = frozenset()
    unverifiable: frozenset[int] = frozenset({401, 403, 999})
    timeout: float = 15.0
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 60.0
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    anchors: bool = True
    anchors_ignore: tuple[re.Pattern, ...] = tuple(re.compile(p) for p in (r"^!", r"^/", r":~:", r"^top$"))
    cache_max_age: float = 7 * DAY  # seconds
    cache_jitter: float = 0.2  # fraction of the age an entry may expire early
    default_host: HostLimits = HostLimits()
    hosts: dict[str, HostLimits] = field(default_factory=dict)
    max_page_bytes: int = 5_000_000  # how much of a page is read to find fragment ids
    allow_private: bool = False  # request loopback, private and link-local addresses (--allow-private)

    def limits_for(self, host: str) -> HostLimits:
        """Limits of `host` (a host name, or host:port): exact entry, then "*.suffix", then default."""
        host = host.lower()
        if host in self.hosts:
            return self.hosts[host]
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name in self.hosts:
            return self.hosts[name]
        for pattern, limits in self.hosts.items():
            if pattern.startswith("*.") and (name == pattern[2:] or name.endswith(pattern[1:])):
                return limits
        return self.default_host

    def is_ok_status(self, status: int) -> bool:
        return 200 <= status < 300 or status in self.accept

    def skips(self, url: str) -> bool:
        return any(p.search(url) for p in self.skip)

    def override(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def parse_settings(raw: Any, path: Path, lines: dict[str, int] | None = None) -> tuple[Settings, list[Diagnostic]]:
    """Validate the `linkcheck:` mapping (`lines`: the metadata file's key lines, nested keys as
    "linkcheck.timeout"); returns the settings (defaults where a value is bad) and the problems."""
    diags = Diagnostics()
    lines = lines or {}

    def bad(key: str, message: str, code: str = "linkcheck-bad-value") -> None:
        line = lines.get(f"linkcheck.{key}" if key else "linkcheck", lines.get("linkcheck", 0))
        diags.error(path, line, code, f"linkcheck{'.' + key if key else ''}: {message}")

    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        bad("", "must be a mapping of settings")
        return Settings(), diags.items
    values: dict[str, Any] = {}
    for key, value in raw.items():
        parser = _PARSERS.get(key)
        if parser is None:
            bad(str(key), f"unknown setting (known: {', '.join(sorted(_PARSERS))})", "linkcheck-unknown-key")
            continue
        try:
            parser(values, value)
        except (TypeError, ValueError, re.error) as exc:
            bad(key, str(exc))
    return Settings(**values), diags.items


def _number(value: Any, low: float, high: float | None = None, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise TypeError(f"expected {'a whole number' if integer else 'a number'}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{value!r} is out of range ({low} to {high if high is not None else 'any'})")
    return value


def _list(value: Any) -> list[Any]:
    if isinstance(value, (str, int)):
        return [value]  # a single value where a list is expected is a common, harmless slip
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _patterns(value: Any) -> tuple[re.Pattern, ...]:
    items = _list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"expected regular expressions (strings), got {item!r}")
    return tuple(re.compile(item) for item in items)


def _codes(value: Any) -> frozenset[int]:
    codes: set[int] = set()
    for item in _list(value):
        if isinstance(item, str) and re.fullmatch(r"\s*\d{3}\s*-\s*\d{3}\s*", item):
            low, high = (int(part) for part in item.split("-"))
            if low > high:
                raise ValueError(f"empty range {item!r}")
            codes.update(range(low, high + 1))
        elif isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            codes.add(item)
        else:
            raise ValueError(f"expected status codes (100-999) or ranges like \"300-399\", got {item!r}")
    return frozenset(codes)


def _host_limits(value: Any, base: HostLimits) -> HostLimits:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping with concurrency, rate, timeout; got {value!r}")
    unknown = set(value) - {"concurrency", "rate", "timeout"}
    if unknown:
        raise ValueError(f"unknown host setting(s) {', '.join(sorted(map(str, unknown)))} (known: concurrency, rate, timeout)")
    return HostLimits(
        concurrency=int(_number(value.get("concurrency", base.concurrency), 1, 64, integer=True)),
        rate=float(_number(value.get("rate", base.rate), 0)),
        timeout=None if value.get("timeout") is None else float(_number(value["timeout"], 0.01)),
    )


def _hosts(values: dict[str, Any], value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping of host names to limits, got {value!r}")
    default = _host_limits(value["default"], HostLimits()) if "default" in value else HostLimits()
    hosts = {}
    for host, limits in value.items():
        if host == "default":
            continue
        if not isinstance(host, str) or not re.fullmatch(r"(\*\.)?[A-Za-z0-9.\-\[\]:]+", host):
            raise ValueError(f"{host!r} is not a host name")
        try:
            hosts[host.lower()] = _host_limits(limits, default)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{host}: {exc}") from None
    values["default_host"], values["hosts"] = default, hosts


def _set(name: str, convert: Any) -> Any:
    def parse(values: dict[str, Any], value: Any) -> None:
        values[name] = convert(value)

    return parse


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"expected a non-empty string, got {value!r}")
    return value.strip()


_PARSERS = {
    "skip": _set("skip", _patterns),
    "accept": _set("accept", _codes),
    "unverifiable": _set("unverifiable", _codes),
    "timeout": _set("timeout", lambda v: float(_number(v, 0.01))),
    "retries": _set("retries", lambda v: int(_number(v, 0, 10, integer=True))),
    "backoff": _set("backoff", lambda v: float(_number(v, 0, 60))),
    "retry_after_cap": _set("retry_after_cap", lambda v: float(_number(v, 0))),
    "max_redirects": _set("max_redirects", lambda v: int(_number(v, 0, 50, integer=True))),
    "user_agent": _set("user_agent", _text),
    "anchors": _set("anchors", _bool),
    "anchors_ignore": _set("anchors_ignore", _patterns),
    "cache_max_age": _set("cache_max_age", lambda v: float(_number(v, 0)) * DAY),
    "hosts": _hosts,
}
