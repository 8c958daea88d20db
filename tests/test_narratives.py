"""Narratives: multilingual topics, text cleaning, phases, working time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from infoops.errors import InfoopsError
from infoops.narratives import (
    TopicModel,
    clean_text,
    hour_weekday,
    network_narratives,
    working_timezone,
)
from infoops.narratives.topics import phases
from infoops.store import Store

CORPUS = {
    "zh": ["香港暴徒破坏法治，支持香港警察", "支持香港警察严正执法，反对暴力", "香港暴徒必须受到法律惩罚",
           "守护香港法治，支持警察", "香港的繁荣稳定不容暴徒破坏", "反对暴力，香港警察辛苦了"],
    "ru": ["Запад лжёт о России и санкциях", "Санкции против России провалились", "Правда о России, Запад лжёт",
           "Россия выдержит любые санкции Запада", "Ложь Запада о России разоблачена",
           "Западные санкции бьют по Европе, не по России"],
    "tr": ["Türkiye güçlü bir ülke, hükümetimizi destekliyoruz", "Hükümetimizin yanındayız, Türkiye kazanacak",
           "Güçlü Türkiye için birlikte çalışıyoruz", "Türkiye düşmanlarına karşı dimdik ayakta",
           "Hükümetimiz Türkiye için çalışıyor", "Türkiye'nin gücü birliğinden gelir"],
}


def test_topics_separate_chinese_russian_turkish() -> None:
    texts = [t for lang in CORPUS for t in CORPUS[lang]]
    model = TopicModel(n_topics=3, seed=0).fit(texts)
    labels = model.assign(texts)
    groups = [set(labels[i * 6:(i + 1) * 6].tolist()) for i in range(3)]
    assert all(len(g) == 1 for g in groups), groups  # each language is one topic
    assert len(set.union(*groups)) == 3  # and the three differ
    assert model.n_topics_ == 3 and len(model.top_terms_) == 3
    for terms in model.top_terms_:
        assert terms and all(len(t) >= 2 for t in terms)
    again = TopicModel(n_topics=3, seed=0).fit(texts)
    assert again.top_terms_ == model.top_terms_


def test_topic_model_errors() -> None:
    with pytest.raises(InfoopsError, match="no text"):
        TopicModel().fit(["", ""])
    with pytest.raises(InfoopsError, match="before fit"):
        TopicModel().transform(["x"])
    with pytest.raises(InfoopsError, match="at least 1"):
        TopicModel(n_topics=0).fit(["abc"])


def test_clean_text() -> None:
    assert clean_text("RT @some_one: 香港 http://t.co/x 加油 @other  !") == "香港 加油 !"
    assert clean_text(None) == ""


def test_working_timezone_beijing_and_none() -> None:
    m = [[0] * 24 for _ in range(7)]
    for d in range(5):
        for h in range(1, 10):  # 09:00-17:59 in Beijing
            m[d][h] = 10
    tz = working_timezone(m)
    assert tz is not None and tz.label == "UTC+8" and tz.office_share == 1.0
    assert tz.weekend_share == 0.0
    assert working_timezone([[0] * 24 for _ in range(7)]) is None


def test_phases_merge_to_dominant_runs() -> None:
    periods = ["p0", "p1", "p2", "p3", "p4", "p5"]
    volume = {0: [5, 6, 0, 1, 0, 0], 1: [1, 0, 0, 7, 9, 0]}
    got = phases(periods, volume)
    assert [(p["start"], p["end"], p["topic"], p["posts"]) for p in got] == [
        ("p0", "p2", 0, 12), ("p3", "p5", 1, 17)]
    capped = phases(periods, {0: [5, 0, 5, 0, 5, 0], 1: [0, 4, 0, 3, 0, 9]}, max_phases=2)
    assert len(capped) == 2 and capped[0]["first"] == 0 and capped[-1]["last"] == 5
    assert sum(p["posts"] for p in capped) == 31


def test_network_narratives_on_store(store: Store) -> None:
    t0 = datetime(2021, 1, 4)
    rows = []
    for lang, texts in CORPUS.items():
        for day in range(10):
            for k, text in enumerate(texts):
                rows.append((f"{lang}{day}{k}", f"acc_{lang}", t0 + timedelta(days=day + (lang == "ru") * 20,
                                                                             hours=k), text))
    store.con.executemany(
        "INSERT INTO posts (post_id, account_id, created_at, kind, text) VALUES (?, ?, ?, 'original', ?)",
        rows)
    store.con.execute("CREATE TEMP TABLE net AS SELECT * FROM (VALUES ('acc_zh'), ('acc_ru')) t(account_id)")
    narr = network_narratives(store.con, "net", n_topics=2, seed=0)
    assert narr.period == "day" and len(narr.periods) == 30
    assert sorted(t.posts for t in narr.topics) == [60, 60]
    assert [p["posts"] for p in narr.phases] == [60, 60]  # Chinese first, then Russian
    matrix = hour_weekday(store.con, "net")
    assert sum(map(sum, matrix)) == 120
