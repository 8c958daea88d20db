"""Read-only pages (each with its JSON twin under ``/api/``)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from infoops import __version__
from infoops.errors import NotFoundError
from infoops.report import svg
from infoops.review import accounts, appeals, audit, cases, networks, outbox, takedown, users
from infoops.review.analysis import Analysis
from infoops.review.redetect import returning
from infoops.review.users import require
from infoops.review.web.context import ctx, read
from infoops.review.web.render import Pager, page, wants_json
from infoops.review.web.security import csrf_token, current_user


async def _run(request: Request) -> str:
    return await read(request, networks.check_run, request.query_params.get("run") or None)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__,
                         "store_open": ctx(request).access.is_open})


async def me(request: Request) -> Response:
    user = current_user(request)
    return JSONResponse({"username": user.username, "role": user.role,
                         "csrf_token": csrf_token(request),
                         "may": sorted(p for p in users.PERMISSIONS if user.can(p))})


async def index(request: Request) -> Response:
    run = await _run(request)
    c = ctx(request)
    ranked = await read(request, lambda con: c.memo(("ranked", run), lambda: networks.ranked(con, run)))
    status = await read(request, networks.network_status, run)
    rejected = await read(request, lambda con: c.memo(("rejected", run),
                                                      lambda: networks.rejected(con, run)))
    runs = await read(request, networks.runs)
    pager = Pager(request)
    pager.total = len(ranked)
    rows = [{**n, **status.get(n["network_id"], {})} for n in ranked[pager.offset:pager.offset + pager.per]]
    return page(request, "networks.html", {"run_id": run, "runs": runs, "networks": rows,
                                           "rejected": rejected, "pager": pager.as_dict()})


async def network(request: Request) -> Response:
    run = await _run(request)
    nid = request.path_params["network_id"]
    c = ctx(request)
    summary = await read(request, lambda con: c.memo(("summary", run, nid),
                                                     lambda: networks.summary(con, run, nid)))
    status = (await read(request, networks.network_status, run, nid)).get(nid, {})
    rejected = await read(request, lambda con: c.memo(("rejected", run, nid),
                                                      lambda: networks.rejected(con, run, nid)))
    back = await read(request, returning, run, nid)
    here, _ = await read(request, cases.list_cases, run_id=run, network_id=nid)
    got = c.analyses.get(run, nid) if c.config.analysis else "off"
    data: dict[str, Any] = {"run_id": run, "network": summary, "status": status,
                            "rejected": rejected, "returning": back, "cases": here,
                            "analysis_state": got if isinstance(got, str) else "ready"}
    if wants_json(request):
        if isinstance(got, Analysis):
            data["analysis"] = got.data
        return page(request, "network.html", data)
    data["analysis_html"] = Markup(got.html) if isinstance(got, Analysis) else ""
    return page(request, "network.html", data)


async def members(request: Request) -> Response:
    run = await _run(request)
    nid = request.path_params["network_id"]
    pager = Pager(request)
    role = request.query_params.get("role") or None
    sort = request.query_params.get("sort") or "score"
    c = ctx(request)
    summary = await read(request, lambda con: c.memo(("summary", run, nid),
                                                     lambda: networks.summary(con, run, nid)))
    rows, pager.total = await read(request, networks.members, run, nid, limit=pager.per,
                                   offset=pager.offset, role=role, sort=sort)
    return page(request, "members.html", {"run_id": run, "network": summary, "members": rows,
                                          "role": role, "sort": sort, "pager": pager.as_dict()})


async def network_evidence(request: Request) -> Response:
    run = await _run(request)
    nid = request.path_params["network_id"]
    pager = Pager(request)
    acc = request.query_params.get("account") or None
    rows, pager.total = await read(request, networks.evidence, run, nid, limit=pager.per,
                                   offset=pager.offset, account_id=acc)
    return page(request, "evidence.html", {"run_id": run, "network_id": nid, "account": acc,
                                           "evidence": rows, "pager": pager.as_dict()})


async def network_live(request: Request) -> Response:
    run = await _run(request)
    nid = request.path_params["network_id"]
    pager = Pager(request)
    rows, pager.total = await read(request, accounts.live_members, run, nid, limit=pager.per,
                                   offset=pager.offset)
    return page(request, "live.html", {"run_id": run, "network_id": nid, "accounts": rows,
                                       "pager": pager.as_dict()})


async def account(request: Request) -> Response:
    run = await _run(request)
    aid = request.path_params["account_id"]
    data = await read(request, accounts.account, aid, run)
    if not wants_json(request) and data["timeline"]:
        tl = data["timeline"][-120:]
        data["timeline_svg"] = Markup(svg.bar_chart(
            [d["day"] for d in tl], [d["n"] for d in tl], title="posts per day"))
    return page(request, "account.html", data)


async def account_posts(request: Request) -> Response:
    aid = request.path_params["account_id"]
    view = request.query_params.get("view") or "all"
    pager = Pager(request)
    profile = await read(request, accounts.account, aid, None)
    rows, pager.total = await read(request, accounts.posts, aid, view=view, limit=pager.per,
                                   offset=pager.offset)
    return page(request, "posts.html", {"profile": profile["profile"], "live": profile["live"],
                                        "view": view, "posts": rows, "pager": pager.as_dict()})


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "")
    return page(request, "search.html", await read(request, accounts.search, q))


async def case_list(request: Request) -> Response:
    pager = Pager(request)
    status = request.query_params.get("status") or None
    rows, pager.total = await read(request, cases.list_cases, status, pager.per, pager.offset)
    return page(request, "cases.html", {"cases": rows, "status": status,
                                        "pager": pager.as_dict()})


async def case_detail(request: Request) -> Response:
    cid = request.path_params["case_id"]
    pager = Pager(request)
    decision = request.query_params.get("decision") or None
    case = await read(request, cases.get_case, cid)
    rows, pager.total = await read(request, cases.case_accounts, cid, pager.per, pager.offset,
                                   decision)
    actions = await read(request, outbox.listing, cid)
    people = [u["username"] for u in await read(request, users.list_users) if u["active"]]
    c = ctx(request)
    return page(request, "case.html", {
        "case": case, "accounts": rows, "decision_filter": decision, "pager": pager.as_dict(),
        "outbox": actions, "people": people, "enforce_url": bool(c.config.enforce_url),
        "approval_threshold": c.config.approval_threshold})


async def appeal_list(request: Request) -> Response:
    status = request.query_params.get("status") or None
    pager = Pager(request)
    rows = await read(request, appeals.list_appeals, status, None, pager.per, pager.offset)
    return page(request, "appeals.html", {"appeals": rows, "status": status,
                                          "pager": pager.as_dict()})


async def appeal_detail(request: Request) -> Response:
    appeal = await read(request, appeals.get_appeal, request.path_params["appeal_id"])
    history = await read(request, takedown.history, appeal["account_id"])
    return page(request, "appeal.html", {"appeal": appeal, "takedowns": history})


async def archive(request: Request) -> Response:
    pager = Pager(request)
    cid = request.query_params.get("case") or None
    rows, pager.total = await read(request, takedown.archive, cid, pager.per, pager.offset)
    return page(request, "archive.html", {"accounts": rows, "case_id": cid,
                                          "pager": pager.as_dict()})


async def outbox_list(request: Request) -> Response:
    pager = Pager(request)
    rows = await read(request, outbox.listing, None, pager.per, pager.offset)
    c = ctx(request)
    return page(request, "outbox.html", {
        "actions": rows, "pager": pager.as_dict(), "enforce_url": c.config.enforce_url or "",
        "deliverer_error": c.deliverer.last_error if c.deliverer else None})


async def audit_log(request: Request) -> Response:
    require(current_user(request), "audit.view")
    pager = Pager(request)
    rows = await read(request, audit.entries, limit=pager.per, offset=pager.offset,
                      object_type=request.query_params.get("type") or None,
                      object_id=request.query_params.get("id") or None)
    pager.total = await read(request, audit.count)
    check = await read(request, audit.verify) if request.query_params.get("verify") else None
    return page(request, "audit.html", {"entries": rows, "pager": pager.as_dict(),
                                        "check": check.__dict__ if check else None})


async def user_list(request: Request) -> Response:
    require(current_user(request), "users.manage")
    return page(request, "users.html", {"users": await read(request, users.list_users),
                                        "roles": users.ROLES, "permissions": users.PERMISSIONS})


async def not_found(request: Request) -> Response:
    raise NotFoundError(f"no page {request.url.path}")
