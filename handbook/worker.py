"""The second core: one worker process that runs tasks while the main process lays out the book.

It knows nothing of the pipeline: it runs the functions it is given (the build gives it those of
`handbook/ahead.py`: read the book early, make the checklist PDFs ahead, check the links inside
each finished output) and is stopped, never waited for, when the build ends.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

Beside = Callable[..., Future]  # runs a function on the second core (`Worker.submit`)


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a build that was killed (Linux: parent-death signal)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # killed while this process was starting, before the signal was set
        os._exit(1)


@contextmanager
def _stderr_to_null():
    """Processes started here write nothing to the terminal: a worker killed with the build
    while it starts would print the traceback of its broken start-up. All a worker has to say
    comes back with its results."""
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def result_or_here(future: Future, task: Callable, *args):
    """The result of `task(*args)`, given to the second core as `future`; should that core have
    died (killed, out of memory), the task is done here. Its own failures are its own."""
    try:
        return future.result()
    except BrokenProcessPool:
        return task(*args)


class Worker:
    def __init__(self) -> None:
        # A fresh interpreter, not a fork: the layout engine's libraries are not fork-safe.
        with _stderr_to_null():
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_die_with_parent, initargs=(os.getpid(),))
            self.pool.submit(int)  # starts the worker (and multiprocessing's resource tracker) now

    def __enter__(self) -> Worker:
        return self

    def submit(self, task: Callable, *args) -> Future:
        """The task's future; once the worker has died (killed, out of memory), a future that
        failed, like those of the tasks it held: each caller then does its task itself."""
        try:
            return self.pool.submit(task, *args)
        except (BrokenProcessPool, RuntimeError) as exc:
            failed: Future = Future()
            failed.set_exception(exc)
            return failed

    def __exit__(self, kind, value, traceback) -> None:
        # Failed or interrupted, the build stops the worker now, not after its task; done, it has
        # every answer, and the worker holds nothing worth the tenth of a second its interpreter
        # takes to wind down.
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join()
        self.pool.shutdown(wait=True)
