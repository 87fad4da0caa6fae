"""The SQLite cache of link results: a second run asks nothing it knows; failures are never kept."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from loopback import FaultServer, make_book

from handbook.linkcheck import check_external
from handbook.linkcheck.cache import LinkCache
from handbook.linkcheck.settings import HostLimits, Settings

FAST = Settings(timeout=0.4, retries=1, backoff=0.02, retry_after_cap=1.0, default_host=HostLimits(4, 0),
                allow_private=True)  # the loopback test server


def test_second_run_makes_no_request_and_keeps_outcomes(tmp_path):
    cache = tmp_path / "build" / ".linkcache.sqlite"  # the folder is made on demand
    with FaultServer(("h",)) as srv:
        urls = [srv.url("h", p) for p in ("/ok", "/moved", "/page.html#present", "/temp")]
        book = make_book(urls)
        first = check_external(book, cache_path=cache, settings=FAST)
        seen = srv.recorder.count()
        assert seen > 0 and first.requests == seen
        second = check_external(book, cache_path=cache, settings=FAST)
        assert srv.recorder.count() == seen  # nothing more reached the server
        assert second.requests == 0
        assert all(r.cached for r in second.results)
        strip = lambda report: [(r.url, r.outcome, r.status, r.final_url, r.detail, r.places) for r in report.results]
        assert strip(second) == strip(first)
        assert "4 results from the cache" in second.summary()


def test_failures_are_never_cached_and_forget_an_old_success(tmp_path):
    cache = tmp_path / "links.sqlite"
    with FaultServer(("h",)) as srv:
        good, bad, wall = srv.url("h", "/ok"), srv.url("h", "/status/404"), srv.url("h", "/botwall")
        book = make_book([good, bad, wall])
        check_external(book, cache_path=cache, settings=FAST)
        before = srv.recorder.count()
        second = check_external(book, cache_path=cache, settings=FAST)
        assert {r.url: r.cached for r in second.results} == {good: True, bad: False, wall: False}
        assert srv.recorder.count(path="/ok") == 1
        assert srv.recorder.count() - before == 3  # the 404 (HEAD + GET) and the bot wall, again
    with LinkCache(cache, max_age=3600) as store:
        store.put([(good, "broken", 404, good, "404 Not Found")])  # the page has since gone
        assert store.get([good]) == {}


def test_no_cache_bypasses_reading_but_refreshes(tmp_path):
    cache = tmp_path / "links.sqlite"
    with FaultServer(("h",)) as srv:
        book = make_book([srv.url("h", "/ok")])
        check_external(book, cache_path=cache, settings=FAST)
        check_external(book, cache_path=cache, use_cache=False, settings=FAST)
        assert srv.recorder.count() == 2
        check_external(book, cache_path=cache, settings=FAST)
        assert srv.recorder.count() == 2


def test_age_limit_with_jitter(tmp_path):
    now = [1000.0]
    with LinkCache(tmp_path / "c.sqlite", max_age=100, jitter=0.2, clock=lambda: now[0],
                   rng=iter([1.0, 0.0]).__next__) as store:
        store.put([("https://a.org/", "ok", 200, "https://a.org/", ""),    # lives 80 s (full jitter)
                   ("https://b.org/", "ok", 200, "https://b.org/", "")])   # lives 100 s (no jitter)
        now[0] = 1079
        assert set(store.get(["https://a.org/", "https://b.org/"])) == {"https://a.org/", "https://b.org/"}
        now[0] = 1081
        assert set(store.get(["https://a.org/", "https://b.org/"])) == {"https://b.org/"}
        now[0] = 1101
        assert store.get(["https://a.org/", "https://b.org/"]) == {}


def test_jitter_spreads_expiry(tmp_path):
    with LinkCache(tmp_path / "c.sqlite", max_age=100, jitter=0.2) as store:
        store.put([(f"https://x.org/{i}", "ok", 200, f"https://x.org/{i}", "") for i in range(50)])
        lives = [row[0] for row in store.db.execute("SELECT life FROM results")]
    assert all(0.8 <= life <= 1.0 for life in lives)
    assert len(set(lives)) > 40  # not one expiry day for the whole book


def test_settings_age_zero_means_always_recheck(tmp_path):
    cache = tmp_path / "links.sqlite"
    with FaultServer(("h",)) as srv:
        book = make_book([srv.url("h", "/ok")])
        settings = FAST.override(cache_max_age=0.0)
        check_external(book, cache_path=cache, settings=settings)
        check_external(book, cache_path=cache, settings=settings)
        assert srv.recorder.count() == 2


def test_damaged_or_foreign_cache_file_is_replaced(tmp_path):
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    with LinkCache(damaged, max_age=100) as store:
        store.put([("https://a.org/", "ok", 200, "https://a.org/", "")])
        assert set(store.get(["https://a.org/"])) == {"https://a.org/"}
    foreign = tmp_path / "foreign.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE results (x)")
    db.commit()
    db.close()
    with LinkCache(foreign, max_age=100) as store:
        assert store.get(["https://a.org/"]) == {}



def test_unusable_cache_location_does_not_stop_the_check(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with FaultServer(("h",)) as srv:
        report = check_external(make_book([srv.url("h", "/ok")]), cache_path=blocker / "c.sqlite", settings=FAST)
        assert [r.outcome for r in report.results] == ["ok"]
        assert "not used" in report.summary()


def test_cache_that_fails_when_read_does_not_stop_the_check(tmp_path, monkeypatch):
    def damaged(self, urls):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(LinkCache, "get", damaged)
    with FaultServer(("h",)) as srv:
        report = check_external(make_book([srv.url("h", "/ok")]), cache_path=tmp_path / "c.sqlite", settings=FAST)
        assert [r.outcome for r in report.results] == ["ok"]
        assert "not used" in report.summary() and srv.recorder.count() == 1


def test_a_run_the_cache_answers_imports_no_network_code(tmp_path):
    """Most of a run's start-up is asyncio and httpx: a run with nothing left to fetch needs neither."""
    cache = tmp_path / "links.sqlite"
    with FaultServer(("h",)) as srv:
        urls = [srv.url("h", "/ok"), srv.url("h", "/page.html#present")]
        check_external(make_book(urls), cache_path=cache, settings=FAST)
        code = ("import json, sys\n"
                "from loopback import make_book\n"
                "from handbook.linkcheck import check_external\n"
                f"report = check_external(make_book({urls!r}), cache_path={str(cache)!r}, allow_private=True)\n"
                "print(json.dumps([[r.cached for r in report.results], report.requests,\n"
                "                  [m for m in ('asyncio', 'httpx', 'httpcore') if m in sys.modules]]))\n")
        tests = Path(__file__).resolve().parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == [[True, True], 0, []]
        assert srv.recorder.count() == 2  # the first run's only
