"""The review library: users, cases, decisions, takedown, appeals, audit, re-detection."""
# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)

from __future__ import annotations

from pathlib import Path

import pytest

from infoops.errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ReviewError,
)
from infoops.review import appeals, audit, cases, networks, redetect, takedown, users
from infoops.review.users import User
from infoops.store import Store
from review_fixtures import PASSWORDS, RUN, hand_db, hand_template  # noqa: F401

ANN, ROB, RITA, ADA = (User("ann", "analyst"), User("rob", "reviewer"), User("rita", "reviewer"),
                       User("ada", "admin"))
NET1 = 18  # members of network "1" in the hand-built world


@pytest.fixture
def con(hand_db: Path):
    s = Store(hand_db)
    yield s.con
    s.close()


def _snapshot(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


# -- users ---------------------------------------------------------------------------------
def test_password_hash_round_trip() -> None:
    h = users.hash_password("correct horse")
    assert h.startswith("scrypt$") and "correct horse" not in h
    assert users.verify_password("correct horse", h)
    assert not users.verify_password("correct hors", h)
    assert users.hash_password("correct horse") != h  # salted
    assert not users.verify_password("x", "garbage")


def test_authenticate_and_user_rules(con) -> None:
    assert users.authenticate(con, "ann", PASSWORDS["ann"]) == ANN
    with pytest.raises(AuthenticationError):
        users.authenticate(con, "ann", "wrong-password")
    with pytest.raises(AuthenticationError):
        users.authenticate(con, "nobody", "whatever-pass")
    with pytest.raises(ReviewError, match="exists"):
        users.add_user(con, "ann", "admin", "long-enough")
    with pytest.raises(ReviewError, match="too short"):
        users.add_user(con, "bob", "analyst", "short")
    with pytest.raises(ReviewError, match="role"):
        users.add_user(con, "bob", "boss", "long-enough")
    with pytest.raises(ReviewError, match="user name"):
        users.add_user(con, "<script>", "analyst", "long-enough")
    with pytest.raises(ForbiddenError):
        users.set_role(con, ROB, "ann", "admin")
    users.set_role(con, ADA, "ann", "reviewer", active=False)
    assert users.get_user(con, "ann") is None  # deactivated
    with pytest.raises(AuthenticationError):
        users.authenticate(con, "ann", PASSWORDS["ann"])
    actions = [e["action"] for e in audit.entries(con, limit=100)]
    assert actions.count("user.add") == 4 and actions[0] == "user.role"


# -- cases and decisions ---------------------------------------------------------------------
def test_open_case_from_network_and_from_picked_accounts(con) -> None:
    cid = cases.open_case(con, ANN, RUN, "1")
    case = cases.get_case(con, cid)
    assert case["accounts"] == NET1 and case["counts"] == {"undecided": NET1}
    with pytest.raises(ConflictError, match=cid):
        cases.open_case(con, ANN, RUN, "1")
    picked = cases.open_case(con, ANN, RUN, None, ["c1", "a01", "bg01"])
    page, total = cases.case_accounts(con, picked)
    assert total == 3 and {r["account_id"] for r in page} == {"c1", "a01", "bg01"}
    with pytest.raises(NotFoundError):
        cases.open_case(con, ANN, RUN, None, ["c1", "no-such"])
    with pytest.raises(NotFoundError):
        cases.open_case(con, ANN, RUN, "404")


def test_decisions_need_valid_values_and_the_current_version(con) -> None:
    cid = cases.open_case(con, ANN, RUN, "2")
    with pytest.raises(ReviewError, match="policy"):
        cases.decide(con, ANN, cid, "confirm", None, None, 1)
    with pytest.raises(ReviewError, match="decision"):
        cases.decide(con, ANN, cid, "ban", "spam", None, 1)
    got = cases.decide(con, ANN, cid, "needs_evidence", None, "look again", 1)
    assert got["version"] == 2
    with pytest.raises(ConflictError, match="changed by ann"):
        cases.decide(con, ROB, cid, "dismiss", "spam", None, 1)  # stale version: no lost update
    assert cases.get_case(con, cid)["decision"] == "needs_evidence"
    r = cases.decide(con, ROB, cid, "dismiss", None, "organic", 2, account_id="r0")
    assert r["version"] == 3
    cases.decide(con, ROB, cid, "dismiss", "spam", "organic", 3)
    case = cases.get_case(con, cid)
    assert case["status"] == "decided" and case["counts"] == {"dismiss": 4}
    assert [h["decision"] for h in case["history"]] == ["dismiss", "dismiss", "needs_evidence"]
    assert not case["takedown"]["by_status"]  # dismiss takes nothing down


# -- takedown, archive and restore --------------------------------------------------------------
def test_takedown_removes_from_live_view_keeps_archive_and_restores_exactly(con) -> None:
    posts_before, accounts_before = _snapshot(con, "live_posts"), _snapshot(con, "live_accounts")
    all_posts = _snapshot(con, "posts")
    cid = cases.open_case(con, ANN, RUN, "1")
    cases.decide(con, ANN, cid, "dismiss", None, "a real person", 1, account_id="a01")
    res = cases.decide(con, ANN, cid, "confirm", "coordinated_inauthentic_activity", "clear", 2)
    gone = NET1 - 1
    assert res["takedown"]["status"] == "active" and res["takedown"]["accounts"] == gone
    taken = {r[0] for r in con.execute("SELECT account_id FROM takedowns WHERE case_id = ?",
                                       [cid]).fetchall()}
    assert "a01" not in taken and len(taken) == gone
    live_ids = {r[0] for r in con.execute("SELECT account_id FROM live_posts").fetchall()}
    assert not live_ids & taken  # every post of theirs (originals, retweets, replies) is gone
    removed = con.execute("SELECT count(*) FROM posts WHERE account_id IN "
                          "(SELECT account_id FROM takedowns)").fetchall()[0][0]
    assert removed == res["takedown"]["posts"] > 0
    assert len(_snapshot(con, "live_posts")) == len(posts_before) - removed
    assert _snapshot(con, "posts") == all_posts  # nothing deleted or changed: the archive
    page, total = takedown.archive(con, cid)
    assert total == gone and sum(r["archived_posts"] for r in page) == removed
    # an appeal for every account, decided by someone who took nothing down, restores all
    for acc in sorted(taken):
        aid = appeals.file_appeal(con, ANN, acc, "mistake")
        appeals.decide_appeal(con, RITA, aid, True, "restored on appeal", 1)
    assert _snapshot(con, "live_posts") == posts_before  # row for row
    assert _snapshot(con, "live_accounts") == accounts_before
    assert audit.verify(con).ok


def test_two_person_rule_over_the_threshold(con) -> None:
    cid = cases.open_case(con, ANN, RUN, "1")
    res = cases.decide(con, ANN, cid, "confirm", "fake_accounts", None, 1, approval_threshold=5)
    assert res["takedown"]["status"] == "pending_approval"
    assert takedown.is_live(con, "c1")  # nothing happens before the second person approves
    with pytest.raises(ForbiddenError):
        takedown.approve(con, ANN, cid)  # an analyst cannot approve (their own or any)
    cid2 = cases.open_case(con, ROB, RUN, "2")
    cases.decide(con, ROB, cid2, "confirm", "spam", None, 1, approval_threshold=1)
    with pytest.raises(ForbiddenError, match="two-person rule"):
        takedown.approve(con, ROB, cid2)  # a reviewer cannot approve their own
    got = takedown.approve(con, RITA, cid)
    assert got["accounts"] == NET1 and not takedown.is_live(con, "c1")
    with pytest.raises(ReviewError, match="no takedown waiting"):
        takedown.approve(con, RITA, cid)
    assert takedown.reject(con, RITA, cid2, "not enough evidence") == 4
    assert takedown.is_live(con, "r0")


def test_appeal_rules(con) -> None:
    with pytest.raises(ReviewError, match="no active takedown"):
        appeals.file_appeal(con, ANN, "c1", "please")
    cid = cases.open_case(con, ROB, RUN, "2")
    cases.decide(con, ROB, cid, "confirm", "spam", None, 1)
    for empty in ("", "   ", None):
        with pytest.raises(ReviewError, match="statement is empty"):
            appeals.file_appeal(con, ANN, "r0", empty)
    with pytest.raises(ReviewError, match="keep it under 10,000"):
        appeals.file_appeal(con, ANN, "r0", "x" * 10_001)
    aid = appeals.file_appeal(con, ANN, "r0", "  I run a news site  ")
    assert appeals.get_appeal(con, aid)["statement"] == "I run a news site"
    with pytest.raises(ConflictError, match="already has open appeal"):
        appeals.file_appeal(con, ANN, "r0", "again")
    with pytest.raises(ForbiddenError):
        appeals.decide_appeal(con, ANN, aid, True, "ok", 1)  # analysts do not decide appeals
    with pytest.raises(ForbiddenError, match="took this account down"):
        appeals.decide_appeal(con, ROB, aid, True, "ok", 1)
    with pytest.raises(ReviewError, match="say why"):
        appeals.decide_appeal(con, RITA, aid, True, " ", 1)
    with pytest.raises(ConflictError):
        appeals.decide_appeal(con, RITA, aid, True, "ok", 7)
    got = appeals.decide_appeal(con, RITA, aid, False, "it is the operation's hub", 1)
    assert got == {"appeal_id": aid, "status": "denied"} and not takedown.is_live(con, "r0")
    with pytest.raises(ReviewError, match="already denied"):
        appeals.decide_appeal(con, ADA, aid, True, "changed my mind", 2)


# -- audit log --------------------------------------------------------------------------------------
def _some_history(con) -> None:
    cid = cases.open_case(con, ANN, RUN, "2")
    cases.add_note(con, ANN, cid, "first look")
    cases.decide(con, ANN, cid, "confirm", "spam", "why not", 1)


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 6",
    "UPDATE audit_log SET actor = 'rita' WHERE seq = 2",
    "UPDATE audit_log SET after = '{}' WHERE seq = (SELECT max(seq) FROM audit_log)",
    "DELETE FROM audit_log WHERE seq = 3",
    "UPDATE audit_log SET logged_at = logged_at + INTERVAL 1 SECOND WHERE seq = 5",
])
def test_audit_chain_detects_any_edit(con, tamper: str) -> None:
    _some_history(con)
    check = audit.verify(con)
    assert check.ok and check.entries == audit.count(con) >= 8
    con.execute(tamper)
    broken = audit.verify(con)
    assert not broken.ok and broken.bad_seq is not None and broken.problem


