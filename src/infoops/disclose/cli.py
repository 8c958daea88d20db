"""What ``infoops disclose`` runs: open the store, call the library, say what happened."""

from __future__ import annotations

import os
from collections.abc import Callable

from infoops.disclose.check import check_release
from infoops.disclose.policy import SECRET_ENV, Policy, load_secret
from infoops.disclose.release import write_release
from infoops.disclose.select import select_case, select_network
from infoops.store import Store


def run_release(db: str, *, network: str | None, run_id: str | None, case_id: str | None,
                name: str, out: str, core_only: bool, secret_file: str | None,
                progress: Callable[[str], None] | None = None) -> str:
    """Write a release; return the lines to print."""
    secret = load_secret(secret_file)
    with Store(db, read_only=True) as store:
        if case_id:
            sel = select_case(store, case_id, core_only)
        else:
            assert network is not None
            sel = select_network(store, network, run_id, core_only)
        rel = write_release(store, sel, name, out, secret, Policy(core_only=core_only), progress)
    s = rel.stats
    return "\n".join([
        (f"wrote {rel.out}: {s.accounts:,} accounts ({s.anonymised:,} anonymised), "
        f"{s.posts:,} posts in {rel.seconds:.1f} s"),
        *(f"  {f}  sha256 {e['sha256']}" for f, e in rel.manifest["files"].items()),
        f"check it with: infoops disclose --check {rel.out} --db {db}",
    ])


def run_check(db: str, folder: str, secret_file: str | None = None) -> tuple[str, bool]:
    """Check a release (with the secret, if given, also its userids); return (lines, clean?)."""
    secret = load_secret(secret_file) if secret_file or os.environ.get(SECRET_ENV) else None
    with Store(db, read_only=True) as store:
        res = check_release(store, folder, secret)
    lines = [str(leak) for leak in res.leaks]
    members = "every userid a member's" if res.members_verified else "userids not verified: no secret"
    verdict = (f"{folder}: clean ({res.files} files, {res.cells:,} cells scanned; {members})" if res.ok
               else f"{folder}: {len(res.leaks)} leak(s) in {res.files} files")
    return "\n".join([*lines, verdict]), res.ok
