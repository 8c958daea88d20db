"""The report's analysis of a network (narratives, timeline, rhythm, picture, evidence), cached.

Computing a network's report sections takes from a fraction of a second to
tens of seconds on a large network (topic model, layout). Results of a detect
run never change, so :class:`AnalysisCache` computes each ``(run, network)``
once, in a background thread, and pages show it when it is ready. The HTML
comes from :mod:`infoops.report.sections` (every data field escaped there).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from infoops.report import sections
from infoops.report.build import NetworkSection, network_section, ranked_networks


@dataclass
class Analysis:
    """One network's report sections, rendered, and their data for the JSON twin."""

    html: str
    data: dict[str, Any]


def compute(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str, seed: int = 0,
            max_nodes: int = 2000) -> Analysis:
    """Run the report's section builder for one network and render it."""
    net = next((n for n in ranked_networks(con, run_id) if n["network_id"] == network_id), None)
    if net is None:
        return Analysis("", {})
    sec: NetworkSection = network_section(con, run_id, net, seed=seed, max_nodes=max_nodes)
    data = {
        "counts": sec.counts, "periods": sec.periods, "period": sec.period,
        "posts_over_time": sec.by_kind,
        "narratives": [{"terms": t.terms, "posts": t.posts} for t in sec.narratives.topics],
        "hour_weekday": sec.heatmap,
        "top": {k: [r.__dict__ for r in v] for k, v in sec.top.items()},
        "picture": {"shown_nodes": sec.picture.shown_nodes, "total_nodes": sec.picture.total_nodes,
                    "shown_edges": sec.picture.shown_edges, "total_edges": sec.picture.total_edges,
                    "layout": sec.picture.layout},
    }
    return Analysis(sections.network(sec), data)


class AnalysisCache:
    """Compute analyses in one background thread; keep the ``size`` most recent."""

    def __init__(self, runner: Callable[[str, str], Analysis], size: int = 32) -> None:
        self._runner = runner
        self._size = size
        self._done: OrderedDict[tuple[str, str], Analysis] = OrderedDict()
        self._failed: dict[tuple[str, str], str] = {}
        self._queue: list[tuple[str, str]] = []
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = False

    def get(self, run_id: str, network_id: str, start: bool = True) -> Analysis | str:
        """The analysis, or a state string: ``pending`` (being computed) or an error message."""
        key = (run_id, network_id)
        with self._cv:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            if key in self._failed:
                return self._failed[key]
            if start and key not in self._queue:
                self._queue.append(key)
                self._ensure_thread()
                self._cv.notify()
        return "pending"

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="analysis", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                key = self._queue[0]
            try:
                result: Analysis | None = self._runner(*key)
                error = None
            except Exception as exc:
                result, error = None, f"analysis failed: {exc}"
            with self._cv:
                self._queue.remove(key)
                if result is not None:
                    self._done[key] = result
                    while len(self._done) > self._size:
                        self._done.popitem(last=False)
                else:
                    self._failed[key] = error or "analysis failed"

    def wait(self, run_id: str, network_id: str, timeout: float = 60.0) -> Analysis | str:
        """Block until the analysis is done (for tests and the benchmark's warm-up)."""
        import time

        deadline = time.monotonic() + timeout
        got = self.get(run_id, network_id)
        while got == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
            got = self.get(run_id, network_id)
        return got

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
