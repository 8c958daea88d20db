"""Read the next batch while the current one is written.

Parsing a batch (Arrow's CSV reader, the line guard, the checks in
:mod:`infoops.ingest.tabular`) and writing one (DuckDB) both release the
GIL for most of their work, so on two cores a reader thread that stays one
batch ahead overlaps them. One writer still: only the caller's thread
touches the store; the reader thread only reads the source.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()
#: How long the reader waits on a full queue before it looks again whether it
#: should stop (the consumer left early).
_POLL_S = 0.05


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], ahead: int = 1) -> Iterator[T]:
    """Yield ``items`` as they are, produced by a thread up to ``ahead`` items early.

    An exception raised while producing is raised here, at the item where it
    happened. When the consumer stops early (``break``, an exception, the
    generator closed), the thread stops producing and the source iterator is
    closed before this generator returns.
    """
    if ahead < 1:
        raise ValueError("ahead must be at least 1")
    q: queue.Queue[Any] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        it = iter(items)
        try:
            for item in it:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="infoops-ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()
