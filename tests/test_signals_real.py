"""Profile signals on the real shared data (skipped when ../shared/data is absent)."""

from __future__ import annotations

import pandas as pd

from conftest import shared
from infoops.detect.signals import creation_bursts, low_followers
from infoops.store import Store


def _load(store: Store, frame: pd.DataFrame) -> None:
    store.con.register("_acc", frame)
    store.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _acc")
    store.con.unregister("_acc")


def test_hongkong2019_creation_bursts_and_followers(store: Store) -> None:
    d = pd.read_csv(shared("hongkong2019", "hkio_users.csv"), dtype=str)
    _load(store, pd.DataFrame({
        "account_id": d["user_id"], "screen_name": d["screen_name"],
        "created_at": pd.to_datetime(d["account_created_at"]),
        "followers": pd.to_numeric(d["followers_count"]).astype("Int64"),
    }))
    bursts = creation_bursts(store)
    flagged_days = bursts.loc[bursts["flagged"], "created"].astype(str)
    # the August 2017 batch that Twitter's disclosure shows
    assert (flagged_days == "2017-08-30").sum() >= 100
    assert 0.25 < bursts["flagged"].mean() < 0.5
    low = low_followers(store)
    assert 0.4 < low["flagged"].mean() < 0.6


def test_cresci2017_profile_signals_separate_bots(store: Store) -> None:
    frames = []
    for name, label in (("genuine_users.csv", False), ("spam_user.csv", True)):
        d = pd.read_csv(shared("cresci2017", name), dtype=str, low_memory=False)
        frames.append(pd.DataFrame({
            "account_id": d["id"],
            "created_at": pd.to_datetime(d["created_at"], format="%a %b %d %H:%M:%S %z %Y").dt.tz_convert(None),
            "followers": pd.to_numeric(d["followers_count"]).astype("Int64"),
            "bot": label,
        }))
    frame = pd.concat(frames).drop_duplicates("account_id")
    _load(store, frame.drop(columns="bot"))
    flagged = creation_bursts(store).set_index("account_id")["flagged"]
    bot = frame.set_index("account_id")["bot"].reindex(flagged.index)
    precision = (flagged & bot).sum() / flagged.sum()
    recall = (flagged & bot).sum() / bot.sum()
    assert precision > 0.9 and recall > 0.5
