"""Report statistics on real data: the PRC-linked Hong Kong network Twitter disclosed in 2019,
against verified-genuine users (Cresci et al. 2017) as the background population."""

from __future__ import annotations

import csv

from conftest import shared
from infoops.report import stats
from infoops.store import Store


def test_hongkong_2019_creation_burst_and_followers(store: Store) -> None:
    from infoops.ingest.run import ingest

    hk = shared("hongkong2019", "hkio_users.csv")
    genuine = shared("cresci2017", "genuine_users.csv")
    ingest(store, [hk])
    ingest(store, [genuine])
    with hk.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    store.con.execute("CREATE TEMP TABLE hk (account_id TEXT, role TEXT)")
    store.con.executemany("INSERT INTO hk VALUES (?, 'core')", [[r["user_id"]] for r in rows])

    months: dict[str, int] = {}
    for r in rows:
        months[r["account_created_at"][:7]] = months.get(r["account_created_at"][:7], 0) + 1
    peak = max(months, key=lambda m: months[m])
    hist = stats.creation_histogram(store.con, "hk")
    assert sum(hist.network) == len(rows) == 940
    i = hist.months.index(peak)
    assert peak == "2017-08" and hist.network[i] == months[peak] and hist.burst[i]

    follow = stats.follow_distribution(store.con, "hk")
    followers = [int(r["followers_count"]) for r in rows]
    assert follow["followers_network_zero"] == sum(f == 0 for f in followers) / 940
    assert follow["followers_network_lt8"] == sum(f < 8 for f in followers) / 940
    assert follow["followers_background_known"] == 3474
