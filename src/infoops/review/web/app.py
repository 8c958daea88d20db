"""The Starlette application behind ``infoops serve``: routes, middleware, error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from infoops.errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InfoopsError,
    NotFoundError,
    ReviewError,
    StoreBusyError,
)
from infoops.review import outbox, users
from infoops.review.access import StoreAccess
from infoops.review.analysis import AnalysisCache, compute
from infoops.review.delivery import Deliverer
from infoops.review.takedown import APPROVAL_THRESHOLD
from infoops.review.web import actions, pages
from infoops.review.web.context import Context
from infoops.review.web.render import page, wants_json
from infoops.review.web.security import LoginLimiter, RequireUser, SecurityHeaders, session_secret

STATIC = Path(__file__).parent / "static"
#: How long a browser session lasts.
SESSION_SECONDS = 12 * 3600


@dataclass
class ServeConfig:
    """Everything ``infoops serve`` can be told (all recorded on the app's state)."""

    db: str
    enforce_url: str | None = None
    approval_threshold: int = APPROVAL_THRESHOLD
    idle_seconds: float = 2.0
    wait_seconds: float = 5.0
    login_failures: int = 5
    login_window: float = 300.0
    analysis: bool = True
    secret_key: str | None = None
    https_only: bool = False
    retry: outbox.RetryPolicy = field(default_factory=outbox.RetryPolicy)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.approval_threshold < 0:
            raise ReviewError("--approval-threshold must be 0 or more")
        if self.enforce_url and not self.enforce_url.startswith(("http://", "https://")):
            raise ReviewError(f"--enforce-url {self.enforce_url!r}: give an http:// or https:// URL")


def _status(exc: InfoopsError) -> int:
    for cls, code in ((AuthenticationError, 401), (ForbiddenError, 403), (NotFoundError, 404),
                      (ConflictError, 409), (StoreBusyError, 503), (ReviewError, 400)):
        if isinstance(exc, cls):
            return code
    return 400


async def _error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InfoopsError)
    code = _status(exc)
    if wants_json(request):
        return JSONResponse({"error": str(exc), "status": code}, status_code=code)
    back = urlparse(request.headers.get("referer") or "/").path or "/"
    return page(request, "error.html", {"status": code, "message": str(exc), "back": back},
                status=code)


def _twin(path: str, endpoint: Any, methods: list[str] | None = None) -> list[BaseRoute]:
    """The page and its JSON twin under ``/api``."""
    return [Route(path, endpoint, methods=methods), Route("/api" + path, endpoint, methods=methods)]


def routes() -> list[BaseRoute]:
    get, post = ["GET"], ["POST"]
    out: list[BaseRoute] = [
        Route("/healthz", pages.healthz, methods=get),
        *_twin("/login", actions.login_form, get), *_twin("/login", actions.login, post),
        *_twin("/logout", actions.logout, post),
        Route("/api/me", pages.me, methods=get),
        Route("/", pages.index, methods=get),
        *_twin("/networks", pages.index, get),
        *_twin("/networks/{network_id}", pages.network, get),
        *_twin("/networks/{network_id}/members", pages.members, get),
        *_twin("/networks/{network_id}/evidence", pages.network_evidence, get),
        *_twin("/networks/{network_id}/live", pages.network_live, get),
        *_twin("/accounts/{account_id}", pages.account, get),
        *_twin("/accounts/{account_id}/posts", pages.account_posts, get),
        *_twin("/search", pages.search, get),
        *_twin("/cases", pages.case_list, get), *_twin("/cases", actions.open_case, post),
        *_twin("/cases/{case_id}", pages.case_detail, get),
        *_twin("/cases/{case_id}/assign", actions.assign, post),
        *_twin("/cases/{case_id}/notes", actions.note, post),
        *_twin("/cases/{case_id}/decide", actions.decide, post),
        *_twin("/cases/{case_id}/approve", actions.approve, post),
        *_twin("/cases/{case_id}/reject", actions.reject, post),
        *_twin("/cases/{case_id}/close", actions.close, post),
        *_twin("/appeals", pages.appeal_list, get), *_twin("/appeals", actions.file_appeal, post),
        *_twin("/appeals/{appeal_id}", pages.appeal_detail, get),
        *_twin("/appeals/{appeal_id}/decide", actions.decide_appeal, post),
        *_twin("/archive", pages.archive, get),
        *_twin("/outbox", pages.outbox_list, get),
        *_twin("/outbox/{action_id}/retry", actions.retry, post),
        *_twin("/audit", pages.audit_log, get),
        *_twin("/users", pages.user_list, get), *_twin("/users", actions.add_user, post),
        *_twin("/users/{username}/role", actions.set_role, post),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    return out


def create_app(config: ServeConfig, access: StoreAccess | None = None) -> Starlette:
    """The review app over ``config.db``; the store is opened on demand (see StoreAccess)."""
    access = access or StoreAccess(config.db, config.idle_seconds, config.wait_seconds)
    secret = config.secret_key or access.write(session_secret)
    analyses = AnalysisCache(lambda run, net: access.read(compute, run, net, config.seed))
    ctx = Context(access=access, config=config, analyses=analyses,
                  limiter=LoginLimiter(config.login_failures, config.login_window))
    if config.enforce_url:
        ctx.deliverer = Deliverer(access, config.enforce_url, config.retry)

    async def lookup(name: str) -> users.User | None:
        return await run_in_threadpool(access.read, users.get_user, name)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        access.start()
        if ctx.deliverer is not None:
            ctx.deliverer.start()
        try:
            yield
        finally:
            if ctx.deliverer is not None:
                ctx.deliverer.stop()
            analyses.stop()
            access.stop()

    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=secret, session_cookie="infoops_session",
                       max_age=SESSION_SECONDS, same_site="strict", https_only=config.https_only),
            Middleware(RequireUser, lookup=lookup),
        ],
        exception_handlers={InfoopsError: _error, 404: _not_found, 405: _not_allowed},
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return await _error(request, NotFoundError(f"no page {request.url.path}"))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    message = f"{request.method} is not allowed on {request.url.path}"
    if wants_json(request):
        return JSONResponse({"error": message, "status": 405}, status_code=405)
    return page(request, "error.html", {"status": 405, "message": message, "back": "/"}, status=405)
