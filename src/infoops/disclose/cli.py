"""What ``infoops disclose`` runs: open the store, call the library, say what happened."""

from __future__ import annotations

from collections.abc import Callable

from infoops.disclose.check import check_release
from infoops.disclose.policy import Policy, load_secret
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


def run_check(db: str, folder: str) -> tuple[str, bool]:
    """Check a release; return (lines to print, clean?)."""
    with Store(db, read_only=True) as store:
        res = check_release(store, folder)
    lines = [str(leak) for leak in res.leaks]
    verdict = (f"{folder}: clean ({res.files} files, {res.cells:,} cells scanned)" if res.ok
               else f"{folder}: {len(res.leaks)} leak(s) in {res.files} files")
    return "\n".join([*lines, verdict]), res.ok
