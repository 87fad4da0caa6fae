"""Run the command line as a user would: a new process, its exit code and its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def handbook(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: int = 300):
    merged = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "handbook", *args], capture_output=True, text=True,
                          env=merged, cwd=cwd or ROOT, timeout=timeout)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
