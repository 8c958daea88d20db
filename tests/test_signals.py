"""Account signals, one small crafted population each."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from infoops.detect.signals import (
    SIGNALS,
    compute_signals,
    creation_bursts,
    dormancy_activation,
    hijack_signals,
    internal_engagement,
    low_followers,
    office_hours,
)
from infoops.errors import DetectionError
from infoops.store import Store


def insert(store: Store, table: str, frame: pd.DataFrame) -> None:
    store.con.register("_df", frame)
    try:
        store.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _df")
    finally:
        store.con.unregister("_df")


def test_creation_burst_flags_the_burst_not_the_spread(store: Store) -> None:
    rng = np.random.default_rng(1)
    spread = [(f"s{i}", datetime(2015, 1, 1) + timedelta(days=int(d)), 100)
              for i, d in enumerate(rng.integers(0, 4 * 365, 300))]
    burst = [(f"b{i}", datetime(2017, 6, 10) + timedelta(days=int(d)), 0)
             for i, d in enumerate(rng.integers(0, 3, 40))]
    insert(store, "accounts", pd.DataFrame(spread + burst, columns=["account_id", "created_at", "followers"]))
    res = creation_bursts(store).set_index("account_id")
    assert res.loc[[f"b{i}" for i in range(40)], "flagged"].all()
    assert res.loc[[f"s{i}" for i in range(300)], "flagged"].mean() < 0.02
    b0 = res.loc["b0"]
    assert b0.ratio > 20 and b0.p_value < 1e-10 and b0.value > 0.6
    assert "accounts created 2017-06-1" in b0.evidence and "the base rate" in b0.evidence
    groups = pd.DataFrame({"account_id": [f"b{i}" for i in range(40)], "group_id": "n1"})
    grouped = creation_bursts(store, groups=groups).set_index("account_id")
    assert len(grouped) == 40
    assert (grouped["n_group_window"] == 39).all()
    assert grouped.loc["b5"].evidence.startswith("created within 3 days of 39 other members")


def test_creation_burst_with_unknown_dates_and_bad_params(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["x", "y"], "created_at": [None, datetime(2020, 1, 1)]}))
    res = creation_bursts(store).set_index("account_id")
    assert not res.loc["x"].flagged and res.loc["x"].value == 0
    with pytest.raises(DetectionError, match="window_days"):
        creation_bursts(store, window_days=10, baseline_days=5)


def test_low_followers_values(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": list("abcd"), "followers": [0, 3, 5000, None]}))
    res = low_followers(store, threshold=10).set_index("account_id")
    assert res.loc["a"].value == 1.0 and res.loc["a"].flagged and res.loc["a"].evidence.startswith("0 followers")
    assert 0 < res.loc["b"].value < 1 and res.loc["b"].flagged
    assert res.loc["c"].value == 0 and not res.loc["c"].flagged
    assert res.loc["d"].value == 0 and not res.loc["d"].flagged
    assert list(low_followers(store, ["c", "a"])["account_id"]) == ["a", "c"]


def _posts(store: Store, rows: list[tuple]) -> None:
    cols = ["post_id", "account_id", "created_at", "kind", "text", "language", "client",
            "ref_account_id", "reply_to_account_id"]
    frame = pd.DataFrame([r + (None,) * (len(cols) - len(r)) for r in rows], columns=cols)
    insert(store, "posts", frame)


def test_dormancy_after_creation_then_burst(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({
        "account_id": ["sleeper", "steady", "old"],
        "created_at": [datetime(2020, 1, 5), datetime(2020, 1, 5), datetime(2012, 1, 1)],
    }))
    rows = [("first", "steady", datetime(2020, 1, 1), "original")]
    rows += [(f"st{i}", "steady", datetime(2020, 1, 6) + timedelta(days=2 * i), "original") for i in range(100)]
    rows += [(f"sl{i}", "sleeper", datetime(2020, 5, 1) + timedelta(hours=6 * i), "original") for i in range(40)]
    # "old" was created long before the data starts: silent from the data's start
    rows += [(f"o{i}", "old", datetime(2020, 5, 1) + timedelta(hours=6 * i), "original") for i in range(40)]
    _posts(store, rows)
    res = dormancy_activation(store).set_index("account_id")
    s = res.loc["sleeper"]
    assert s.flagged and s.after_creation and 110 < s.gap_days < 120 and s.n_burst == 40
    assert s.evidence.startswith("silent 117 days after creation") and "40 posts in 30 days" in s.evidence
    assert not res.loc["steady"].flagged
    old = res.loc["old"]
    assert old.flagged and old.created_before_data and old.evidence.startswith("silent 121 days since the data")
    strict = dormancy_activation(store, from_data_start=False).set_index("account_id")
    assert strict.loc["sleeper"].flagged and not strict.loc["old"].flagged


def test_dormancy_after_an_earlier_life(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["a"], "created_at": [datetime(2010, 1, 1)]}))
    rows = [(f"e{i}", "a", datetime(2019, 1, 1) + timedelta(days=10 * i), "original") for i in range(10)]
    rows += [(f"l{i}", "a", datetime(2020, 3, 1) + timedelta(hours=8 * i), "retweet") for i in range(60)]
    _posts(store, rows)
    res = dormancy_activation(store).iloc[0]
    assert res.flagged and not res.after_creation and res.n_before == 10
    assert "after an earlier life of 10 posts" in res.evidence


def test_hijacked_account_switches(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["h", "org"], "created_at": [datetime(2012, 1, 1)] * 2}))
    rows = []
    for i in range(30):  # earlier life: English, web client, evenings UTC
        rows.append((f"h_old{i}", "h", datetime(2019, 1, 1, 20) + timedelta(days=3 * i), "original",
                     "my cat", "en", "Twitter Web App"))
        rows.append((f"o_old{i}", "org", datetime(2019, 1, 1, 20) + timedelta(days=3 * i), "original",
                     "hello", "en", "Twitter Web App"))
    for i in range(30):  # after a silence: Chinese, Android, mornings UTC, a "new owner" post
        text = "test new owner" if i == 0 else "香港"
        rows.append((f"h_new{i}", "h", datetime(2020, 3, 1, 2) + timedelta(days=1 * i), "original",
                     text, "zh", "Twitter for Android"))
        rows.append((f"o_new{i}", "org", datetime(2019, 4, 1, 20) + timedelta(days=3 * i), "original",
                     "hi again", "en", "Twitter Web App"))
    _posts(store, rows)
    insert(store, "profile_changes", pd.DataFrame({
        "account_id": ["h"], "changed_at": [datetime(2020, 2, 27)], "field": ["screen_name"],
        "old_value": ["catlover"], "new_value": ["hk_truth_2020"]}))
    res = hijack_signals(store).set_index("account_id")
    h = res.loc["h"]
    assert h.flagged and h.value == 1.0
    assert h.switches == "language,client,rhythm,profile,new-owner"
    assert (h.language_before, h.language_after) == ("en", "zh")
    assert "screen_name changed catlover → hk_truth_2020 on 2020-02-27" in h.evidence
    assert "'new owner'-style post" in h.evidence
    assert not res.loc["org"].flagged and res.loc["org"].value == 0


def test_office_hours_finds_the_time_zone(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["moscow", "person", "few"]}))
    rng = np.random.default_rng(0)
    rows = []
    day0 = datetime(2020, 3, 2)  # a Monday
    for i in range(200):
        d = day0 + timedelta(days=int(rng.integers(0, 60)))
        if d.weekday() < 5:  # 09–18 Moscow = 06–15 UTC
            rows.append((f"m{i}", "moscow", d + timedelta(hours=6 + int(rng.integers(0, 9))), "original"))
        rows.append((f"p{i}", "person", d + timedelta(hours=int(rng.choice([7, 12, 18, 19, 20, 21, 22]))),
                     "original"))
    rows += [(f"f{i}", "few", day0 + timedelta(hours=8 + i), "original") for i in range(5)]
    _posts(store, rows)
    res = office_hours(store).set_index("account_id")
    m = res.loc["moscow"]
    assert m.flagged and m.utc_offset == 3 and m.office_share == 1.0 and m.weekend_share == 0
    assert "Mon–Fri 09:00–18:00 UTC+3 (e.g. Moscow, Istanbul, Riyadh)" in m.evidence
    assert not res.loc["person"].flagged
    assert not res.loc["few"].flagged and res.loc["few"].value == 0


def test_internal_engagement_needs_groups(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["c", "a1", "a2", "a3", "x", "star"]}))
    rows = [("o1", "c", datetime(2020, 1, 1), "original"), ("o2", "star", datetime(2020, 1, 1), "original")]
    for i in range(6):
        for a in ("a1", "a2", "a3"):
            rows.append((f"{a}{i}", a, datetime(2020, 1, 2), "retweet", None, None, None, "c"))
        rows.append((f"s{i}", "x", datetime(2020, 1, 2), "retweet", None, None, None, "star"))
        rows.append((f"t{i}", "a1", datetime(2020, 1, 3), "reply", None, None, None, None, "star"))
    _posts(store, rows)
    groups = pd.DataFrame({"account_id": ["c", "a1", "a2", "a3", "star"], "group_id": "n"})
    res = internal_engagement(store, groups=groups).set_index("account_id")
    c = res.loc["c"]
    assert c.flagged and c.received == 18 and c.group_engagers == 3
    assert c.evidence == "all 18 reposts/quotes/replies it received came from 3 network members"
    star = res.loc["star"]
    assert star.received == 12 and star.group_share == 0.5 and not star.flagged
    alone = internal_engagement(store).set_index("account_id")
    assert not alone["flagged"].any()


def test_compute_signals_runs_all_and_validates(store: Store) -> None:
    insert(store, "accounts", pd.DataFrame({"account_id": ["a", "b"], "followers": [0, 10]}))
    out = compute_signals(store)
    assert set(out) == set(SIGNALS)
    for frame in out.values():
        assert list(frame.columns[:4]) == ["account_id", "value", "flagged", "evidence"]
    with pytest.raises(DetectionError, match="unknown signal"):
        compute_signals(store, names=["astrology"])
    with pytest.raises(DetectionError, match="group_id"):
        low_followers(store, groups=pd.DataFrame({"account_id": ["a"]}))
