"""Benchmark of a build: full and incremental times against WeasyPrint alone, no-op
`make handbook`, peak memory, and the tools an editor might pick instead (pandoc).

Run with `make bench`. Prints figures; asserts nothing (speed is measured, not tested).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEASYPRINT_ALONE = """
import sys, weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], pdf_variant="pdf/ua-1")
"""


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, int, str]:
    """Wall time, peak memory of the whole process tree (KiB), and stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return time.perf_counter() - started, peak, err


def build(chapters: Path, out: Path, *extra: str) -> tuple[float, int, str]:
    return run([PY, "-m", "handbook", "build", "--chapters", str(chapters), "--out", str(out), *extra])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    chapters = work / "chapters"
    shutil.copytree(ROOT / "chapters", chapters)
    epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    os.environ["SOURCE_DATE_EPOCH"] = epoch or "1735689600"
    out = work / "build"
    rows: list[tuple[str, str]] = []

    cold, cold_peak, _ = build(chapters, out, "--force")
    warm, warm_peak, warm_err = build(chapters, out, "--force")
    html = out / "print" / "handbook.html"
    alone = min(run([PY, "-c", WEASYPRINT_ALONE, str(html), str(work / "alone.pdf")])[0] for _ in range(2))
    rows += [
        ("WeasyPrint alone on build/print/handbook.html", f"{alone:.2f} s"),
        ("full build, empty output folder", f"{cold:.2f} s = {cold / alone:.2f} x WeasyPrint alone"),
        ("full build (--force) over the last build", f"{warm:.2f} s = {warm / alone:.2f} x WeasyPrint alone"),
        ("peak memory of a full build (all processes)", f"{max(cold_peak, warm_peak) / 1024:.0f} MB"),
    ]

    # An edit to one chapter: only what depends on it is made again.
    chapter = chapters / "08-revenue-cycle.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence for the benchmark.\n")
    edit, _, edit_err = build(chapters, out)
    rendered = [line.strip() for line in edit_err.splitlines() if "rendered" in line or "reused" in line]
    rows.append(("build after editing one chapter", f"{edit:.2f} s ({'; '.join(rendered) or 'see log'})"))

    noop = [run(["make", "--no-print-directory", "handbook", f"CHAPTERS={chapters}", f"OUT={out}"])[0]
            for _ in range(5)]
    rows.append(("`make handbook` with nothing changed", f"median {statistics.median(noop) * 1000:.0f} ms "
                                                          f"(min {min(noop) * 1000:.0f} ms, 5 runs)"))

    sources = sorted(str(p) for p in chapters.glob("*.md") if p.name[0].isdigit())
    if shutil.which("pandoc"):
        metadata = ["--metadata", "title=How to Become a Medical Practice Manager", "--metadata", "lang=en-US"]
        t_epub = run(["pandoc", *metadata, "-o", str(work / "pandoc.epub"), *sources])[0]
        engine = str(Path(PY).parent / "weasyprint")
        t_pdf = run(["pandoc", *metadata, "--pdf-engine", engine, "-o", str(work / "pandoc.pdf"), *sources])[0]
        rows += [("pandoc, EPUB from the same chapters", f"{t_epub:.2f} s"),
                 ("pandoc, PDF with WeasyPrint as its engine", f"{t_pdf:.2f} s")]
    else:
        rows.append(("pandoc", "not installed (apt-get install pandoc)"))

    width = max(len(name) for name, _ in rows)
    print("\nhandbook build benchmark (2 cores)\n")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(f"\n  warm build log:\n    " + "\n    ".join(warm_err.strip().splitlines()))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
