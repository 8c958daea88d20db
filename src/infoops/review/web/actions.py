"""Mutating routes: every one needs a session (middleware), the CSRF token and a role.

Each POSTs to a path that has a JSON twin under ``/api/``: a form post answers
with a redirect (303) and a flash message, the JSON twin with the result.
The role check lives in the library functions they call (one place, shared
with the CLI); handlers check it first too, so a forbidden request is refused
before anything is read.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from infoops.errors import AuthenticationError, ReviewError
from infoops.review import appeals, cases, outbox, takedown, users
from infoops.review.users import require
from infoops.review.web.context import ctx, read, write
from infoops.review.web.render import flash, page, wants_json
from infoops.review.web.security import check_csrf, csrf_token, current_user


async def _fields(request: Request) -> dict[str, Any]:
    """Form fields (``account_ids`` as a list) or a JSON object's members."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise ReviewError(f"the request body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise ReviewError("send a JSON object")
        return body
    form = await request.form()
    out: dict[str, Any] = {k: form.get(k) for k in form}
    out["account_ids"] = [str(v) for v in form.getlist("account_ids")]
    return out


def _version(raw: Any) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        raise ReviewError(f"version {raw!r} is not a number; reload the page") from None


def _done(request: Request, target: str, message: str, result: Any = None) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, "message": message, "result": result,
                             "location": target})
    flash(request, message)
    return RedirectResponse(target, status_code=303)


async def _guard(request: Request, permission: str) -> dict[str, Any]:
    """CSRF first (403), then the role (403); return the fields."""
    await check_csrf(request)
    require(current_user(request), permission)
    return await _fields(request)


# -- sign in / out --------------------------------------------------------------------
async def login_form(request: Request) -> Response:
    token = csrf_token(request)
    data: dict[str, Any] = {"next": request.query_params.get("next", "/"), "error": None}
    if wants_json(request):
        data["csrf_token"] = token
    return page(request, "login.html", data)


async def login(request: Request) -> Response:
    await check_csrf(request)
    f = await _fields(request)
    name, password = str(f.get("username") or ""), str(f.get("password") or "")
    nxt = str(f.get("next") or "/")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"
    c = ctx(request)
    host = request.client.host if request.client else "?"
    keys = (f"ip:{host}", f"user:{name.lower()}")
    wait = c.limiter.retry_after(*keys)
    if wait > 0:
        msg = f"too many failed sign-ins; wait {wait:.0f} s and try again"
        if wants_json(request):
            return JSONResponse({"error": msg, "status": 429}, status_code=429,
                                headers={"Retry-After": str(int(wait) + 1)})
        return page(request, "login.html", {"next": nxt, "error": msg}, status=429)
    try:
        user = await read(request, users.authenticate, name, password)
    except AuthenticationError as exc:
        c.limiter.failed(*keys)
        if wants_json(request):
            return JSONResponse({"error": str(exc), "status": 401}, status_code=401)
        return page(request, "login.html", {"next": nxt, "error": str(exc)}, status=401)
    c.limiter.succeeded(*keys)
    request.session.clear()
    request.session["user"] = user.username
    csrf_token(request)  # a fresh token for the new session
    if wants_json(request):
        return JSONResponse({"ok": True, "username": user.username, "role": user.role,
                             "csrf_token": request.session["csrf"]})
    return RedirectResponse(quote(nxt, safe="/?=&%"), status_code=303)


async def logout(request: Request) -> Response:
    await check_csrf(request)
    request.session.clear()
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse("/login", status_code=303)


# -- cases ------------------------------------------------------------------------------
async def open_case(request: Request) -> Response:
    f = await _guard(request, "case.open")
    user = current_user(request)
    picked = f.get("account_ids") or []
    if isinstance(picked, str):
        picked = [picked]
    cid = await write(request, cases.open_case, user, str(f.get("run_id") or ""),
                      f.get("network_id") or None, picked, f.get("title"))
    return _done(request, f"/cases/{cid}", f"opened case {cid}", {"case_id": cid})


async def assign(request: Request) -> Response:
    f = await _guard(request, "case.assign")
    cid = request.path_params["case_id"]
    v = await write(request, cases.assign, current_user(request), cid, f.get("assignee"),
                    _version(f.get("version")))
    return _done(request, f"/cases/{cid}", f"case {cid} assigned", {"version": v})


