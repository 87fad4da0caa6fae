"""The external link checker against a loopback server with injected faults: outcomes, requests, limits.

No test reaches the internet: every URL points at 127.0.0.1, and the network probe is either given
loopback URLs (which it never probes) or a fake resolver.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import pytest
from loopback import FaultServer, make_book

from handbook.linkcheck import check_external, network
from handbook.linkcheck.collect import url_problem
from handbook.linkcheck.settings import HostLimits, Settings, parse_settings

# Short timeouts and small waits keep the whole file to a few seconds.
FAST = Settings(timeout=0.4, retries=2, backoff=0.02, retry_after_cap=2.0, default_host=HostLimits(4, 0),
                allow_private=True)  # the loopback test server


def run(urls, settings=FAST, **kw):
    return check_external(make_book(urls), settings=settings, **kw)


def by_url(report):
    return {r.url: r for r in report.results}


@pytest.fixture(scope="module")
def faults():
    """One run over every fault, each on its own host so a fault cannot disturb the others."""
    cases = {
        "ok": "/ok", "e404": "/status/404", "e410": "/status/410", "flaky": "/500-then-200", "down": "/503",
        "ra": "/429-then-200", "head": "/head-405", "perm": "/moved", "temp": "/temp", "mixed": "/mixed",
        "loop": "/loop-a", "slow": "/slow", "reset": "/reset", "wall": "/botwall", "li": "/linkedin",
        "forever": "/429-forever", "cookie": "/cookie-check",
    }
    with FaultServer(tuple(cases) + ("frag", "tls"), slow=1.5, retry_after=1) as srv:
        urls = {name: srv.url(name, path) for name, path in cases.items()}
        urls["frag_present"] = srv.url("frag", "/page.html#present")
        urls["frag_named"] = srv.url("frag", "/page.html#named")
        urls["frag_absent"] = srv.url("frag", "/page.html#absent")
        urls["frag_none"] = srv.url("frag", "/page.html")
        urls["frag_text"] = srv.url("frag", "/plain.txt#section")
        urls["tls"] = "https://" + srv.host_key("tls") + "/ok"  # TLS spoken to a plain HTTP server
        started = time.monotonic()
        report = run(list(urls.values()))
        yield srv, urls, by_url(report), time.monotonic() - started, report


@pytest.mark.parametrize("name, outcome, status, requests", [
    ("ok", "ok", 200, 1),                 # HEAD only
    ("e404", "broken", 404, 2),           # HEAD 404, then GET to be sure
    ("e410", "broken", 410, 2),
    ("flaky", "ok", 200, 3),              # HEAD 500, GET 500, retried GET 200
    ("down", "broken", 503, 4),           # HEAD, GET and two retries
    ("ra", "ok", 200, 2),                 # 429 + Retry-After, waited, then 200
    ("head", "ok", 200, 2),               # HEAD 405, GET 200
    ("perm", "redirected", 200, 3),       # 301 -> 301 -> 200
    ("temp", "ok", 200, 3),               # 302 -> 302 -> 200
    ("mixed", "redirected", 200, 4),      # 301 -> 302 -> 302 -> 200
    ("loop", "broken", 302, 2),           # a -> b -> a
    ("cookie", "ok", 200, 2),             # 302 to itself with a cookie: not a loop
    ("slow", "timeout", None, 3),         # every try slower than the timeout
    ("reset", "broken", None, 3),         # reset each time
    ("wall", "unverifiable", 403, 1),     # a challenge is not retried
    ("li", "unverifiable", 999, 1),
    ("forever", "unverifiable", 429, 3),  # 429, wait 1 s, 429, wait 1 s, 429: retries and cap spent
])
def test_fault_outcome_and_requests(faults, name, outcome, status, requests):
    srv, urls, results, _, _ = faults
    result = results[urls[name]]
    assert (result.outcome, result.status) == (outcome, status), result.detail
    assert srv.recorder.count(host=name) == requests


def test_redirect_details(faults):
    srv, urls, results, _, _ = faults
    assert results[urls["perm"]].final_url == srv.url("perm", "/page.html")
    assert "update the source to " + srv.url("perm", "/page.html") in results[urls["perm"]].detail
    assert "update the source to " + srv.url("mixed", "/temp") in results[urls["mixed"]].detail
    assert results[urls["temp"]].final_url == srv.url("temp", "/page.html")
    assert "redirect loop" in results[urls["loop"]].detail


def test_fragments_share_one_get(faults):
    srv, urls, results, _, _ = faults
    assert results[urls["frag_present"]].outcome == "ok"
    assert results[urls["frag_named"]].outcome == "ok"  # <a name> counts as well as id
    assert results[urls["frag_none"]].outcome == "ok"
    absent = results[urls["frag_absent"]]
    assert absent.outcome == "anchor-missing" and "'absent'" in absent.detail
    text = results[urls["frag_text"]]
    assert text.outcome == "ok" and "not checked" in text.detail  # not HTML: cannot be told
    assert srv.recorder.count(host="frag", path="/page.html") == 1
    assert srv.recorder.count(host="frag", method="HEAD") == 0  # a fragment needs the body


def test_tls_failure_is_unverifiable(faults):
    _, urls, results, _, _ = faults
    assert results[urls["tls"]].outcome == "unverifiable"
    assert "TLS" in results[urls["tls"]].detail


def test_whole_fault_run_is_bounded(faults):
    # The slowest faults are the 429s (2 s cap) and timeouts (3 x 0.4 s); they run side by side.
    assert faults[3] < 5.0


def test_429_forever_ends_within_its_cap_even_with_many_retries():
    with FaultServer(("h",), retry_after=1) as srv:
        settings = FAST.override(retries=10, retry_after_cap=1.5)
        urls = [srv.url("h", "/429-forever")] + [srv.url("h", f"/ok?{i}") for i in range(5)]
        started = time.monotonic()
        report = run(urls, settings)
        elapsed = time.monotonic() - started
        outcomes = {r.url: r.outcome for r in report.results}
        assert set(outcomes.values()) <= {"unverifiable", "ok"}
        assert outcomes[urls[0]] == "unverifiable"
        assert elapsed < 1.5 + 1.0
        # After the cap is spent, the host is asked nothing more.
        assert srv.recorder.count(host="h", path="/429-forever") <= 3
        assert report.exit_code(strict=False) == 0 and report.exit_code(strict=True) == 1


def test_each_url_checked_once_every_place_kept():
    with FaultServer(("h",)) as srv:
        url = srv.url("h", "/ok")
        report = run([(url, "chapters/01-a.md", 3), (url, "chapters/02-b.md", 7), (url, "chapters/01-a.md", 9)])
        assert srv.recorder.count() == 1
        [result] = report.results
        assert [(p.path, p.line) for p in result.places] == [
            ("chapters/01-a.md", 3), ("chapters/01-a.md", 9), ("chapters/02-b.md", 7)]


def test_per_host_concurrency_and_rate_are_observed_by_the_server():
    with FaultServer(("wide", "narrow", "paced"), delay=0.15) as srv:
        settings = FAST.override(hosts={
            srv.host_key("wide"): HostLimits(concurrency=3, rate=0),
            srv.host_key("narrow"): HostLimits(concurrency=1, rate=0),
            srv.host_key("paced"): HostLimits(concurrency=4, rate=10),
        })
        urls = [srv.url(h, f"/delay?{i}") for i in range(8) for h in ("wide", "narrow", "paced")]
        started = time.monotonic()
        report = run(urls, settings)
        elapsed = time.monotonic() - started
        assert {r.outcome for r in report.results} == {"ok"}
        rec = srv.recorder
        assert rec.max_active["wide"] == 3
        assert rec.max_active["narrow"] == 1
        assert rec.max_active["paced"] <= 4
        starts = rec.starts("paced")
        gaps = sorted(b - a for a, b in zip(starts, starts[1:]))
        # 10 requests a second at most: 7 gaps of 0.1 s. The server sees starts with a few ms of
        # scheduling noise, so allow that, and one outlier, but no bunching.
        assert starts[-1] - starts[0] >= 0.65 and gaps[1] > 0.07
        assert 8 * 0.15 <= elapsed < 8 * 0.15 + 2.0  # the narrow host, one at a time, is the bound


def test_head_refused_host_goes_straight_to_get():
    with FaultServer(("h",)) as srv:
        settings = FAST.override(default_host=HostLimits(concurrency=1, rate=0))
        run([srv.url("h", "/head-405"), srv.url("h", "/ok"), srv.url("h", "/page.html")], settings)
        assert srv.recorder.count(host="h", method="HEAD") == 1
        assert srv.recorder.count(host="h", method="GET") == 3


def test_too_many_redirects_and_accept_and_skip():
    with FaultServer(("h",)) as srv:
        settings = FAST.override(max_redirects=1, accept=frozenset({404}), skip=parse_settings(
            {"skip": ["/private/"]}, Path("book.yaml"))[0].skip)
        urls = [srv.url("h", "/moved"), srv.url("h", "/status/404"), srv.url("h", "/private/x"), "mailto:a@b.org"]
        results = by_url(run(urls, settings))
        assert results[urls[0]].outcome == "broken" and "more than 1 redirects" in results[urls[0]].detail
        assert results[urls[1]].outcome == "ok"
        assert results[urls[2]].outcome == "skipped" and results[urls[3]].outcome == "skipped"
        assert srv.recorder.count(path="/private/x") == 0


def test_report_summary_json_and_exit_codes(faults, tmp_path):
    _, urls, _, _, report = faults
    text = report.summary()
    assert text.index("Broken") < text.index("Anchor missing") < text.index("Timed out") < text.index("OK (")
    assert f"{urls['e404']}\n    404 Not Found\n    at chapters/01-one.md:2" in text
    data = json.loads(report.to_json())
    assert len(data["links"]) == len(urls)
    record = next(r for r in data["links"] if r["url"] == urls["perm"])
    assert set(record) >= {"url", "outcome", "status", "final_url", "places", "detail"}
    assert record["places"] == [{"path": "chapters/01-one.md", "line": 8}]
    assert report.exit_code(strict=False) == 1


def test_unverifiable_warns_and_fails_only_strict():
    with FaultServer(("h",)) as srv:
        report = run([srv.url("h", "/ok"), srv.url("h", "/botwall")])
        assert report.exit_code(strict=False) == 0
        assert report.exit_code(strict=True) == 1


def test_network_unreachable_is_reported_not_broken():
    async def no_dns(host, port):
        raise socket.gaierror(-2, "Name or service not known")

    urls = ["https://www.bls.gov/ooh/", "https://www.mgma.com/", "https://www.cms.gov/"]
    reason = asyncio.run(network.unreachable(urls, resolve=no_dns))
    assert reason and "3 host names" in reason

    async def probe(urls):
        return await network.unreachable(urls, resolve=no_dns)

    report = check_external(make_book(urls), settings=FAST, probe=probe)
    assert report.exit_code() == 3 and report.requests == 0
    assert {r.outcome for r in report.results} == {"unchecked"}
    assert "network unreachable" in report.summary()


def test_network_probe_names_resolve_but_nothing_connects():
    async def resolves(host, port):
        return [("ok",)]

    async def refuses(host, port):
        raise ConnectionRefusedError(111, "refused")

    reason = asyncio.run(network.unreachable(["https://a.example.org/", "https://b.example.org/"],
                                             resolve=resolves, connect=refuses))
    assert reason and "no connection" in reason


def test_network_probe_never_fires_on_loopback():
    assert asyncio.run(network.unreachable(["http://127.0.0.1:9/x", "http://localhost:8080/", "http://[::1]:1/"])) is None


def test_settings_validation_points_at_the_metadata_file(tmp_path):
    """A broken `linkcheck:` section fails `handbook check` (the sources stage), each problem at its line."""
    from handbook import sources
    from handbook.project import Project

    (tmp_path / "01-a.md").write_text("---\ntitle: A\n---\n\nText.\n", encoding="utf-8")
    meta = tmp_path / "book.yaml"
    meta.write_text("title: T\nauthor: A\nlinkcheck:\n  timeout: -1\n  skipp: [x]\n  hosts:\n"
                    "    default: {concurrency: 0}\n  accept: [200, \"300-399\", 42]\n  skip: ['(']\n", encoding="utf-8")
    book, diags = sources.read(Project(tmp_path))
    problems = diags.errors
    assert book is None
    lines = {p.message.split(":")[0]: p.line for p in problems}
    assert lines == {"linkcheck.timeout": 4, "linkcheck.skipp": 5, "linkcheck.hosts": 6, "linkcheck.accept": 8,
                     "linkcheck.skip": 9}
    assert all(p.is_error and p.path.endswith("book.yaml") for p in problems)
    raw = {"timeout": -1, "skipp": ["x"], "hosts": {"default": {"concurrency": 0}}, "accept": [200, "300-399", 42]}
    assert parse_settings(raw, meta)[0] == Settings()  # bad values leave the defaults
    good, none = parse_settings({"accept": [429, "300-302"], "hosts": {"default": {"rate": 1},
                                 "*.cms.gov": {"concurrency": 1}}, "cache_max_age": 0.5}, meta)
    assert none == []
    assert good.accept == {429, 300, 301, 302} and good.cache_max_age == 43200
    assert good.limits_for("data.cms.gov") == HostLimits(1, 1.0) and good.limits_for("x.org") == HostLimits(2, 1.0)
    book = make_book([], linkcheck={"retries": 2})
    assert book.config.linkcheck.retries == 2


def test_url_problem():
    assert url_problem("https://www.bls.gov/ooh/management/medical-and-health-services-managers.htm") is None
    assert url_problem("http://www.bls.gov/") == "not https"
    assert url_problem("https://www.bls .gov/") == "contains white space"
    assert url_problem("https://localhost/") is not None
    assert url_problem("https:/www.bls.gov") is not None


def test_real_handbook_external_urls_are_wellformed_https():
    from handbook.build import load_checked

    book, _ = load_checked(Path(__file__).resolve().parent.parent / "chapters")
    web = [link for link in book.links if link.is_external and not link.url.startswith(("mailto:", "tel:"))]
    problems = [f"{link.path}:{link.line}: {link.url}: {p}" for link in web if (p := url_problem(link.url))]
    assert web and problems == []


def test_dead_host_stops_retrying():
    with socket.socket() as probe:  # a port nobody listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    urls = [f"http://127.0.0.1:{port}/page{i}" for i in range(4)]
    report = run(urls, FAST.override(default_host=HostLimits(concurrency=1, rate=0)))
    assert {r.outcome for r in report.results} == {"broken"}
    assert "connection failed" in report.results[0].detail
    # Without the rule: 4 pages x 3 tries. With it: one try each, and the retries of one page at most.
    assert report.requests_by_host[f"127.0.0.1:{port}"] <= 4 + 2


def test_malformed_urls_are_broken_without_a_request():
    report = run(["http://[::1/x", "https://", "https://:99999/"])
    assert [r.outcome for r in report.results] == ["broken"] * 3
    assert all(r.detail.startswith("malformed URL") for r in report.results)
    assert report.requests == 0


def test_injected_transport_sees_every_request_and_no_probe_runs():
    import httpx

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url)))
        if request.url.path == "/ooh/gone.htm":
            return httpx.Response(404)
        return httpx.Response(200, html="<h2 id='pay'>Pay</h2>")

    urls = ["https://www.bls.gov/ooh/management/", "https://www.bls.gov/ooh/gone.htm",
            "https://www.bls.gov/ooh/management/#pay", "https://www.bls.gov/ooh/management/#nope"]
    report = check_external(make_book(urls), settings=FAST, transport=httpx.MockTransport(handler))
    assert [r.outcome for r in report.results] == ["ok", "broken", "ok", "anchor-missing"]
    # One GET for the page and its fragments; HEAD, then GET to confirm, for the 404.
    assert sorted(seen) == [("GET", "https://www.bls.gov/ooh/gone.htm"), ("GET", "https://www.bls.gov/ooh/management/"),
                            ("HEAD", "https://www.bls.gov/ooh/gone.htm")]


def test_rate_grid_absorbs_late_wakeups_and_never_bunches(monkeypatch):
    """Departures keep to the grid whatever small lateness timers add; a long stall moves the grid."""
    from itertools import cycle

    from handbook.linkcheck import hosts

    now = [100.0]
    overshoot = cycle([0.008, 0.0, 0.003, 0.001])  # timers wake a little late, by varying amounts

    async def sleep(seconds):
        now[0] += seconds + next(overshoot)

    monkeypatch.setattr(hosts.asyncio, "sleep", sleep)
    gate = hosts.HostGate(HostLimits(concurrency=1, rate=10), retry_after_cap=60, clock=lambda: now[0])
    sent = []

    async def depart():
        for i in range(60):
            if i == 40:
                now[0] += 0.5  # the event loop is held up once, far past the slack
            await gate.at_wire()
            sent.append(now[0])

    asyncio.run(depart())
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 0.1 - gate.slack - 1e-9  # never bunched
    # Lateness does not add up: 39 intervals after the first departure, give or take one overshoot.
    assert sent[39] - sent[0] <= 39 * 0.1 + 0.008 + 1e-9
    assert sent[40] - sent[39] >= 0.5  # the stall
    # No burst makes up for it: the grid moved to the late departure, and the rest keep to it.
    assert gaps[40] >= 0.1 - 1e-9 and sent[59] - sent[40] >= 19 * 0.1 - 1e-9


def test_plain_http_run_loads_no_ca_bundle(monkeypatch):
    import ssl

    made = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(a or k) or real(*a, **k))
    with FaultServer(("a", "b", "tls1", "tls2")) as srv:
        report = run([srv.url("a", "/ok"), srv.url("b", "/moved")])
        assert [r.outcome for r in report.results] == ["ok", "redirected"]
        assert made == []  # http only: no TLS context with the CA bundle was built
        tls = ["https://" + srv.host_key(h) + "/ok" for h in ("tls1", "tls2")]
        report = run(tls + [srv.url("a", "/ok")])
        assert [r.outcome for r in report.results] == ["unverifiable", "unverifiable", "ok"]
        assert len(made) == 1  # built once, shared by every https host
