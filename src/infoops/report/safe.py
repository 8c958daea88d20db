"""Rendering untrusted data (post text, names, hashtags, URLs) safely into HTML.

Everything that comes from the data is hostile until escaped: post text can hold
``<script>``, markup, bidirectional control characters that reorder what the reader
sees (the "Trojan Source" trick, Boucher & Anderson 2021), or hundreds of kilobytes.
:func:`text` escapes, neutralises control characters and truncates (showing the
original length); :func:`url` renders a URL as text, never as a live link.
"""

from __future__ import annotations

import html
import re

#: Bidirectional embedding/override/isolate controls and the LRM/RLM marks.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
# C0/C1 controls other than tab and newline, and the zero-width no-break space.
_CTRL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")

#: Default number of characters of a post shown before truncating.
POST_LIMIT = 400
#: Default for short fields (names, hashtags, URLs, clients).
FIELD_LIMIT = 120


def clean(value: object) -> str:
    """``value`` as a string with bidi and other control characters removed."""
    if value is None:
        return ""
    s = str(value)
    s = _BIDI_RE.sub("", s)
    return _CTRL_RE.sub("", s)


def text(value: object, limit: int = FIELD_LIMIT) -> str:
    """Escaped, control-free HTML for ``value``, truncated to ``limit`` characters.

    Truncated text ends with a visible note giving the original length, so an
    analyst knows the post was longer than shown.
    """
    s = clean(value)
    n = len(s)
    if n > limit:
        s = s[:limit]
        return html.escape(s) + f'<span class="trunc">… [truncated; {n:,} characters]</span>'
    return html.escape(s)


def label(value: object, limit: int = FIELD_LIMIT) -> str:
    """Escaped, control-free plain text for SVG labels (truncation marked with ``…``)."""
    s = clean(value)
    return html.escape(s[: limit - 1] + "…" if len(s) > limit else s)


def post(value: object, limit: int = POST_LIMIT) -> str:
    """A post's text as an isolated, escaped, truncated inline element."""
    return f'<bdi class="post">{text(value, limit)}</bdi>'


def url(value: object, limit: int = FIELD_LIMIT) -> str:
    """A URL shown as escaped text inside ``<code>`` (never a clickable link)."""
    return f"<code>{text(value, limit)}</code>"


def attr(value: object, limit: int = FIELD_LIMIT) -> str:
    """``value`` escaped for use inside a double-quoted attribute."""
    return html.escape(clean(value)[:limit], quote=True)
