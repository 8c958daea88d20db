"""What every handler shares: the store access, the configuration, caches, the deliverer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from infoops.review.access import StoreAccess
from infoops.review.analysis import AnalysisCache
from infoops.review.delivery import Deliverer
from infoops.review.web.security import LoginLimiter

T = TypeVar("T")


@dataclass
class Context:
    access: StoreAccess
    config: Any  # ServeConfig
    analyses: AnalysisCache
    limiter: LoginLimiter
    deliverer: Deliverer | None = None
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T], size: int = 256) -> T:
        """Results of a detect run never change: compute once per key, keep ``size`` keys."""
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._memo_lock:
            if len(self._memo) >= size:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = value
        return value

    def kick(self) -> None:
        if self.deliverer is not None:
            self.deliverer.kick()


def ctx(request: Request) -> Context:
    return request.app.state.ctx


async def read(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(cursor, ...)`` in a worker thread on a cursor of its own."""
    return await run_in_threadpool(ctx(request).access.read, fn, *args, **kwargs)


async def write(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Like :func:`read`, under the single-writer lock."""
    return await run_in_threadpool(ctx(request).access.write, fn, *args, **kwargs)
