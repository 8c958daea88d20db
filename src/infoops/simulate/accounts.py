"""Accounts of a simulated world: ids, names, profiles, and the truth labels.

Nothing in an account's public fields encodes its label. Ids are a keyed
bijection of a counter (random-looking 18-digit numbers, unique by
construction); every population draws screen names, display names and clients
from the same generators. What differs between populations is behaviour and
the distributions of followers and creation dates, as in the real archives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from infoops.simulate.config import T0, day_of

_MASK = np.uint64((1 << 59) - 1)


def mix_ids(counter: np.ndarray, key: int) -> np.ndarray:
    """Random-looking unique 18-digit ids: a keyed bijection of ``counter`` on [0, 2^59).

    Odd multipliers and xor-shifts are invertible modulo 2^59, so distinct
    counters give distinct ids; the result is offset into the 18-digit range.
    """
    x = counter.astype(np.uint64) & _MASK
    with np.errstate(over="ignore"):
        x = (x * np.uint64(0x9E3779B97F4A7C15)) & _MASK
        x ^= x >> np.uint64(31)
        x = (x * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
        x ^= np.uint64(key) & _MASK
        x ^= x >> np.uint64(27)
        x = (x * np.uint64(0x94D049BB133111EB)) & _MASK
    return x + np.uint64(10**17)


class IdAllocator:
    """Hands out unique, random-looking ids in generation order."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.next = 0

    def take(self, n: int) -> np.ndarray:
        ids = mix_ids(np.arange(self.next, self.next + n, dtype=np.uint64), self.key)
        self.next += n
        return ids.astype(np.int64)