def test_notes_must_say_something(con) -> None:
    cid = cases.open_case(con, ANN, RUN, "2")
    with pytest.raises(ReviewError, match="note is empty"):
        cases.add_note(con, ANN, cid, " \n ")
    with pytest.raises(ReviewError, match="has 10,001 characters"):
        cases.add_note(con, ANN, cid, "y" * 10_001)


def test_audit_entries_hold_who_what_why_before_after(con) -> None:
    _some_history(con)
    e = audit.entries(con, limit=1)[0]
    assert (e["actor"], e["action"], e["object_type"]) == ("ann", "takedown.execute", "case")
    dec = audit.entries(con, object_type="case", limit=10)
    decided = next(x for x in dec if x["action"] == "decision.confirm")
    assert decided["reason"] == "why not" and '"policy": "spam"' in decided["after"]
    assert '"status": "open"' in decided["before"]
    one_case = audit.entries(con, object_type="case", object_id=e["object_id"], limit=100)
    assert one_case and {x["object_id"] for x in one_case} == {e["object_id"]}
    assert len(audit.entries(con, limit=100)) == audit.count(con)


# -- re-detection ------------------------------------------------------------------------------------
def test_returning_accounts_are_flagged_with_prior_decisions(con) -> None:
    cid = cases.open_case(con, ROB, RUN, "2")
    cases.decide(con, ROB, cid, "confirm", "coordinated_inauthentic_activity", None, 1)
    # a later run: the operation is back with a new account 'bg05' linked to r1 and r2
    con.execute("INSERT INTO detect_runs VALUES ('run-3', '2020-07-01', '2020-07-01', 'completed', "
                "'{}', '{}')")
    con.execute("INSERT INTO networks VALUES ('run-3', 'N9', 0.9, 3, 1, 2, 'co-url', 'back', NULL)")
    for acc in ("r1", "r2", "bg05"):
        con.execute("INSERT INTO members VALUES ('run-3', 'N9', ?, 'amplifier', 0.8, '{}', '')",
                    [acc])
    con.execute("INSERT INTO edges VALUES ('run-3', 'co-url', 'bg05', 'r1', 5, 0.001, TRUE, NULL), "
                "('run-3', 'co-url', 'r2', 'bg05', 4, 0.001, TRUE, NULL)")
    assert networks.latest_run(con) == "run-3"
    back = redetect.returning(con, "run-3", "N9")
    assert [(r["account_id"], r["linked_to"]) for r in back] == [("bg05", ["r1", "r2"])]
    flags = redetect.network_flags(con, "run-3")["N9"]
    assert flags == {"decided": 2, "taken_down": 2, "returning": 1}
    page, _ = networks.members(con, "run-3", "N9")
    prior = {m["account_id"]: [(p["case_id"], p["decision"], p["takedown"]) for p in m["prior"]]
             for m in page}
    assert prior == {"r1": [(cid, "confirm", "active")], "r2": [(cid, "confirm", "active")],
                     "bg05": []}


def test_rejected_networks_are_listed_with_reasons(con) -> None:
    con.execute("INSERT INTO rejected_networks VALUES (?, 'X1', 0.2, 3, 'co-hashtag', "
                "'organic crowd: one trending hashtag', NULL)", [RUN])
    con.execute("INSERT INTO rejected_members VALUES (?, 'X1', 'c1', NULL, 0.1, 'crowd'), "
                "(?, 'X1', 'bg01', NULL, 0.1, 'crowd')", [RUN, RUN])
    assert [r["reason"] for r in networks.rejected(con, RUN)] == ["organic crowd: one trending hashtag"]
    near = networks.rejected(con, RUN, "1")
    assert [(r["network_id"], r["shared_members"]) for r in near] == [("X1", 1)]
    assert networks.rejected(con, RUN, "2") == []
