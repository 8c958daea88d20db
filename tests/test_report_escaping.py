"""Hostile text cannot break or script the report page."""

from __future__ import annotations

import pytest

from html_checks import assert_inert_markup
from infoops.report import build_report, render_report, safe
from infoops.report.html import CSP
from infoops.store import Store
from report_fixtures import (
    BIDI,
    HOSTILE_NAME,
    HOSTILE_TAG,
    HOSTILE_URL,
    LONG,
    SCRIPT,
    build_world,
    load_world,
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    s = Store(tmp_path_factory.mktemp("esc") / "w.duckdb")
    load_world(s, build_world())
    # make every text of the network hostile, so whatever the report samples is hostile
    s.con.execute("UPDATE posts SET text = ? || ' ' || post_id || ? "
                  "WHERE account_id LIKE 'c%' OR account_id LIKE 'a%'", [SCRIPT, BIDI])
    s.con.execute("UPDATE posts SET text = ? WHERE post_id = 'p0000'", [SCRIPT + BIDI + LONG])
    s.con.execute("UPDATE accounts SET screen_name = ? WHERE account_id = 'c1'", [HOSTILE_NAME])
    html = render_report(build_report(s, network="1"))
    s.close()
    return html


def test_no_script_or_live_markup_from_data(page: str) -> None:
    assert_inert_markup(page)
    # the hostile strings are shown, escaped
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "javascript:alert(1)//&quot;&gt;&lt;script&gt;" in page


def test_bidi_controls_removed_and_long_text_truncated(page: str) -> None:
    for ch in safe.BIDI_CONTROLS:
        assert ch not in page
    assert "gnp.exe" in page  # the text is kept, only the controls are gone
    assert f"[truncated; {len(SCRIPT + LONG) + 7:,} characters]" in page  # gnp.exe = 7
    assert "长" * 1000 not in page
    assert len(page) < 400_000


def test_csp_forbids_scripts(page: str) -> None:
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP and "script-src" not in CSP


def test_safe_helpers() -> None:
    assert safe.text(SCRIPT) == "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"
    assert safe.text(BIDI) == "gnp.exe"
    assert safe.text("a\x00b\x1bc") == "abc"
    long = safe.text("x" * 500, limit=10)
    assert long.startswith("x" * 10 + "<span") and "500 characters" in long
    assert safe.label("<&>" * 50, 5) == "&lt;&amp;&gt;&lt;…"
    assert safe.attr('"><x') == "&quot;&gt;&lt;x"
    assert safe.url(HOSTILE_URL).startswith("<code>javascript:alert(1)//&quot;")
    assert safe.text(HOSTILE_NAME) == "&lt;img src=x onerror=alert(1)&gt;"
    assert safe.text(HOSTILE_TAG) == "&lt;b&gt;bold&lt;/b&gt;"
    assert safe.text(None) == ""