LATIN_FIRST = [
    "maria", "john", "alex", "sam", "chris", "anna", "david", "laura", "mike", "sara", "juan",
    "carlos", "lucia", "emma", "noah", "olivia", "liam", "mia", "james", "sofia", "diego", "ana",
    "tom", "kate", "ben", "lisa", "mark", "nina", "paul", "eva",
]
LATIN_LAST = [
    "smith", "garcia", "lee", "brown", "lopez", "martin", "kim", "wang", "chen", "rossi", "silva",
    "jones", "miller", "davis", "wilson", "moore",
]
WORDS = [
    "coffee", "rain", "moon", "star", "blue", "sky", "wolf", "cat", "dream", "night", "sun",
    "river", "tea", "pixel", "lucky", "happy", "little", "wild", "urban", "ghost", "echo", "nova",
    "zen",
]
DISPLAY = {
    "en": (LATIN_FIRST, LATIN_LAST, " "),
    "es": (
        ["María", "José", "Lucía", "Carlos", "Diego", "Ana", "Sofía", "Juan", "Pedro", "Elena"],
        ["García", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Díaz", "Ruiz"],
        " ",
    ),
    "ru": (
        [
            "Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Анна", "Сергей", "Елена", "Наталья",
            "Михаил",
        ],
        ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Волкова", "Морозов"],
        " ",
    ),
    "tr": (
        [
            "Ahmet", "Mehmet", "Ayşe", "Fatma", "Mustafa", "Emine", "Ali", "Zeynep", "Hüseyin",
            "Elif",
        ],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk"],
        " ",
    ),
    "zh": (
        ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"],
        ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"],
        "",
    ),
    "zh-tw": (
        ["陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊"],
        ["志明", "淑芬", "家豪", "怡君", "俊傑", "雅婷", "建宏", "美玲"],
        "",
    ),
    "ja": (
        ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺"],
        ["花子", "太郎", "陽菜", "蓮", "結衣", "翔"],
        "",
    ),
    "ko": (
        ["김", "이", "박", "최", "정", "강"],
        ["민준", "서연", "지우", "하은", "도윤", "서준"],
        "",
    ),
    "ar": (
        ["محمد", "أحمد", "فاطمة", "علي", "مريم", "خالد"],
        ["العلي", "الحسن", "الأحمد", "السعيد"],
        " ",
    ),
}
ACCOUNT_LANGUAGE = {
    "en": "en",
    "es": "es",
    "ru": "ru",
    "tr": "tr",
    "zh": "zh-cn",
    "zh-tw": "zh-tw",
    "ja": "ja",
    "ko": "ko",
    "ar": "ar",
}
#: UTC offsets (hours) by content language; one is drawn per account.
TIMEZONES = {
    "en": [-8, -7, -6, -5, -5, -5, 0, 0, 1, 10],
    "es": [-6, -5, -3, 1, 1],
    "ru": [3, 3, 3, 5, 7],
    "tr": [3],
    "zh": [8],
    "zh-tw": [8],
    "ja": [9],
    "ko": [9],
    "ar": [2, 3, 3, 4],
}
LOCATIONS = {
    "en": ["London", "New York, NY", "Los Angeles", "Toronto", "Sydney", "Texas", ""],
    "es": ["Madrid", "Ciudad de México", "Buenos Aires", "Bogotá", ""],
    "ru": ["Москва", "Санкт-Петербург", "Новосибирск", ""],
    "tr": ["İstanbul", "Ankara", "İzmir", ""],
    "zh": ["北京", "上海", "广州", "", ""],
    "zh-tw": ["香港", "Hong Kong", "台北", ""],
    "ja": ["東京", "大阪", ""],
    "ko": ["서울", "부산", ""],
    "ar": ["الرياض", "القاهرة", "دبي", ""],
}
BIOS = {
    "en": [
        "coffee addict. opinions my own", "dad, runner, bad jokes", "music | travel | food",
        "journalist. DMs open", "living my best life", "student", "RT ≠ endorsement",
    ],
    "es": ["amante del café", "periodista", "fútbol y música", "viajera"],
    "ru": ["люблю кофе", "журналист", "музыка и путешествия"],
    "tr": ["kahve bağımlısı", "gazeteci", "öğrenci"],
    "zh": ["热爱生活", "记者", "学生", "音乐 旅行"],
    "zh-tw": ["香港人", "記者", "學生", "熱愛自由"],
    "ja": ["音楽好き", "学生です"],
    "ko": ["음악 좋아해요", "학생"],
    "ar": ["صحفي", "طالب", "أحب القهوة"],
}
CLIENTS = [
    "Twitter for iPhone", "Twitter for Android", "Twitter Web App", "Twitter Web Client",
    "Twitter for iPad", "TweetDeck", "Hootsuite Inc.",
]
CLIENT_P = [0.38, 0.33, 0.16, 0.06, 0.03, 0.03, 0.01]
#: Clients an operation uses: the same common clients organic users use.
COMMON_CLIENTS = CLIENTS[:4]


def screen_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Handles in four styles, drawn with the same probabilities for every population."""
    style = rng.choice(4, size=n, p=[0.4, 0.25, 0.15, 0.2])
    first = rng.integers(0, len(LATIN_FIRST), n)
    last = rng.integers(0, len(LATIN_LAST), n)
    w1 = rng.integers(0, len(WORDS), n)
    w2 = rng.integers(0, len(WORDS), n)
    num = rng.integers(0, 10_000, n)
    big = rng.integers(10_000_000, 99_999_999, n)
    alnum = rng.integers(0, 62, size=(n, 12))
    lens = rng.integers(8, 13, n)
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    out = np.empty(n, dtype=object)
    for i in range(n):
        s = style[i]
        if s == 0:
            out[i] = f"{LATIN_FIRST[first[i]]}_{LATIN_LAST[last[i]]}{num[i] % 100}"
        elif s == 1:
            out[i] = f"{WORDS[w1[i]]}{WORDS[w2[i]]}{num[i] % 1000 if num[i] % 3 else ''}"
        elif s == 2:
            out[i] = "".join(chars[c] for c in alnum[i, : lens[i]])
        else:
            out[i] = f"{LATIN_FIRST[first[i]].capitalize()}{big[i]}"[:15]
    return out


def display_names(rng: np.random.Generator, langs: np.ndarray) -> np.ndarray:
    out = np.empty(len(langs), dtype=object)
    u = rng.random((len(langs), 2))
    for i, lang in enumerate(langs):
        first, last, sep = DISPLAY[lang]
        a = first[int(u[i, 0] * len(first))]
        b = last[int(u[i, 1] * len(last))]
        out[i] = f"{a}{sep}{b}".title() if sep else f"{a}{b}"
    return out


def _pick(
    rng: np.random.Generator, langs: np.ndarray, table: dict[str, list], empty_p: float
) -> np.ndarray:
    out = np.empty(len(langs), dtype=object)
    u = rng.random(len(langs))
    e = rng.random(len(langs)) < empty_p
    for i, lang in enumerate(langs):
        opts = table[lang]
        out[i] = "" if e[i] else opts[int(u[i] * len(opts))]
    return out


def created_days(
    rng: np.random.Generator, n: int, start: str, end: str, recent_bias: float = 0.0
) -> np.ndarray:
    """Creation days (relative to T0) spread between two dates; ``recent_bias`` > 0 favours later ones."""
    a, b = day_of(start), day_of(end)
    u = rng.random(n) ** (1.0 / (1.0 + recent_bias))
    return (a + u * (b - a)).astype(np.int64)


def burst_days(rng: np.random.Generator, n: int, starts: list[str], width: int = 4) -> np.ndarray:
    """Creation days clustered in bursts of a few days around each start date."""
    centers = np.array([day_of(s) for s in starts])
    return centers[rng.integers(0, len(centers), n)] + rng.integers(0, width, n)


@dataclass
class Accounts:
    """Column arrays of every account, appended population by population."""

    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)
    n: int = 0

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append one population; return the account indices it received."""
        sizes = {len(v) for v in columns.values()}
        assert len(sizes) == 1, sizes
        k = sizes.pop()
        for name, values in columns.items():
            self.cols.setdefault(name, []).append(np.asarray(values))
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: np.concatenate(v) for k, v in self.cols.items()})


