"""Post text for simulated worlds: vocabularies per language and near-duplicates.

Organic text is drawn word by word from a per-language vocabulary, so two
organic posts almost never share wording. Operations reuse a handful of base
messages with small edits ("copypasta"), the pattern Twitter and the Stanford
Internet Observatory report for the June 2020 PRC network (SIO, *Sockpuppets
Spin COVID Yarns*, 2020). Some organic text carries commas, quotes, newlines
and markup on purpose: post text is hostile input for every later stage.
"""

from __future__ import annotations

import numpy as np

#: Words per content language. ``None`` joiner means no spaces (CJK).
VOCAB: dict[str, list[str]] = {
    "en": [
        "the", "a", "this", "that", "my", "our", "your", "today", "tonight", "really", "just",
        "never", "always", "still", "love", "hate", "great", "good", "bad", "new", "old", "big",
        "small", "best", "worst", "happy", "sad", "crazy", "weekend", "morning", "coffee", "game",
        "team", "music", "song", "album", "movie", "show", "episode", "city", "weather", "rain",
        "sun", "traffic", "work", "office", "meeting", "project", "deadline", "school", "class",
        "friends", "family", "dog", "cat", "dinner", "lunch", "pizza", "trip", "flight", "home",
        "night", "news", "story", "thread", "update", "vote", "election", "market", "price",
        "stock", "phone", "app", "think", "know", "feel", "want", "need", "watch", "read",
        "listen", "play", "win", "lose", "try", "going", "back", "again", "finally", "almost",
        "maybe", "honestly", "literally", "definitely", "here", "there", "why", "how", "when",
        "what", "who", "lol", "omg", "wow", "thanks", "please", "yes", "no", "ok",
    ],
    "es": [
        "hoy", "mañana", "noche", "día", "semana", "fin", "casa", "trabajo", "amigos", "familia",
        "fútbol", "partido", "equipo", "gol", "música", "canción", "película", "serie", "ciudad",
        "calle", "lluvia", "sol", "café", "quiero", "tengo", "puedo", "vamos", "siempre", "nunca",
        "ahora", "todo", "nada", "muy", "más", "menos", "bien", "mal", "gracias", "hola", "feliz",
        "triste", "nuevo", "viejo", "grande", "pequeño", "mejor", "peor", "noticias", "gobierno",
        "precio", "vida", "amor", "tiempo", "gente", "país", "mundo", "escuela", "clase",
    ],
    "ru": [
        "сегодня", "завтра", "вечер", "утро", "неделя", "дом", "работа", "друзья", "семья",
        "футбол", "матч", "команда", "музыка", "песня", "фильм", "сериал", "город", "улица",
        "дождь", "солнце", "кофе", "хочу", "могу", "всегда", "никогда", "сейчас", "всё", "ничего",
        "очень", "больше", "меньше", "хорошо", "плохо", "спасибо", "привет", "новый", "старый",
        "лучший", "худший", "новости", "цены", "жизнь", "время", "люди", "страна", "мир", "школа",
        "погода", "выходные", "отпуск",
    ],
    "tr": [
        "bugün", "yarın", "akşam", "sabah", "hafta", "ev", "iş", "arkadaşlar", "aile", "futbol",
        "maç", "takım", "müzik", "şarkı", "film", "dizi", "şehir", "sokak", "yağmur", "güneş",
        "kahve", "istiyorum", "yapabilirim", "her", "zaman", "asla", "şimdi", "hepsi", "hiçbir",
        "çok", "daha", "az", "iyi", "kötü", "teşekkürler", "merhaba", "yeni", "eski", "en",
        "güzel", "haberler", "fiyat", "hayat", "zaman", "insanlar", "ülke", "dünya", "okul",
        "hava", "tatil",
    ],
    "zh": [
        "今天", "明天", "晚上", "早上", "周末", "家里", "工作", "朋友", "家人", "足球", "比赛", "音乐", "电影", "电视剧", "城市",
        "下雨", "太阳", "咖啡", "想要", "可以", "总是", "从来", "现在", "所有", "非常", "更多", "很好", "不好", "谢谢", "你好",
        "新的", "老的", "最好", "新闻", "价格", "生活", "时间", "大家", "国家", "世界", "学校", "天气", "假期", "吃饭", "地铁",
        "手机", "真的", "觉得", "知道", "喜欢", "开心", "累了",
    ],
    "zh-tw": [
        "今天", "明天", "晚上", "早上", "週末", "家裡", "工作", "朋友", "家人", "比賽", "音樂", "電影", "城市", "下雨", "咖啡",
        "想要", "可以", "總是", "現在", "非常", "很好", "不好", "謝謝", "你好", "最好", "新聞", "生活", "時間", "大家", "世界",
        "學校", "天氣", "地鐵", "手機", "真的", "覺得", "知道", "喜歡", "開心", "香港", "市民", "自由",
    ],
    "ja": [
        "今日", "明日", "夜", "朝", "週末", "家", "仕事", "友達", "家族", "サッカー", "試合", "音楽", "映画", "ドラマ", "街",
        "雨", "晴れ", "コーヒー", "本当に", "いつも", "今", "全部", "とても", "最高", "ありがとう", "おはよう", "新しい", "ニュース",
        "時間", "みんな", "世界", "学校", "天気", "ライブ", "推し",
    ],
    "ko": [
        "오늘", "내일", "밤", "아침", "주말", "집", "일", "친구", "가족", "축구", "경기", "음악", "노래", "영화", "드라마",
        "도시", "비", "커피", "정말", "항상", "지금", "모두", "너무", "최고", "고마워", "안녕", "새로운", "뉴스", "시간", "사람들",
        "세계", "학교", "날씨", "콘서트", "컴백", "사랑해",
    ],
    "ar": [
        "اليوم", "غدا", "الليل", "الصباح", "البيت", "العمل", "الأصدقاء", "العائلة", "كرة",
        "مباراة", "الفريق", "موسيقى", "أغنية", "فيلم", "المدينة", "المطر", "الشمس", "قهوة", "أريد",
        "دائما", "الآن", "جدا", "أفضل", "شكرا", "مرحبا", "جديد", "أخبار", "الحياة", "الوقت",
        "الناس", "العالم", "المدرسة", "الطقس",
    ],
}
NO_SPACE = {"zh", "zh-tw", "ja"}

