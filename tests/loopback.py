"""A loopback HTTP test bed with injected faults, for the link checker's tests and benchmark.

`FaultServer(hosts=("a", "b"))` starts one threaded HTTP/1.1 server per simulated host on
127.0.0.1, port 0 (per-host limits key on host:port, so each port is a distinct host). Every server
shares one route table and one `Recorder`, which counts requests and the concurrency it observed
per host. Routes (the query string is ignored, so "/delay?i=1" and "/delay?i=2" are two URLs):

  /ok, /page.html (ids "present", "intro"; <a name="named">), /plain.txt, /status/<code>
  /500-then-200, /503, /429-then-200, /429-forever (Retry-After: retry_after), /head-405
  /moved -> 301 -> /moved2 -> 301 -> /page.html;  /temp -> 302 -> /temp2 -> 302 -> /page.html
  /mixed -> 301 -> /temp;  /loop-a <-> /loop-b (302);  /cookie-check (302 to itself, setting a cookie)
  /slow (sleeps `slow` s);  /reset (TCP reset);  /delay (sleeps `delay` s)
  /botwall (403 Cloudflare challenge);  /linkedin (999)
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PAGE = (b"<!doctype html><html><head><title>t</title></head><body>"
        b"<h1 id='present'>Present</h1><p id='intro'>x</p><a name='named'>n</a></body></html>")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, str, float]] = []  # (host, method, path, start time)
        self.active: Counter[str] = Counter()
        self.max_active: Counter[str] = Counter()
        self.hits: Counter[tuple[str, str]] = Counter()  # (host, path without query)

    def reset(self) -> None:
        """Forget every request seen so far."""
        with self.lock:
            self.log.clear()
            self.max_active.clear()
            self.hits.clear()

    def count(self, host: str | None = None, path: str | None = None, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for h, m, p, _ in self.log
                       if (host is None or h == host) and (path is None or p == path) and (method is None or m == method))

    def starts(self, host: str | None = None) -> list[float]:
        """When requests (to `host`, or to any) arrived, in order."""
        with self.lock:
            return sorted(t for h, _, _, t in self.log if host is None or h == host)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers
    # Headers and body leave in two writes; with Nagle's algorithm the body would wait for the
    # client's delayed ACK (40 ms on Linux), slowing every GET as no real server does.
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:  # quiet test output
        pass

    def do_HEAD(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        bed: FaultServer = self.server.bed  # type: ignore[attr-defined]
        host = self.server.label  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        rec = bed.recorder
        with rec.lock:
            rec.log.append((host, self.command, path, time.monotonic()))
            rec.hits[(host, path)] += 1
            hit = rec.hits[(host, path)]
            rec.active[host] += 1
            rec.max_active[host] = max(rec.max_active[host], rec.active[host])
        self._active = True
        try:
            self._route(bed, path, hit)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): nothing to answer
        finally:
            self._finished()

    def _finished(self) -> None:
        """The request no longer counts as in progress (once only)."""
        if self._active:
            self._active = False
            rec = self.server.bed.recorder  # type: ignore[attr-defined]
            with rec.lock:
                rec.active[self.server.label] -= 1  # type: ignore[attr-defined]

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        for key, value in {"Content-Type": ctype, **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        # Counted as done before the answer leaves: a client may start its next request as soon as
        # it has read this one, before this thread would get to count it otherwise.
        self._finished()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, status: int, to: str) -> None:
        self._send(status, b"", {"Location": to})

    def _route(self, bed: FaultServer, path: str, hit: int) -> None:
        ra = {"Retry-After": str(bed.retry_after)}
        if path in ("/ok", "/page.html"):
            self._send(200, PAGE)
        elif path == "/plain.txt":
            self._send(200, b"plain text", ctype="text/plain")
        elif m := re.fullmatch(r"/status/(\d{3})", path):
            self._send(int(m.group(1)), b"<p>status</p>")
        elif path == "/500-then-200":  # HEAD fails until the server recovers on the second GET
            gets = bed.recorder.count(self.server.label, path, "GET")  # type: ignore[attr-defined]
            self._send(500 if self.command == "HEAD" or gets < 2 else 200, PAGE)
        elif path == "/503":
            self._send(503, b"<p>down</p>")
        elif path == "/429-then-200":
            self._send(429, b"slow down", ra) if hit == 1 else self._send(200, PAGE)
        elif path == "/429-forever":
            self._send(429, b"slow down", ra)
        elif path == "/head-405":
            self._send(405, b"", {"Allow": "GET"}) if self.command == "HEAD" else self._send(200, PAGE)
        elif path == "/mixed":  # a permanent hop, then temporary ones: the source should say /temp
            self._redirect(301, "/temp")
        elif path in ("/moved", "/temp"):
            self._redirect(301 if path == "/moved" else 302, path + "2")
        elif path in ("/moved2", "/temp2"):
            self._redirect(301 if path == "/moved2" else 302, "/page.html")
        elif path == "/cookie-check":  # sends a cookie and the visitor back, as some sites do
            if "seen=1" in self.headers.get("Cookie", ""):
                self._send(200, PAGE)
            else:
                self._send(302, b"", {"Location": path, "Set-Cookie": "seen=1; Path=/"})
        elif path in ("/loop-a", "/loop-b"):
            self._redirect(302, "/loop-b" if path == "/loop-a" else "/loop-a")
        elif path == "/slow":
            time.sleep(bed.slow)
            self._send(200, PAGE)
        elif path == "/delay":
            time.sleep(bed.delay)
            self._send(200, PAGE)
        elif path == "/reset":
            # SO_LINGER 0 turns close() into a TCP reset, as a crashing server or middlebox does.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif path == "/botwall":
            self._send(403, b"<title>Just a moment...</title>", {"cf-mitigated": "challenge", "Server": "cloudflare"})
        elif path == "/linkedin":
            self._send(999, b"")
        else:
            self._send(404, b"<p>not found</p>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and client timeouts are the point of these tests


class FaultServer:
    def __init__(self, hosts: tuple[str, ...] = ("a",), *, delay: float = 0.0, slow: float = 1.0,
                 retry_after: float = 1, addresses: dict[str, str] | None = None):
        self.recorder = Recorder()
        self.delay, self.slow, self.retry_after = delay, slow, retry_after
        self.servers: dict[str, _Server] = {}
        for label in hosts:
            server = _Server(((addresses or {}).get(label, "127.0.0.1"), 0), _Handler)
            server.bed, server.label = self, label  # type: ignore[attr-defined]
            self.servers[label] = server
        self.threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
                        for s in self.servers.values()]

    def base(self, host: str) -> str:
        address, port = self.servers[host].server_address[:2]
        return f"http://{address}:{port}"

    def url(self, host: str, path: str) -> str:
        return self.base(host) + path

    def host_key(self, host: str) -> str:
        return self.base(host).split("://", 1)[1]

    def __enter__(self) -> FaultServer:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def make_book(urls: list[str] | list[tuple[str, str, int]], tmp: str = "chapters", linkcheck: dict | None = None):
    """A hand-built `Book` whose only chapter links to `urls` (or (url, path, line) triples)."""
    from datetime import datetime, timezone
    from pathlib import Path

    from handbook.linkcheck.settings import parse_settings
    from handbook.model import Book, BookConfig, Chapter, Link

    links = tuple(Link(u, "text", Path(tmp) / "01-one.md", i + 1) if isinstance(u, str) else Link(u[0], "text", Path(u[1]), u[2])
                  for i, u in enumerate(urls))
    chapter = Chapter(Path(tmp) / "01-one.md", "01-one", "One", {}, (), links, (), (), None)
    settings = parse_settings(linkcheck or {}, Path(tmp) / "book.yaml")[0]
    config = BookConfig("T", "", "A", "P", "en-US", "1", "1.0", "", (), (), "urn:x", "", "", "", settings,
                        Path(tmp) / "book.yaml")
    return Book(Path(tmp), config, (chapter,), datetime(2024, 1, 1, tzinfo=timezone.utc))
