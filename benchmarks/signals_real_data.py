"""What the profile signals say on real data (a sanity check, not a tuning target).

    .venv/bin/python benchmarks/signals_real_data.py

* ``hongkong2019/hkio_users.csv`` — the 940 accounts of the PRC-linked network
  Twitter disclosed in August 2019: creation-date bursts (against the base
  rate of the set itself: there is no organic population in the file) and the
  follower distribution.
* ``cresci2017/genuine_users.csv`` + ``spam_user.csv`` — verified-genuine
  users and "social spambots #1" in one store: precision and recall of each
  profile signal alone (and of either) for the bot class.
* ``nbc_ira/users.csv`` — the NBC News IRA profiles, same two signals.

The CSVs are read with pandas and mapped onto the ``accounts`` table here,
so the script does not depend on the ingest's profile readers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from infoops.detect.signals import creation_bursts, low_followers
from infoops.store import Store

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ACCOUNT_COLUMNS = ["account_id", "screen_name", "display_name", "created_at", "followers", "following",
                   "language", "verified", "statuses_count", "label"]


def _store(frame: pd.DataFrame) -> Store:
    store = Store(":memory:")
    store.con.register("_acc", frame.drop(columns=["label"]))
    store.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _acc")
    store.con.unregister("_acc")
    return store


def _v11(path: Path, label: str) -> pd.DataFrame:
    d = pd.read_csv(path, dtype=str, low_memory=False)
    return pd.DataFrame({
        "account_id": d["id"], "screen_name": d["screen_name"], "display_name": d["name"],
        "created_at": pd.to_datetime(d["created_at"], format="%a %b %d %H:%M:%S %z %Y", errors="coerce")
        .dt.tz_convert(None),
        "followers": pd.to_numeric(d["followers_count"], errors="coerce").astype("Int64"),
        "following": pd.to_numeric(d["friends_count"], errors="coerce").astype("Int64"),
        "language": d["lang"], "verified": d.get("verified", pd.Series(dtype=str)).isin(["1", "true", "True"]),
        "statuses_count": pd.to_numeric(d["statuses_count"], errors="coerce").astype("Int64"),
        "label": label,
    })[ACCOUNT_COLUMNS].dropna(subset=["account_id"])


def hongkong() -> list[str]:
    d = pd.read_csv(DATA / "hongkong2019" / "hkio_users.csv", dtype=str)
    frame = pd.DataFrame({
        "account_id": d["user_id"], "screen_name": d["screen_name"], "display_name": d["name"],
        "created_at": pd.to_datetime(d["account_created_at"], errors="coerce"),
        "followers": pd.to_numeric(d["followers_count"], errors="coerce").astype("Int64"),
        "following": pd.to_numeric(d["following_count"], errors="coerce").astype("Int64"),
        "language": d["account_lang"], "verified": False, "statuses_count": pd.NA, "label": "operation",
    })[ACCOUNT_COLUMNS]
    with _store(frame) as store:
        bursts = creation_bursts(store)
        low = low_followers(store)
    f = frame["followers"].astype(float)
    top = (bursts[bursts["flagged"]].groupby("created").size().sort_values(ascending=False).head(5))
    years = frame["created_at"].dt.year.value_counts().sort_index()
    lines = [
        f"hongkong2019: {len(frame)} accounts, created {frame['created_at'].min():%Y-%m-%d} to "
        f"{frame['created_at'].max():%Y-%m-%d}",
        "  created per year: " + ", ".join(f"{int(y)}: {n}" for y, n in years.items()),
        f"  creation_burst flags {bursts['flagged'].mean():.1%} ({int(bursts['flagged'].sum())}) "
        "against the set's own base rate; busiest burst days: "
        + ", ".join(f"{d:%Y-%m-%d} ({n})" for d, n in top.items()),
        f"  followers: {np.mean(f == 0):.1%} zero, {np.mean(f < 10):.1%} under 10 (low_followers flags "
        f"{low['flagged'].mean():.1%}), median {np.nanmedian(f):.0f}, 90th pct {np.nanpercentile(f, 90):.0f}, "
        f"max {np.nanmax(f):,.0f}",
    ]
    return lines


def _pr(flag: pd.Series, truth: pd.Series) -> str:
    tp = int((flag & truth).sum())
    prec = tp / max(int(flag.sum()), 1)
    rec = tp / max(int(truth.sum()), 1)
    return f"precision {prec:.3f} recall {rec:.3f} (flagged {int(flag.sum())})"


def cresci() -> list[str]:
    frame = pd.concat([
        _v11(DATA / "cresci2017" / "genuine_users.csv", "genuine"),
        _v11(DATA / "cresci2017" / "spam_user.csv", "bot"),
    ], ignore_index=True).drop_duplicates("account_id")
    with _store(frame) as store:
        bursts = creation_bursts(store).set_index("account_id")
        low = low_followers(store).set_index("account_id")
    truth = frame.set_index("account_id")["label"].eq("bot")
    b = bursts["flagged"].reindex(truth.index, fill_value=False)
    lf = low["flagged"].reindex(truth.index, fill_value=False)
    return [
        f"cresci2017: {int((~truth).sum())} genuine + {int(truth.sum())} bot profiles",
        f"  creation_burst alone: {_pr(b, truth)}",
        f"  low_followers alone:  {_pr(lf, truth)}",
        f"  either:               {_pr(b | lf, truth)}",
        f"  bots' median followers {frame.loc[frame.label == 'bot', 'followers'].astype(float).median():.0f}, "
        f"genuine {frame.loc[frame.label == 'genuine', 'followers'].astype(float).median():.0f}",
    ]


def ira() -> list[str]:
    frame = _v11(DATA / "nbc_ira" / "users.csv", "operation")
    with _store(frame) as store:
        bursts = creation_bursts(store)
        low = low_followers(store)
    return [f"nbc_ira: {len(frame)} accounts with ids; creation_burst flags {bursts['flagged'].mean():.1%}, "
            f"low_followers flags {low['flagged'].mean():.1%}; median followers "
            f"{frame['followers'].astype(float).median():.0f}"]


def main() -> None:
    for part in (hongkong, cresci, ira):
        try:
            print("\n".join(part()))
        except FileNotFoundError as exc:
            print(f"{part.__name__}: skipped ({exc.filename} absent)")


if __name__ == "__main__":
    main()
