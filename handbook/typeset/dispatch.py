"""One round of the parts' layouts on both cores (`run`).

The parts whose numbers only moved are renumbered by the process that holds their layout. The
parts to lay out wait in one queue, which both cores take from in turn: this process lays out
one, while a thread of it keeps the second core fed, one part at a time. A part is dressed when
a core takes it, not when the round begins (`Dress`), so that a part laid out late in the round
is given the page counts of the parts laid out before it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from handbook.errors import Diagnostic, RenderError
from handbook.typeset import laidout
from handbook.typeset.laidout import PartJob, PartLayout, lay_out_part
from handbook.worker import Beside

Item = tuple[PartJob, int, dict[str, int]]  # a dressed part, its start page, the pages it cites
Dress = Callable[[object], "Item | None"]  # a part -> its job as things stand (None: nothing to do)
Take = Callable[[PartLayout, Item, bool], None]  # a layout made (by the second core or not)


def run(queue: list, dress: Dress, moved: list[Item], renumber: Callable[[Item], Future | PartLayout],
        files: dict[str, bytes], beside: Beside | None, take: Take) -> None:
    """Lay out the parts of `queue` (in that order, each dressed by `dress` as a core takes it)
    and renumber the `moved` ones (`renumber`: a future where the second core holds it); every
    result goes to `take`, under a lock shared with `dress`. Raises RenderError with every
    problem met."""
    lock = threading.Lock()
    problems: list[Diagnostic] = []
    handed_back: list[Item] = []  # taken by the second core's thread when that core failed

    def next_item() -> Item | None:
        with lock:
            while queue:
                item = dress(queue.pop(0))
                if item is not None:
                    return item
        return None

    def keep(result, item: Item, there: bool) -> None:
        with lock:
            if isinstance(result, RenderError):
                problems.extend(result.diagnostics)
            else:
                take(result, item, there)

    def here(item: Item) -> None:
        try:
            keep(lay_out_part(item[0], files, hold=True), item, False)
        except RenderError as error:
            keep(error, item, False)

    def feed() -> None:
        """The second core's share: one part at a time, until the queue is empty."""
        while (item := next_item()) is not None:
            try:
                result = beside(laidout.lay_out_parts, [item[0]], files, True).result()
            except Exception:  # noqa: BLE001 - the second core failed (killed, out of memory): this one does it
                handed_back.append(item)
                return
            keep(result[0] if isinstance(result, list) else result, item, True)

    away = []
    for item in moved:
        done = renumber(item)
        if isinstance(done, Future):
            away.append((item, done))
        else:
            keep(done, item, False)
    feeder = threading.Thread(target=feed, name="second-core", daemon=True) if beside else None
    if feeder:
        feeder.start()
    while (item := next_item()) is not None:
        here(item)
    if feeder:
        feeder.join()
    for item in handed_back:
        here(item)
    for item, future in away:
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 - as above: the part is laid out here
            here(item)
            continue
        keep(result, item, True)
    if problems:
        raise RenderError(sorted(set(problems)))
