"""The review app in real headless Chromium on a tiny simulated world.

An analyst signs in, opens the top network, opens a case and confirms it; the
takedown is over the approval threshold, so a second reviewer approves it; the
accounts are then gone from the live view and present in the archive; an
appeal is filed for one account and upheld by a third person, and that
account's posts are back. A screenshot of the page is saved on any failure.
"""

# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from chromium_cdp import Chromium, find_chromium
from review_fixtures import PASSWORDS, ServeProcess, sim_template  # noqa: F401

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class Flow:
    def __init__(self, browser: Chromium, session: str, base: str) -> None:
        self.b, self.s, self.base = browser, session, base
        self.step = "start"

    def go(self, path: str) -> None:
        self.b.navigate(self.s, self.base + path)

    def login(self, name: str) -> None:
        self.go("/login")
        self.b.type(self.s, "#username", name)
        self.b.type(self.s, "#password", PASSWORDS[name])
        self.b.click(self.s, "#signin")
        assert f"{name} (" in self.b.text(self.s, "header"), self.b.text(self.s)

    def logout(self) -> None:
        self.b.click(self.s, "#logout")
        assert "/login" in self.b.url(self.s)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        return self.b.screenshot(self.s, ARTIFACTS / f"review-{name}.png")


@pytest.mark.browser
def test_takedown_and_appeal_in_chromium(sim_template: Path, tmp_path: Path) -> None:
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium on PATH (install Debian's `chromium` package; .ci/run does)")
    db = tmp_path / "sim.duckdb"
    shutil.copyfile(sim_template, db)
    with ServeProcess(db, "--approval-threshold", "5") as srv, Chromium(exe) as browser:
        session = browser.open(srv.url + "/")
        f = Flow(browser, session, srv.url)
        try:
            f.step = "redirected to sign in"
            assert "/login" in browser.url(session)
            f.login("ann")

            f.step = "top network"
            top = browser.evaluate(session, "document.querySelector('#networks tbody tr')"
                                            ".dataset.network")
            browser.click(session, "#networks tbody tr td a")
            assert f"Network {top}" in browser.text(session, "h1")
            n_accounts = int(re.search(r"\(([\d,]+)\)", browser.text(session, "#members-link"))
                             .group(1).replace(",", ""))
            assert n_accounts > 5  # over the approval threshold: a second reviewer must approve

            f.step = "open a case and confirm it"
            browser.click(session, "#open-case-button")
            case_id = browser.text(session, "h1").split(":")[0].replace("Case ", "").strip()
            browser.type(session, "#decision", "confirm")
            browser.type(session, "#policy", "coordinated_inauthentic_activity")
            browser.type(session, "#decide-note", "coordinated retweet network, office hours")
            browser.click(session, "#decide-button")
            assert browser.count(session, "#needs-approval") == 1, browser.text(session)
            assert browser.count(session, "#approve-button") == 0  # analysts cannot approve
            f.logout()

            f.step = "second reviewer approves"
            f.login("rob")
            f.go(f"/cases/{case_id}")
            browser.type(session, "#approve-form input[name=reason]", "agree with ann")
            browser.click(session, "#approve-button")
            assert "takedown approved" in browser.text(session, ".flash")
            assert f"{n_accounts}" in browser.text(session, "#takedown")

            f.step = "gone from the live view, present in the archive"
            f.go(f"/networks/{top}/live")
            assert browser.count(session, "#live tbody tr") == 0
            f.go(f"/archive?case={case_id}&per=500")
            assert browser.count(session, "#archive tbody tr[data-account]") == n_accounts
            victim = browser.evaluate(session, "document.querySelector('#archive tbody tr')"
                                               ".dataset.account")
            f.go(f"/accounts/{victim}/posts?view=all&per=500")
            total = int(re.search(r"([\d,]+) rows", browser.text(session, ".pager")).group(1)
                        .replace(",", ""))
            assert total > 0
            f.go(f"/accounts/{victim}/posts?view=live")
            assert browser.count(session, "#posts tbody tr") == 0
            assert "taken down" in browser.text(session, "h1")

            f.step = "file an appeal"
            f.go(f"/accounts/{victim}")
            browser.type(session, "#statement", "This is my personal account; I was hacked.")
            browser.click(session, "#file-appeal")
            assert browser.text(session, "#appeal-status") == "open"
            appeal_url = browser.url(session)
            assert browser.count(session, "#appeal-decide-button") == 1
            f.logout()

            f.step = "a different reviewer upholds it"
            f.login("rita")
            browser.navigate(session, appeal_url)
            browser.evaluate(session, "document.querySelector('#uphold').checked = true")
            browser.type(session, "#appeal-reason", "owner verified; account was compromised")
            browser.click(session, "#appeal-decide-button")
            assert browser.text(session, "#appeal-status") == "upheld"

            f.step = "the account's posts are back"
            f.go(f"/accounts/{victim}/posts?view=live&per=500")
            back = int(re.search(r"([\d,]+) rows", browser.text(session, ".pager")).group(1)
                       .replace(",", ""))
            assert back == total
            assert "live" in browser.text(session, "h1")
            f.go(f"/networks/{top}/live")
            assert browser.count(session, "#live tbody tr") == 1
            f.go("/audit?verify=1")
            assert "Chain intact" in browser.text(session, "#audit-check")
            f.shot("final")
            assert browser.errors() == [], browser.errors()  # no CSP violation, no script error
        except BaseException:
            f.shot(re.sub(r"\W+", "-", f.step))
            raise
