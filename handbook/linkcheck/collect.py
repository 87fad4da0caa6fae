"""The external URLs of a book, each once, with every place (path:line) it is written.

Also the small URL helpers the checker shares: the page a URL names (without its fragment),
the fragment, the host key that per-host limits use, and a well-formedness check for sources.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit, urlunsplit


@dataclass(frozen=True, order=True)
class Place:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Address:
    """One URL exactly as written in the sources, and every place it appears."""

    url: str
    places: list[Place] = field(default_factory=list)

    @property
    def scheme(self) -> str:
        return self.url.split(":", 1)[0].lower() if ":" in self.url else ""


def collect(book: Any) -> list[Address]:
    """External links of `book` (http, https, mailto, tel), grouped by URL in order of first appearance."""
    return collect_links(link for link in book.links if link.is_external)


def collect_links(links: Iterable[Any]) -> list[Address]:
    targets: dict[str, Address] = {}
    for link in links:
        url = link.url.strip()
        target = targets.setdefault(url, Address(url))
        place = Place(where(link.path), link.line)
        if place not in target.places:
            target.places.append(place)
    for target in targets.values():
        target.places.sort()
    return list(targets.values())


@lru_cache(maxsize=1024)  # a chapter's path repeats for each of its links
def where(path: Path | str) -> str:
    """A path relative to the working folder when inside it, so editors can click it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def document_url(url: str) -> str:
    """The URL of the page itself: fragments are for the browser and are never sent."""
    return url.split("#", 1)[0]


def fragment(url: str) -> str:
    return unquote(url.split("#", 1)[1]) if "#" in url else ""


@lru_cache(maxsize=4096)  # asked for every request and retry of a page
def host_key(url: str) -> str:
    """Host name, with the port when it is not the scheme's default: what per-host limits count."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{host}:{port}" if port and port != default else host


def is_local_host(host: str) -> bool:
    """Loopback, private and literal addresses tell nothing about whether the internet is reachable."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def forbidden(address: str) -> bool:
    """Whether an IP address is one a link check must not request by default (not public:
    loopback, private, link-local, reserved, multicast); ValueError if it is not an address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def malformed(url: str) -> str | None:
    """Why `url` cannot even be requested (no host, a bad port or address), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"malformed URL: {exc}"
    if not parts.hostname:
        return "malformed URL: no host name"
    return None


_HOST = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}", re.I)


def url_problem(url: str, require_https: bool = True) -> str | None:
    """Why `url` is not a well-formed web address for a printed book, or None when it is."""
    if url != url.strip() or any(c.isspace() for c in url):
        return "contains white space"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"malformed: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not a web address"
    if require_https and parts.scheme != "https":
        return "not https"
    if parts.username or parts.password:
        return "contains a user name or password"
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return f"host {parts.hostname!r} is not a public host name"
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        return f"unusual port {port}"
    if urlunsplit(parts) != url and not url.endswith(("?", "#")):
        return "not in normal form"
    return None
