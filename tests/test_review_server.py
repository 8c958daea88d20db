"""``infoops serve`` as a real process: concurrent reviewers, and sharing the store with the CLI."""
# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

from click.testing import CliRunner

from infoops.cli import cli
from infoops.store import Store
from review_fixtures import (  # noqa: F401
    RUN,
    ServeProcess,
    hand_db,
    hand_template,
    http_login,
)


def test_two_reviewers_deciding_at_once_lose_no_update(hand_db: Path) -> None:
    with ServeProcess(hand_db, "--no-analysis") as srv, \
            httpx.Client(base_url=srv.url, timeout=30) as rob, httpx.Client(base_url=srv.url, timeout=30) as rita:
        tokens = {"rob": http_login(rob, "rob"), "rita": http_login(rita, "rita")}
        for net in ("1", "2", "3"):
            r = rob.post("/api/cases", json={"run_id": RUN, "network_id": net},
                         headers={"X-CSRF-Token": tokens["rob"]})
            cid = r.json()["result"]["case_id"]
            version = rob.get(f"/api/cases/{cid}").json()["case"]["version"]
            barrier = threading.Barrier(2)
            results: dict[str, httpx.Response] = {}

            def decide(name: str, client: httpx.Client, decision: str, cid: str = cid,
                       version: int = version, barrier: threading.Barrier = barrier,
                       results: dict[str, httpx.Response] = results) -> None:
                barrier.wait()
                results[name] = client.post(
                    f"/api/cases/{cid}/decide",
                    json={"decision": decision, "policy": "spam", "note": name,
                          "version": version},
                    headers={"X-CSRF-Token": tokens[name]})

            threads = [threading.Thread(target=decide, args=("rob", rob, "confirm")),
                       threading.Thread(target=decide, args=("rita", rita, "dismiss"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            codes = sorted(r.status_code for r in results.values())
            assert codes == [200, 409], {k: v.text for k, v in results.items()}
            loser = next(r for r in results.values() if r.status_code == 409)
            assert "reload it" in loser.json()["error"]
            winner = next(k for k, r in results.items() if r.status_code == 200)
            case = rob.get(f"/api/cases/{cid}").json()["case"]
            # exactly one decision landed, the winner's, and the version moved once
            assert case["version"] == version + 1
            assert [h["note"] for h in case["history"]] == [winner]
            assert case["decision"] == ("confirm" if winner == "rob" else "dismiss")


def test_cli_works_while_serve_is_idle(hand_db: Path) -> None:
    runner = CliRunner()
    with ServeProcess(hand_db, "--no-analysis", "--idle-release", "0.3") as srv, \
            httpx.Client(base_url=srv.url, timeout=30) as c:
        tok = http_login(c, "ann")
        assert c.get("/api/networks").status_code == 200
        time.sleep(1.0)  # idle: serve has released the store
        r = runner.invoke(cli, ["users", "add", "zoe", "--role", "analyst", "--db", str(hand_db)],
                          env={"INFOOPS_PASSWORD": "zoe-password-1"})
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["audit", "--verify", "--db", str(hand_db)])
        assert r.exit_code == 0 and "intact" in r.output
        # serve opens the store again on the next request and sees the new user
        assert http_login(httpx.Client(base_url=srv.url, timeout=30), "ann")
        r = c.post("/api/cases", json={"run_id": RUN, "network_id": "3"},
                   headers={"X-CSRF-Token": tok})
        assert r.status_code == 200
        time.sleep(1.0)
        # while another process holds the store, serve says so clearly (503), then recovers
        with Store(hand_db):
            r = c.get("/api/cases")
            assert r.status_code == 503
            assert "store busy" in r.json()["error"] and "retry" in r.json()["error"]
        assert c.get("/api/cases").status_code == 200
