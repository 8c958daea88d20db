"""The review web app through Starlette's test client: security, JSON twins, hostile text."""
# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette")
# starlette warns that its test client will move to httpx2; httpx is what it runs on today
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

from starlette.routing import Route
from starlette.testclient import TestClient

from html_checks import assert_inert_markup
from infoops.review.web import ServeConfig, create_app
from infoops.review.web.app import routes
from report_fixtures import BIDI, HOSTILE_NAME, SCRIPT
from review_fixtures import HOSTILE, PASSWORDS, RUN, hand_db, hand_template  # noqa: F401

PUBLIC = {"/login", "/api/login", "/healthz"}
EXAMPLE = {"network_id": "1", "account_id": "c1", "case_id": "C1", "appeal_id": "A1",
           "action_id": "OB1", "username": "ann"}


def _paths(method: str) -> list[str]:
    out = []
    for r in routes():
        if isinstance(r, Route) and method in (r.methods or set()):
            out.append(re.sub(r"\{(\w+)\}", lambda m: EXAMPLE[m.group(1)], r.path))
    return out


def login(client: TestClient, name: str, password: str | None = None) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": name, "password": password or PASSWORDS[name],
                                    "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client.get("/api/me").json()["csrf_token"]


@pytest.fixture
def app(hand_db: Path):
    return create_app(ServeConfig(db=str(hand_db), approval_threshold=5, analysis=False,
                                  login_failures=3))


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _client(app) -> TestClient:
    return TestClient(app)