def make_population(
    rng: np.random.Generator,
    n: int,
    *,
    langs: list[str],
    lang_p: list[float] | None,
    group: str,
    operation: str = "none",
    role: str = "organic",
    followers: np.ndarray,
    created: np.ndarray,
    rate: np.ndarray | float,
    clients: list[str] | None = None,
    bio_empty_p: float = 0.3,
) -> dict[str, np.ndarray]:
    """Public profile fields plus behaviour parameters for ``n`` accounts."""
    lang = rng.choice(np.array(langs, dtype=object), size=n, p=lang_p)
    tz = np.array(
        [TIMEZONES[x][int(u * len(TIMEZONES[x]))] for x, u in zip(lang, rng.random(n), strict=False)], dtype=float
    )
    if clients is None:
        client = rng.choice(np.array(CLIENTS, dtype=object), size=n, p=CLIENT_P)
    else:
        client = rng.choice(np.array(clients, dtype=object), size=n)
    following = np.maximum(0, rng.lognormal(5.3, 1.2, n)).astype(np.int64)
    purl = np.where(
        rng.random(n) < 0.1,
        np.array([f"https://t.co/{x:x}" for x in rng.integers(1 << 28, 1 << 32, n)], dtype=object),
        "",
    )
    return {
        "screen_name": screen_names(rng, n),
        "display_name": display_names(rng, lang),
        "location": _pick(rng, lang, LOCATIONS, 0.35),
        "description": _pick(rng, lang, BIOS, bio_empty_p),
        "profile_url": purl,
        "followers": np.asarray(followers, dtype=np.int64),
        "following": following,
        "created_day": np.asarray(created, dtype=np.int64),
        "account_language": np.array([ACCOUNT_LANGUAGE[x] for x in lang], dtype=object),
        "lang": lang,
        "tz": tz,
        "client": client,
        "rate": np.broadcast_to(np.asarray(rate, dtype=float), (n,)).copy(),
        "group": np.full(n, group, dtype=object),
        "operation": np.full(n, operation, dtype=object),
        "role": np.full(n, role, dtype=object),
    }


def creation_dates(created_day: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` strings for creation days relative to T0."""
    base = np.datetime64(T0.strftime("%Y-%m-%d"), "D")
    return np.datetime_as_string(base + created_day.astype("timedelta64[D]"), unit="D").astype(
        object
    )