#: Language of each text vocabulary as written in ``tweet_language``.
TWEET_LANG = {"zh-tw": "zh"}

#: Topic words of the PRC-like operation (Hong Kong, COVID-19, Taiwan, Guo Wengui).
PRC_TOPICS: list[list[str]] = [
    [
        "香港", "暴徒", "乱港", "分子", "法治", "秩序", "国安法", "稳定", "繁荣", "支持", "警察", "止暴制乱", "外部势力", "干预",
        "黑衣人", "破坏",
    ],
    [
        "新冠", "疫情", "病毒", "抗疫", "武汉", "医护", "人员", "感谢", "美国", "甩锅", "政治化", "源头", "世卫", "合作", "防控",
        "成功",
    ],
    [
        "台湾", "台独", "蔡英文", "民进党", "统一", "同胞", "两岸", "祖国", "分裂", "势力", "注定", "失败", "一个中国", "原则",
    ],
    [
        "郭文贵", "骗子", "诈骗", "逃犯", "谎言", "造谣", "班农", "爆料", "揭穿", "真面目", "骗局", "受害者", "法律", "制裁",
    ],
]
PRC_HASHTAGS = ["香港", "HongKong", "新冠肺炎", "COVID19", "台湾", "郭文贵", "中国", "武汉加油"]

#: Hong Kong protest vocabulary used by the authentic activist campaign.
ACTIVIST_ZH = [
    "香港", "自由", "民主", "抗爭", "光復香港", "時代革命", "五大訴求", "缺一不可", "手足", "警暴", "遊行", "集會", "市民", "堅持",
    "團結", "良心", "記者", "真相", "國安法", "反對",
]
ACTIVIST_EN = [
    "hong", "kong", "freedom", "democracy", "protest", "rally", "solidarity", "stand", "with",
    "people", "police", "violence", "rights", "students", "journalists", "truth", "justice", "law",
    "security", "national", "march", "tonight", "thousands", "peaceful", "crowd", "streets",
    "speak", "up", "never", "forget",
]
ACTIVIST_HASHTAGS = [
    "StandWithHongKong", "HongKongProtests", "FreeHK", "香港", "HKPoliceBrutality",
    "NationalSecurityLaw", "SOSHK",
]