# -- no session ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(set(_paths("GET")) - PUBLIC))
def test_every_page_needs_a_session(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        assert r.status_code == 401 and r.json()["error"] == "sign in first"
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", sorted(set(_paths("POST")) - PUBLIC))
def test_every_action_needs_a_session(client: TestClient, path: str) -> None:
    r = client.post(path, data={"csrf_token": "x"}, follow_redirects=False)
    assert r.status_code in (303, 401)
    if path.startswith("/api/"):
        assert r.status_code == 401


def test_public_routes(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/login").status_code == 200
    assert client.get("/api/login").json()["csrf_token"]
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/no/such/page", follow_redirects=False).status_code == 303


# -- CSRF ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(set(_paths("POST")) - {"/login", "/api/login"}))
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_action_needs_the_csrf_token(app, path: str, token: str | None) -> None:
    with _client(app) as c:
        login(c, "ada")  # admin: any role check would pass; only the token is missing
        data = {"csrf_token": token} if token else {}
        r = c.post(path, data={**data, "decision": "confirm", "policy": "spam", "version": "1",
                               "run_id": RUN, "network_id": "1"}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code, r.text[:300])
        assert "CSRF" in r.text
        # the JSON twin without the header
        if path.startswith("/api/"):
            assert c.post(path, json={"version": 1}).status_code == 403


def test_login_itself_needs_the_csrf_token(client: TestClient) -> None:
    r = client.post("/login", data={"username": "ann", "password": PASSWORDS["ann"]})
    assert r.status_code == 403


# -- roles and the two-person rule ----------------------------------------------------------------
def test_roles_are_checked_on_every_mutating_route(app) -> None:
    with _client(app) as c:
        tok = login(c, "ann")
        h = {"X-CSRF-Token": tok}
        assert c.post("/api/users", json={"username": "eve", "role": "admin",
                                          "password": "long-enough"}, headers=h).status_code == 403
        assert c.post("/api/users/ann/role", json={"role": "admin"}, headers=h).status_code == 403
        assert c.get("/audit").status_code == 403 and c.get("/users").status_code == 403
        r = c.post("/api/cases", json={"run_id": RUN, "network_id": "1"}, headers=h)
        cid = r.json()["result"]["case_id"]
        r = c.post(f"/api/cases/{cid}/decide", json={"decision": "confirm",
                                                     "policy": "fake_accounts", "version": 1},
                   headers=h)
        assert r.json()["result"]["takedown"]["status"] == "pending_approval"  # 18 > 5
        r = c.post(f"/api/cases/{cid}/approve", json={}, headers=h)
        assert r.status_code == 403  # an analyst cannot approve their own takedown
        assert c.post("/api/outbox/OB1/retry", json={}, headers=h).status_code == 403
    with _client(app) as c:
        tok = login(c, "rob")
        h = {"X-CSRF-Token": tok}
        picked = [f"bg{i:02d}" for i in range(6)]  # 6 > the threshold of 5
        r = c.post("/api/cases", json={"run_id": RUN, "account_ids": picked}, headers=h)
        cid2 = r.json()["result"]["case_id"]
        c.post(f"/api/cases/{cid2}/decide", json={"decision": "confirm", "policy": "spam",
                                                  "version": 1}, headers=h)
        r = c.post("/api/cases/C1/approve", json={}, headers=h)
        assert r.status_code == 200 and r.json()["result"]["accounts"] == 18
        r = c.post(f"/api/cases/{cid2}/approve", json={}, headers=h)
        assert r.status_code == 403 and "two-person" in r.json()["error"]


def test_login_rate_limit(app) -> None:
    with _client(app) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        codes = [c.post("/login", data={"username": "ann", "password": "nope-nope",
                                        "csrf_token": token}).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        r = c.post("/login", data={"username": "ann", "password": PASSWORDS["ann"],
                                   "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 429 and "wait" in r.text  # even the right password, for now


def test_session_cookie_is_signed_and_strict(app) -> None:
    with _client(app) as c:
        login(c, "ann")
        cookie = c.cookies.get("infoops_session")
        assert cookie and "ann" not in cookie.split(".")[-1]
        raw = c.get("/").headers  # noqa: F841 - makes sure the session works
        c.cookies.set("infoops_session", cookie[:-4] + "AAAA")
        assert c.get("/", follow_redirects=False).status_code == 303  # tampered: signed out


def test_deactivated_user_is_signed_out(app) -> None:
    with _client(app) as admin, _client(app) as ann:
        login(ann, "ann")
        assert ann.get("/cases").status_code == 200
        tok = login(admin, "ada")
        r = admin.post("/api/users/ann/role", json={"role": "analyst", "active": False},
                       headers={"X-CSRF-Token": tok})
        assert r.status_code == 200
        assert ann.get("/cases", follow_redirects=False).status_code == 303


# -- JSON twins and the flow through forms ------------------------------------------------------------
def test_json_twins_match_the_pages(client: TestClient) -> None:
    login(client, "ann")
    nets = client.get("/api/networks").json()
    assert nets["run_id"] == RUN and [n["network_id"] for n in nets["networks"]] == ["1", "2", "3"]
    one = client.get("/api/networks/1").json()
    assert one["network"]["n_accounts"] == 18 and one["network"]["roles"]
    page = client.get("/networks/1")
    assert page.status_code == 200 and "Network 1" in page.text
    members = client.get("/api/networks/1/members?per=5&page=2").json()
    assert members["pager"] == {"page": 2, "per": 5, "total": 18, "pages": 4}
    assert len(members["members"]) == 5
    acc = client.get("/api/accounts/c1").json()
    assert acc["profile"]["account_id"] == "c1" and acc["memberships"][0]["network_id"] == "1"
    assert client.get("/api/accounts/nobody").status_code == 404
    assert client.get("/api/networks/404").status_code == 404
    found = client.get("/api/search?q=c1").json()
    assert [a["account_id"] for a in found["accounts"]] == ["c1"]


def test_form_flow_decide_conflict_and_appeal(app) -> None:
    with _client(app) as ann, _client(app) as rita:
        tok = login(ann, "ann")
        r = ann.post("/cases", data={"csrf_token": tok, "run_id": RUN, "network_id": "2"},
                     follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/cases/C1"
        r = ann.post("/cases/C1/decide", data={"csrf_token": tok, "decision": "confirm",
                                               "policy": "spam", "version": "1"})
        assert r.status_code == 200 and "taken down" in r.text
        r = ann.post("/cases/C1/decide", data={"csrf_token": tok, "decision": "dismiss",
                                               "version": "1"})
        assert r.status_code == 409 and "reload it" in r.text
        assert ann.get("/api/accounts/r0").json()["live"] is False
        r = ann.post("/appeals", data={"csrf_token": tok, "account_id": "r0",
                                       "statement": "I am a real newspaper"},
                     follow_redirects=False)
        assert r.headers["location"] == "/appeals/A1"
        tok2 = login(rita, "rita")
        r = rita.post("/appeals/A1/decide", data={"csrf_token": tok2, "outcome": "uphold",
                                                  "reason": "verified", "version": "1"})
        assert r.status_code == 200 and "restored" in r.text
        assert rita.get("/api/accounts/r0").json()["live"] is True


# -- hostile text is inert on every page ------------------------------------------------------------
def _hostile_history(app) -> list[str]:
    with _client(app) as c:
        tok = login(c, "rob")
        h = {"X-CSRF-Token": tok}
        c.post("/api/cases", json={"run_id": RUN, "network_id": "1", "title": SCRIPT}, headers=h)
        c.post("/api/cases/C1/notes", json={"text": SCRIPT + HOSTILE_NAME + BIDI}, headers=h)
        c.post("/api/cases/C1/decide", json={"decision": "confirm", "policy": "spam",
                                             "note": HOSTILE_NAME, "version": 1}, headers=h)
    with _client(app) as c:
        tok = login(c, "rita")
        c.post("/api/cases/C1/approve", json={"reason": SCRIPT}, headers={"X-CSRF-Token": tok})
        c.post("/api/appeals", json={"account_id": "c1", "statement": SCRIPT + BIDI},
               headers={"X-CSRF-Token": tok})
    return ["/", "/networks/1", "/networks/1/members", "/networks/1/evidence",
            "/networks/1/live", "/accounts/c1", "/accounts/c1/posts", "/accounts/a01",
            "/search?q=" + "%3Cscript%3E", "/search?q=c", "/cases", "/cases/C1", "/appeals",
            "/appeals/A1", "/archive", "/outbox", "/audit", "/users"]


def test_hostile_text_is_inert_on_every_page(app) -> None:
    pages = _hostile_history(app)
    with _client(app) as c:
        login(c, "ada")
        for path in pages:
            r = c.get(path)
            assert r.status_code == 200, path
            assert_inert_markup(r.text, path)
            assert "\u202e" not in r.text, path
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script-src" not in csp
        # the hostile strings are shown, escaped, where they belong
        assert "&lt;script&gt;" in c.get("/accounts/c1").text
        assert "&lt;img src=x onerror=alert(1)&gt;" in c.get("/cases/C1").text
        assert c.get("/api/accounts/c1").json()["profile"]["screen_name"] == HOSTILE_NAME


def test_network_page_embeds_the_reports_analysis(hand_db: Path) -> None:
    app = create_app(ServeConfig(db=str(hand_db)))
    with TestClient(app) as c:
        login(c, "ann")
        first = c.get("/networks/1")
        assert first.status_code == 200
        got = app.state.ctx.analyses.wait(RUN, "1", timeout=120)
        assert not isinstance(got, str), got
        page = c.get("/networks/1").text
        for section in ("narratives", "timeline", "picture", "evidence"):
            assert f'data-section="{section}"' in page
        assert 'class="chart netpic"' in page
        data = c.get("/api/networks/1").json()
        assert data["analysis_state"] == "ready"
        assert data["analysis"]["counts"]["accounts"] == 18
        assert data["analysis"]["picture"]["total_nodes"] == 18


def test_rejected_networks_show_on_the_pages(client: TestClient, hand_db: Path) -> None:
    from infoops.store import Store

    store = Store(str(hand_db))  # the store's own configuration, as the app opens it
    con = store.con
    con.execute("INSERT INTO rejected_networks VALUES (?, 'X1', 0.2, 3, 'co-hashtag', "
                "'organic crowd around one trending hashtag', NULL)", [RUN])
    con.execute("INSERT INTO rejected_members VALUES (?, 'X1', 'c2', NULL, 0.1, 'crowd')", [RUN])
    store.close()
    login(client, "ann")
    assert 'data-rejected="X1"' in client.get("/networks").text
    page = client.get("/networks/1").text
    assert 'data-rejected="X1"' in page and "organic crowd around one trending hashtag" in page
    assert client.get("/api/networks/2").json()["rejected"] == []


def test_every_page_and_action_has_a_json_twin() -> None:
    paths = {(r.path, m) for r in routes() if isinstance(r, Route) for m in (r.methods or ())}
    pages = {(p, m) for p, m in paths if not p.startswith("/api/") and m in ("GET", "POST")}
    missing = [(p, m) for p, m in pages
               if p not in ("/", "/healthz") and ("/api" + p, m) not in paths]
    assert missing == []
