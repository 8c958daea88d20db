"""Hashtags, cashtags, mentions and URLs read from post text.

For sources that hold the text but no entity columns (FiveThirtyEight's IRA
files, scraped CSVs, exports), the entities are read from the text by
Twitter's own rules:

- URLs by ``twitter-text-parser`` (a maintained port of Twitter's
  ``twitter-text`` URL extractor, with its list of top-level domains), so
  ``example.com/page`` counts and ``file.txt`` does not;
- hashtags, cashtags and mentions by the patterns of ``twitter-text``'s
  conformance rules (``validHashtag``, ``validCashtag``,
  ``validMentionOrList``; Twitter, twitter-text 3.x, 2019), written with
  Unicode classes (``regex``) so Russian, Chinese, Arabic and Hindi tags work;
  a hashtag or mention inside a URL is not one.

URLs are canonicalised (scheme and host lower-case, default port, fragment
and tracking parameters such as ``utm_*`` or ``fbclid`` dropped) and their
domain is the *registered* domain by the Public Suffix List
(``tldextract`` with the snapshot it ships; it never fetches the list), so
``news.bbc.co.uk`` counts as ``bbc.co.uk``. Links through a shortener
(``t.co``, ``bit.ly``, ...) keep the short link, the only thing the text
holds, and no domain: a shortener's domain says nothing about where it leads.
Cashtags are stored with the hashtags, written ``$TSLA``. Mentions are
screen names, stored as ``@name`` and resolved to account ids after the run
(:func:`infoops.ingest.infer.resolve_mention_names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

if TYPE_CHECKING:  # both compile large tables at import (seconds): loaded on first use
    import tldextract

_HASHTAG_CHAR = (r"\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c"
                 r"\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7")
_HASHTAG = regex.compile(
    rf"(?:^|(?<=[^&{_HASHTAG_CHAR}]))[#＃](?!\ufe0f|\u20e3)"
    rf"([{_HASHTAG_CHAR}]*[\p{{L}}\p{{M}}][{_HASHTAG_CHAR}]*)(?![#＃]|://)"
)
_CASHTAG = regex.compile(r"(?:^|(?<=[\p{Z}\s]))\$([A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?)(?=$|\s|\p{P})")
_MENTION = regex.compile(
    r"(?:(?<![A-Za-z0-9_!#$%&*@＠])|(?<=(?:^|[^A-Za-z0-9_+~.-])[Rr][Tt]:?))"
    r"[@＠]([A-Za-z0-9_]{1,20})(?![@＠A-Za-z0-9_\p{Latin}]|://)"
)

#: Query parameters that track the click, not the page (dropped from URLs).
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "igshid", "mc_cid", "mc_eid", "yclid", "msclkid",
    "ref_src", "ref_url", "cmpid", "ncid", "ocid", "_ga", "_gl", "smid", "smtyp", "spm",
    "share", "s", "t", "si", "feature",
})
#: Link shorteners: the short link is kept (nothing better is known), the domain is not.
SHORTENERS = frozenset({
    "t.co", "bit.ly", "ow.ly", "goo.gl", "tinyurl.com", "dlvr.it", "ift.tt", "buff.ly",
    "fb.me", "trib.al", "is.gd", "j.mp", "lnkd.in", "wp.me", "tiny.cc",
})


@dataclass
class TextEntities:
    """Entities of one text; ``domains[i]`` is the registered domain of ``urls[i]``
    (None for a shortener or a host without a public suffix)."""

    hashtags: list[str] = field(default_factory=list)
    cashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    domains: list[str | None] = field(default_factory=list)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # the bundled snapshot of the Public Suffix List; no fetch, no cache on disk
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registered_domain(host: str) -> str | None:
    """``news.bbc.co.uk`` -> ``bbc.co.uk`` (Public Suffix List); None without a suffix."""
    host = host.lower().rstrip(".")
    if not host:
        return None
    r = _extractor()(host)
    if not r.suffix:
        return host if r.domain and r.domain.replace(".", "").isdigit() else None  # an IP address
    return f"{r.domain}.{r.suffix}" if r.domain else None


def canonical_url(url: str) -> tuple[str, str | None]:
    """(canonical URL, registered domain or None for a shortener)."""
    raw = url.strip()
    if "://" not in raw[:12]:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return url.strip(), None
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = parts.query
    if query:
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
        query = urlencode(kept, doseq=True)
    path = parts.path or ("/" if query else "")
    canon = urlunsplit((scheme, netloc, path, query, ""))
    bare = host.removeprefix("www.")
    domain = None if bare in SHORTENERS else registered_domain(host)
    return canon, domain


@lru_cache(maxsize=1)
def _url_finder() -> Any:
    # twitter-text's URL rules: loaded on first use (its tables take seconds to compile)
    from twitter_text import extract_urls_with_indices

    return extract_urls_with_indices


def extract(text: str | None) -> TextEntities:
    """Hashtags, cashtags, mentions and canonical URLs of one post text (see the module)."""
    out = TextEntities()
    if not text:
        return out
    spans: list[tuple[int, int]] = []
    for u in _url_finder()(text):
        start, end = u["indices"]
        spans.append((start, end))
        canon, domain = canonical_url(u["url"])
        out.urls.append(canon)
        out.domains.append(domain)

    def inside_url(pos: int) -> bool:
        return any(a <= pos < b for a, b in spans)

    for m in _HASHTAG.finditer(text):
        if not inside_url(m.start()):
            out.hashtags.append(m.group(1))
    for m in _CASHTAG.finditer(text):
        if not inside_url(m.start()):
            out.cashtags.append(m.group(1).upper())
    for m in _MENTION.finditer(text):
        if not inside_url(m.start()):
            out.mentions.append(m.group(1))
    return out


@dataclass
class ExtractedColumns:
    """Entities of many texts, as list columns, and how many of each were found."""

    hashtags: list[list[str]]
    mentions: list[list[str]]
    urls: list[list[str]]
    domains: list[list[str | None]]
    counts: dict[str, int]


def extract_columns(texts: Sequence[str | None]) -> ExtractedColumns:
    """:func:`extract` over a column of texts; cashtags join the hashtags as ``$TAG``
    and mentions are written ``@name`` (a screen name, not an id)."""
    tags, ments, urls, doms = [], [], [], []
    counts = {"hashtags": 0, "cashtags": 0, "mentions": 0, "urls": 0}
    for text in texts:
        e = extract(text)
        tags.append(e.hashtags + ["$" + c for c in e.cashtags])
        ments.append(["@" + m for m in e.mentions])
        urls.append(e.urls)
        doms.append(e.domains)
        counts["hashtags"] += len(e.hashtags)
        counts["cashtags"] += len(e.cashtags)
        counts["mentions"] += len(e.mentions)
        counts["urls"] += len(e.urls)
    return ExtractedColumns(tags, ments, urls, doms, counts)
