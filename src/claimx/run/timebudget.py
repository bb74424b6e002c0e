"""A wall-time budget per document, so one pathological document cannot stall a batch.

The pipeline is pure Python over spaCy; a rule or a text that makes it crawl
(a regex backtracking on a huge line, millions of matches) would otherwise hold
the whole batch, and a worker, for as long as it takes. SIGALRM interrupts such
work between bytecodes (Python's ``re`` checks for signals too), which no
cooperative check inside the components could do.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class DocumentTimeout(BaseException):
    """The budget ran out. A BaseException, so no ``except Exception`` inside the pipeline swallows it."""


def available() -> bool:
    """A budget can be kept here: POSIX interval timers, in the main thread (signals go there only)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` inside the block once ``seconds`` have passed.

    ``seconds <= 0`` or no :func:`available` timer: the block runs unbounded (Dask
    runs tasks in worker threads, for example). The previous SIGALRM handler, and a
    timer someone else had set, are restored afterwards.
    """
    if seconds <= 0 or not available():
        yield
        return

    def on_alarm(signum, frame):
        raise DocumentTimeout(seconds)

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:
            left = max(old_delay - (time.monotonic() - started), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)
