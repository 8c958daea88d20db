"""One handler, two answers: an HTML page (Jinja2) or its JSON twin under ``/api/``.

Templates autoescape every value, and a ``finalize`` hook strips bidirectional
and control characters from every value before it is escaped (the report's
:func:`infoops.report.safe.clean`), so hostile post text, names and URLs render
inert on every page without each template remembering to.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, UndefinedError, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from infoops import __version__
from infoops.report import safe
from infoops.review.cases import DECISIONS, POLICIES
from infoops.review.networks import MAX_PAGE_SIZE, PAGE_SIZE
from infoops.review.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, str):
        return safe.clean(value)
    return value


def _clip(value: Any, limit: int = 300) -> str:
    s = safe.clean(value)
    return s if len(s) <= limit else f"{s[:limit]}… [truncated; {len(s):,} characters]"


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    try:
        return f"{float(value):,.{digits}f}"
    except (TypeError, ValueError, UndefinedError):
        return "–"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.0f}%"


def _jsonpretty(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                  autoescape=select_autoescape(default=True, default_for_string=True),
                  finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(clip=_clip, num=_num, pct=_pct, jsonpretty=_jsonpretty)
ENV.globals.update(DECISIONS=DECISIONS, POLICIES=POLICIES, version=__version__)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def page(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    """The HTML page rendered from ``template``, or ``data`` as JSON on an ``/api/`` path."""
    if wants_json(request):
        return JSONResponse(json.loads(json.dumps(data, default=str)), status_code=status)
    user = request.scope.get("user")
    flashes = request.session.pop("flash", []) if "session" in request.scope else []
    html = ENV.get_template(template).render(
        request=request, user=user, csrf=csrf_token(request) if "session" in request.scope else "",
        flashes=flashes, **data)
    return HTMLResponse(html, status_code=status)


def flash(request: Request, message: str) -> None:
    request.session.setdefault("flash", []).append(message)
    request.session["flash"] = request.session["flash"][-5:]


class Pager:
    """``?page=N&per=K`` (1-based page, K rows, at most :data:`MAX_PAGE_SIZE`)."""

    def __init__(self, request: Request, per: int = PAGE_SIZE) -> None:
        q = request.query_params
        self.page = max(_int(q.get("page"), 1), 1)
        self.per = min(max(_int(q.get("per"), per), 1), MAX_PAGE_SIZE)
        self.total = 0

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per))

    def as_dict(self) -> dict[str, int]:
        return {"page": self.page, "per": self.per, "total": self.total, "pages": self.pages}


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return default
