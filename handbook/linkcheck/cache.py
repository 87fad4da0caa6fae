"""Results of earlier runs in SQLite (e.g. build/.linkcache.sqlite), so a re-run asks nothing it knows.

Only working links are stored (ok, redirected): a failure is checked again next time, and a URL that
fails now loses its old entry. Each entry lives `max_age` seconds less a random share (jitter) of up
to `jitter * max_age`, so a book's links do not all expire, and get re-checked, on the same day.
A damaged or foreign file is replaced, never fatal: the cache only saves time. For the same reason
writes are not synced to disk (each sync costs some 20 ms, twice a run): a crash of the machine
at the wrong moment may lose or damage the file, and the next run then starts afresh.
"""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

SCHEMA_VERSION = 1
CACHEABLE = {"ok", "redirected"}


@dataclass(frozen=True)
class Entry:
    url: str
    outcome: str
    status: int | None
    final_url: str
    detail: str
    checked_at: float


class LinkCache:
    def __init__(self, path: Path, max_age: float, jitter: float = 0.2,
                 clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random):
        self.path, self.max_age, self.jitter, self.clock, self.rng = Path(path), max_age, jitter, clock, rng
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # damaged: start afresh
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA synchronous = OFF")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS results")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("""CREATE TABLE IF NOT EXISTS results (
                url TEXT PRIMARY KEY, outcome TEXT NOT NULL, status INTEGER, final_url TEXT NOT NULL,
                detail TEXT NOT NULL, checked_at REAL NOT NULL,
                life REAL NOT NULL  -- share of max_age this entry lives: 1 - jitter .. 1
            )""")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, urls: Iterable[str]) -> dict[str, Entry]:
        """Fresh entries for `urls`; stale ones are left for `put` to replace."""
        now = self.clock()
        found: dict[str, Entry] = {}
        rows = self.db.execute("SELECT url, outcome, status, final_url, detail, checked_at, life FROM results")
        wanted = set(urls)
        for url, outcome, status, final_url, detail, checked_at, life in rows:
            if url in wanted and outcome in CACHEABLE and now < checked_at + self.max_age * life and checked_at <= now:
                found[url] = Entry(url, outcome, status, final_url, detail, checked_at)
        return found

    def put(self, results: Iterable[tuple[str, str, int | None, str, str]]) -> None:
        """Store (url, outcome, status, final_url, detail) of working links; forget the others."""
        now = self.clock()
        with self.db:
            for url, outcome, status, final_url, detail in results:
                if outcome in CACHEABLE:
                    life = 1.0 - self.jitter * self.rng()
                    self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                                    (url, outcome, status, final_url, detail, now, life))
                else:
                    self.db.execute("DELETE FROM results WHERE url = ?", (url,))
            # Entries too old to be used again only take room.
            self.db.execute("DELETE FROM results WHERE checked_at + ? * life <= ?", (self.max_age, now))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> LinkCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