RUSSIA_QUESTIONS_EN = [
    "Why is nobody asking who really profits from {x}?",
    "Has anyone noticed how quiet the media is about {x}?",
    "Who decided that {x} is none of our business?",
    "Isn't it strange that {x} was never investigated?", "What are they hiding about {x}?",
]
RUSSIA_QUESTIONS_RU = [
    "Почему никто не спрашивает, кому выгоден {x}?", "Кто-нибудь заметил, как молчат СМИ про {x}?",
    "Кто решил, что {x} нас не касается?", "Не странно ли, что {x} так и не расследовали?",
]
RUSSIA_SUBJECTS = [
    "the lab in Georgia", "NATO drills", "the sanctions", "the pipeline deal", "the vaccine race",
    "the election funding", "the bio labs", "the protests",
]
RUSSIA_ANSWERS = [
    "Exactly. Follow the money.", "Because it doesn't fit their story.", "They never will.",
    "Everyone knows the answer.", "Вот именно.", "Потому что это невыгодно Западу.",
    "Say it louder.", "Mainstream media won't touch it.", "Правильный вопрос!",
]
TURKEY_SLOGANS = [
    "milli", "irade", "güçlü", "Türkiye", "yerli", "ve", "milli", "liderimizin", "yanındayız",
    "vatan", "millet", "birlik", "beraberlik", "hainlere", "geçit", "yok", "terörle", "mücadele",
    "zafer", "kazanacağız", "destan", "Türkiye", "yüzyılı", "başarı", "hizmet", "gururla",
]
TURKEY_HASHTAGS = [
    "DevletinYanındayız", "TürkiyeGüçlü", "MilliBirlik", "HainlereGeçitYok", "YerliVeMilli",
]

EMOJI = ["😂", "❤️", "🔥", "🙏", "😭", "👍", "✨", "💯", "🤔", "👀"]
#: Characters that downstream code must escape or quote: commas, quotes,
#: newlines and markup appear in real post text.
HOSTILE = [
    ', and "quoted"',
    "\nnew line",
    " <b>bold</b> & <script>x</script>",
    " 'single'",
    " ;DROP TABLE",
]


def join_words(words: list[str], lang: str) -> str:
    return ("" if lang in NO_SPACE else " ").join(words)


def sentences(
    rng: np.random.Generator,
    langs: np.ndarray,
    vocab_extra: dict[str, list[str]] | None = None,
    min_words: int = 4,
    max_words: int = 18,
    hostile_p: float = 0.02,
) -> np.ndarray:
    """One freshly composed sentence per entry of ``langs`` (an array of vocab keys)."""
    n = len(langs)
    out = np.empty(n, dtype=object)
    lengths = rng.integers(min_words, max_words + 1, size=n)
    u = rng.random((n, max_words))
    emo = rng.random(n)
    emo_idx = rng.integers(0, len(EMOJI), size=n)
    hostile = rng.random(n) < hostile_p
    hostile_idx = rng.integers(0, len(HOSTILE), size=n)
    cache: dict[str, list[str]] = {}
    for i in range(n):
        lang = langs[i]
        words = cache.get(lang)
        if words is None:
            words = VOCAB[lang] + (vocab_extra or {}).get(lang, [])
            cache[lang] = words
        m = len(words)
        k = lengths[i]
        text = join_words([words[int(x * m)] for x in u[i, :k]], lang)
        if emo[i] < 0.2:
            text += " " + EMOJI[emo_idx[i]]
        if hostile[i]:
            text += HOSTILE[hostile_idx[i]]
        out[i] = text
    return out


def topic_sentences(
    rng: np.random.Generator,
    n: int,
    words: list[str],
    lang: str,
    min_words: int = 5,
    max_words: int = 14,
) -> np.ndarray:
    """Sentences drawn from one topical vocabulary (varied wording, no template)."""
    out = np.empty(n, dtype=object)
    lengths = rng.integers(min_words, max_words + 1, size=n)
    idx = rng.integers(0, len(words), size=(n, max_words))
    for i in range(n):
        out[i] = join_words([words[j] for j in idx[i, : lengths[i]]], lang)
    return out


def base_messages(
    rng: np.random.Generator, topics: list[list[str]], per_topic: int, lang: str
) -> list[tuple[int, list[str]]]:
    """Base messages an operation repeats: (topic index, token list) pairs."""
    out = []
    for t, words in enumerate(topics):
        for _ in range(per_topic):
            k = int(rng.integers(8, 16))
            out.append((t, [words[int(j)] for j in rng.integers(0, len(words), size=k)]))
    return out


def mutate(rng: np.random.Generator, tokens: list[str], lang: str, n_edits: int) -> str:
    """A near-duplicate of ``tokens``: drop, swap or repeat a few tokens, vary punctuation."""
    toks = list(tokens)
    for _ in range(n_edits):
        op = rng.integers(0, 3)
        if len(toks) < 3:
            break
        i = int(rng.integers(0, len(toks)))
        if op == 0:
            del toks[i]
        elif op == 1:
            j = int(rng.integers(0, len(toks)))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks.insert(i, toks[i])
    text = join_words(toks, lang)
    punct = (
        ["！", "。", "!!", "", "…", "！！"]
        if lang in NO_SPACE
        else ["!", ".", "!!", "", "...", "?!"]
    )
    return text + punct[int(rng.integers(0, len(punct)))]


def list_str(items: list[str]) -> str:
    """A Python-list string as the IO archive writes list fields (``['a', 'b']``)."""
    return "[" + ", ".join(repr(x) for x in items) + "]"
