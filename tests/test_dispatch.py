"""A round of the parts' layouts on both cores (`typeset/dispatch.py`), and the page map a first
build starts from (`inparts._estimate`): each part is laid out once, dressed as things stand when
a core takes it; a second core that fails hands its part back; every problem is collected."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from handbook.errors import RenderError
from handbook.pagemap import PageMap
from handbook.typeset import dispatch, inparts, laidout, parts
from handbook.typeset.laidout import PartJob, PartLayout


def _layout(job: PartJob, pages: int = 3) -> PartLayout:
    return PartLayout(job.name, job.key, b"", job.html, (), {job.name: 1}, {}, pages)


@pytest.fixture
def fake_engine(monkeypatch):
    """Layouts that take a little time and say which thread made them."""
    made: list[tuple[str, str]] = []

    def lay_out(job, files, hold=False):
        if job.name.startswith("broken"):
            raise RenderError.of(f"{job.name}.md", "typesetter", "cannot lay this out")
        time.sleep(0.02)
        made.append((job.name, threading.current_thread().name))
        return _layout(job)

    monkeypatch.setattr(dispatch, "lay_out_part", lay_out)
    monkeypatch.setattr(laidout, "lay_out_part", lay_out)
    return made


def _round(names, beside, laid):
    """Run one round over `names`; each part is dressed with how many parts were laid when a
    core took it."""
    seen: dict[str, int] = {}

    def dress(name):
        seen[name] = len(laid)
        return PartJob(name, f"<p>{name}</p>", f"key-{name}"), 1, {}

    def take(result, item, there):
        laid[item[0].name] = (result, there)

    dispatch.run(list(names), dress, [], lambda item: None, {}, beside, take)
    return seen


def test_every_part_is_laid_out_once_on_one_core_or_the_other(fake_engine):
    laid: dict = {}
    with ThreadPoolExecutor(1, thread_name_prefix="second") as pool:
        seen = _round([f"p{n}" for n in range(12)], pool.submit, laid)
    assert sorted(laid) == sorted(seen) == sorted(f"p{n}" for n in range(12))
    assert sorted(name for name, _ in fake_engine) == sorted(laid)  # once each
    cores = {there for _, there in laid.values()}
    assert cores == {True, False}  # both took some
    # Dressed as a core took it: the last parts saw the first ones laid out.
    assert seen["p0"] == 0 and max(seen.values()) >= 6


def test_a_second_core_that_fails_hands_its_part_back(fake_engine):
    def broken(*args) -> Future:
        future: Future = Future()
        future.set_exception(OSError("the worker was killed"))
        return future

    laid: dict = {}
    _round(["a", "b", "c"], broken, laid)
    assert sorted(laid) == ["a", "b", "c"]
    assert all(there is False for _, there in laid.values())


def test_problems_from_both_cores_are_all_reported(fake_engine):
    laid: dict = {}
    with ThreadPoolExecutor(1) as pool, pytest.raises(RenderError) as raised:
        _round(["broken-1", "fine", "broken-2", "also-fine", "broken-3"], pool.submit, laid)
    assert sorted(d.path for d in raised.value.diagnostics) == ["broken-1.md", "broken-2.md", "broken-3.md"]
    assert sorted(laid) == ["also-fine", "fine"]


def test_a_first_build_guesses_at_the_pace_of_the_chapters_laid_out():
    html = ('<html><head></head><body><p>Front matter.</p>' + "".join(
        f'<!--part:{name}--><h1 id="{name}">{name}</h1><p>{"x" * size}</p><p id="{name}-end">end</p>'
        for name, size in (("a", 3000), ("b", 3000), ("c", 9000), ("d", 6000))) + "</body></html>")
    pieces = parts.split(html)
    assert [p.name for p in pieces] == ["front", "a", "b", "c", "d"]
    # Nothing laid out yet: the book's usual pace.
    starts, _ = inparts._estimate(pieces, {}, PageMap())
    assert starts[1] < starts[2] < starts[3] < starts[4]
    # Two chapters laid out, at 1,000 characters a page: the others are guessed at that pace.
    laid = {name: PartLayout(name, "k", b"", "", (), {}, {}, 3) for name in ("a", "b")}
    starts, anchors = inparts._estimate(pieces, laid, PageMap())
    text = {p.name: p.text for p in pieces}
    assert (text["a"] + text["b"]) / 6 == pytest.approx(1000, rel=0.05)
    assert starts[4] - starts[3] in (9, 10)  # c: about 9 pages, then a blank verso if needed
    assert anchors["d-end"] == starts[4] + 5  # d: 6 pages, its last anchor on the last
    # Every part laid out: the map is theirs alone.
    laid.update({name: PartLayout(name, "k", b"", "", (), {name: 1}, {}, 2) for name in ("front", "c", "d")})
    assert inparts._estimate(pieces, laid, PageMap())[0] == [1, 3, 7, 11, 13]


def test_a_build_whose_second_core_dies_makes_the_same_book(sample_out, tmp_path, monkeypatch):
    """The worker killed as it starts: every task it was given or would have been given is done
    by the build's own process, and the outputs are those of a build with both cores."""
    from handbook import worker as second_core
    from handbook.build import build
    from conftest import SAMPLE

    started = second_core.Worker.__init__

    def killed(self):
        started(self)
        for process in list(self.pool._processes.values()):
            process.kill()
            process.join()

    monkeypatch.setattr(second_core.Worker, "__init__", killed)
    out = tmp_path / "out"
    build(SAMPLE, out, force=True)
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != ".manifest.json")
    assert made == sorted(p.relative_to(sample_out) for p in sample_out.rglob("*") if p.is_file() and p.name != ".manifest.json")
    assert [name for name in made if (out / name).read_bytes() != (sample_out / name).read_bytes()] == []
