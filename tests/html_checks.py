"""Checks that hostile post text shown on a page stayed text (report and review app)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def assert_inert_markup(page: str, where: str = "") -> None:
    """No script, no markup the data planted (img, b), no event handler, no javascript: URL."""
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags, where
    assert "img" not in parser.tags and "b" not in parser.tags, where
    assert not any(name.startswith("on") for name, _ in parser.attrs), where
    assert not any((value or "").lower().lstrip().startswith("javascript:")
                   for _, value in parser.attrs), where
    assert "<script" not in page.lower(), where
