"""Benchmark of a build: full and incremental times against WeasyPrint alone, no-op
`make handbook`, peak memory, and the tools an editor might pick instead (pandoc).

Run with `make bench`. Prints figures; asserts nothing (speed is measured, not tested).
"""

from __future__ import annotations

import os
import re
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
import sys, time, weasyprint
started = time.perf_counter()
document = weasyprint.HTML(filename=sys.argv[1]).render(pdf_variant="pdf/ua-1")
laid_out = time.perf_counter()
document.write_pdf(sys.argv[2], pdf_variant="pdf/ua-1")
print(f"{laid_out - started:.2f} {time.perf_counter() - laid_out:.2f}", file=sys.stderr)
"""


def bigger(chapters: Path, into: Path, times: int) -> Path:
    """The handbook `times` over: its numbered chapters again under new numbers, their checklists
    renamed (a checklist's id is the book's, not the chapter's)."""
    shutil.copytree(chapters, into)
    numbered = sorted(p for p in chapters.glob("*.md") if p.name[:2].isdigit() and int(p.name[:2]) < 90)
    number = len(numbered)
    for copy in range(2, times + 1):
        for path in numbered:
            number += 1
            text = re.sub(r"(\{\.checklist #)([a-z0-9-]+)", rf"\1\2-{copy}", path.read_text())
            (into / f"{number:02d}{path.name[2:-3]}-{copy}.md").write_text(text)
    return into


def ratio_rows(label: str, chapters: Path, work: Path) -> tuple[list[tuple[str, str]], float, int, str]:
    """A first build, WeasyPrint alone on its print HTML, and a build after one chapter's edit."""
    out = work / f"build-{label}"
    # Best of two first builds, each into an empty folder, as WeasyPrint alone is best of two.
    colds = []
    for _ in range(2):
        shutil.rmtree(out, ignore_errors=True)
        colds.append(build(chapters, out))
    cold, cold_peak = min(t for t, _, _ in colds), max(peak for _, peak, _ in colds)
    html = out / "print" / "handbook.html"
    timed = [run([PY, "-c", WEASYPRINT_ALONE, str(html), str(work / "alone.pdf")]) for _ in range(2)]
    alone, _, split = min(timed)
    render, write = split.split()[-2:]
    chapter = sorted(chapters.glob("08-*.md"))[0]
    chapter.write_text(chapter.read_text() + "\nOne more sentence for the benchmark.\n")
    edit, edit_peak, edit_err = build(chapters, out)
    laid = next((line.strip() for line in edit_err.splitlines() if "laid out handbook.pdf" in line), "")
    rows = [(f"{label}: WeasyPrint alone (lay out + write)", f"{alone:.2f} s ({render} s + {write} s)"),
            (f"{label}: full build, empty output folder", f"{cold:.2f} s = {cold / alone:.2f} x WeasyPrint alone"),
            (f"{label}: build after editing one chapter", f"{edit:.2f} s = {edit / alone:.2f} x ({laid})"),
            (f"{label}: peak memory (all processes)", f"{max(cold_peak, edit_peak) / 1024:.0f} MB")]
    return rows, alone, max(cold_peak, edit_peak), edit_err


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
    rows, alone, _, edit_err = ratio_rows("handbook", chapters, work)
    out = work / "build-handbook"
    warm = build(chapters, out, "--force")[0]
    rows.insert(2, ("handbook: full build (--force) over the last build",
                    f"{warm:.2f} s = {warm / alone:.2f} x WeasyPrint alone (its parts kept)"))
    for times in (2, 4):
        more, *_ = ratio_rows(f"{times} x handbook", bigger(ROOT / "chapters", work / f"chapters-{times}", times), work)
        rows += more
    warm_err = edit_err

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
    print("\n  build log after the edit:\n    " + "\n    ".join(warm_err.strip().splitlines()))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
