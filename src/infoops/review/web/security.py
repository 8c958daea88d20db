"""Sign-in, sessions, CSRF tokens, role checks and the login rate limit.

Sessions live in a signed cookie (Starlette's ``SessionMiddleware``, HMAC via
itsdangerous) holding the user name and a CSRF token; the user and role are
looked up on every request, so a role change or deactivation takes effect at
once. Every form carries the session's CSRF token (the synchronizer-token
pattern, OWASP), and JSON calls send it in ``X-CSRF-Token``; a mutating
request without the right token gets 403. Failed sign-ins are limited per
client address and per user name (sliding window).
"""

from __future__ import annotations

import hmac
import html
import secrets
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from infoops.errors import ForbiddenError, StoreError
from infoops.review.rows import transaction
from infoops.review.users import User
from infoops.store.sql import scalar

#: Paths anyone may open: the login page and the health check (static assets are
#: the vendored stylesheet, no data).
PUBLIC = ("/login", "/healthz", "/api/login")
STATIC = "/static/"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def session_secret(con: Any) -> str:
    """The key that signs session cookies: kept in the store so restarts keep sessions."""
    with transaction(con):
        key = scalar(con, "SELECT value FROM review_settings WHERE key = 'session_secret'")
        if key is None:
            key = secrets.token_urlsafe(48)
            con.execute("INSERT INTO review_settings VALUES ('session_secret', ?)", [key])
    return str(key)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """403 unless the request carries the session's CSRF token (form field or header)."""
    want = request.session.get("csrf")
    got: Any = request.headers.get(CSRF_HEADER)
    if got is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        got = (await request.form()).get(CSRF_FIELD)
    if not want or not isinstance(got, str) or not hmac.compare_digest(str(want), got):
        raise ForbiddenError("missing or wrong CSRF token; reload the page and try again")


def current_user(request: Request) -> User:
    user = request.scope.get("user")
    if not isinstance(user, User):  # the middleware lets no such request through
        raise ForbiddenError("sign in first")
    return user


class LoginLimiter:
    """At most ``max_failures`` failed sign-ins per key within ``window`` seconds."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> float:
        """Seconds to wait before another try is allowed (0 when allowed)."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window - (now - q[0]) for k in keys
                     if len(q := self._recent(k, now)) >= self.max_failures]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)


class RequireUser:
    """ASGI middleware: every path but :data:`PUBLIC` needs a signed-in, active user.

    Pages redirect to ``/login``; ``/api/`` routes answer 401 JSON. The user is
    put in ``scope["user"]`` for the handlers.
    """

    def __init__(self, app: ASGIApp, lookup: Any) -> None:
        self.app = app
        self.lookup = lookup  # async (name) -> User | None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in PUBLIC or path.startswith(STATIC):
            await self.app(scope, receive, send)
            return
        from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

        name = scope.get("session", {}).get("user")
        try:
            user = await self.lookup(name) if name else None
        except StoreError as exc:  # the store is busy (another process) or cannot be opened
            message = str(exc)
            if path.startswith("/api/"):
                busy: Any = JSONResponse({"error": message, "status": 503}, status_code=503)
            else:
                busy = HTMLResponse(f"<!DOCTYPE html><title>Store busy</title><h1>Store busy</h1>"
                                    f"<p>{html.escape(message)}</p>", status_code=503)
            await busy(scope, receive, send)
            return
        if user is None:
            if path.startswith("/api/"):
                response: Any = JSONResponse({"error": "sign in first", "status": 401},
                                             status_code=401)
            else:
                from urllib.parse import quote

                response = RedirectResponse(f"/login?next={quote(path)}", status_code=303)
            await response(scope, receive, send)
            return
        scope["user"] = user
        await self.app(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: a strict Content-Security-Policy and friends on every response.

    No script may run (the app needs none), styles and images only from the app
    itself, forms only post back to it, and no page may be framed.
    """

    CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
           "base-uri 'none'; frame-ancestors 'none'")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", self.CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not scope["path"].startswith(STATIC):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)