async def note(request: Request) -> Response:
    f = await _guard(request, "case.note")
    cid = request.path_params["case_id"]
    await write(request, cases.add_note, current_user(request), cid, str(f.get("text") or ""))
    return _done(request, f"/cases/{cid}", "note added")


async def decide(request: Request) -> Response:
    f = await _guard(request, "case.decide")
    cid = request.path_params["case_id"]
    c = ctx(request)
    result = await write(request, cases.decide, current_user(request), cid,
                         str(f.get("decision") or ""), f.get("policy") or None, f.get("note"),
                         _version(f.get("version")), f.get("account_id") or None,
                         c.config.approval_threshold)
    c.kick()
    td = result["takedown"]
    msg = f"decision {result['decision']} recorded"
    if td.get("status") == "active":
        msg += f"; {td['accounts']:,} account(s) taken down, {td['posts']:,} posts removed"
    elif td.get("status") == "pending_approval":
        msg += (f"; takedown of {td['accounts']:,} account(s) waits for a second reviewer's "
                f"approval")
    back = f"/cases/{cid}" + (f"#acc-{f['account_id']}" if f.get("account_id") else "")
    return _done(request, back, msg, result)


async def approve(request: Request) -> Response:
    f = await _guard(request, "takedown.approve")
    cid = request.path_params["case_id"]
    result = await write(request, takedown.approve, current_user(request), cid, f.get("reason"))
    ctx(request).kick()
    return _done(request, f"/cases/{cid}",
                 f"takedown approved: {result['accounts']:,} account(s) taken down, "
                 f"{result['posts']:,} posts removed", result)


async def reject(request: Request) -> Response:
    f = await _guard(request, "takedown.approve")
    cid = request.path_params["case_id"]
    n = await write(request, takedown.reject, current_user(request), cid, str(f.get("reason") or ""))
    return _done(request, f"/cases/{cid}", f"takedown of {n:,} account(s) rejected", {"rejected": n})


async def close(request: Request) -> Response:
    f = await _guard(request, "case.decide")
    cid = request.path_params["case_id"]
    v = await write(request, cases.close_case, current_user(request), cid,
                    _version(f.get("version")), f.get("reason"))
    return _done(request, f"/cases/{cid}", f"case {cid} closed", {"version": v})


# -- appeals ----------------------------------------------------------------------------
async def file_appeal(request: Request) -> Response:
    f = await _guard(request, "appeal.file")
    aid = await write(request, appeals.file_appeal, current_user(request),
                      str(f.get("account_id") or ""), str(f.get("statement") or ""),
                      f.get("case_id") or None)
    return _done(request, f"/appeals/{aid}", f"appeal {aid} filed", {"appeal_id": aid})


async def decide_appeal(request: Request) -> Response:
    f = await _guard(request, "appeal.decide")
    aid = request.path_params["appeal_id"]
    outcome = str(f.get("outcome") or "")
    if outcome not in ("uphold", "deny"):
        raise ReviewError("outcome: uphold or deny")
    result = await write(request, appeals.decide_appeal, current_user(request), aid,
                         outcome == "uphold", str(f.get("reason") or ""),
                         _version(f.get("version")))
    ctx(request).kick()
    msg = f"appeal {aid} {result['status']}"
    if result.get("restore"):
        msg += f"; account restored with its {result['restore']['posts']:,} posts"
    return _done(request, f"/appeals/{aid}", msg, result)


# -- outbox, users ----------------------------------------------------------------------
async def retry(request: Request) -> Response:
    await _guard(request, "outbox.retry")
    oid = request.path_params["action_id"]
    await write(request, outbox.retry, current_user(request), oid)
    ctx(request).kick()
    return _done(request, "/outbox", f"{oid} queued again")


async def add_user(request: Request) -> Response:
    f = await _guard(request, "users.manage")
    user = await write(request, users.add_user, str(f.get("username") or ""),
                       str(f.get("role") or ""), str(f.get("password") or ""),
                       current_user(request).username)
    return _done(request, "/users", f"user {user.username} added as {user.role}",
                 {"username": user.username, "role": user.role})


async def set_role(request: Request) -> Response:
    f = await _guard(request, "users.manage")
    name = request.path_params["username"]
    active = f.get("active")
    user = await write(request, users.set_role, current_user(request), name,
                       str(f.get("role") or ""),
                       None if active in (None, "") else str(active).lower() in ("1", "true", "on",
                                                                                 "yes"),
                       f.get("reason"))
    return _done(request, "/users", f"{user.username} is now {user.role}",
                 {"username": user.username, "role": user.role})
