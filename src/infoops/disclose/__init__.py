"""Disclosure: research releases in the Information Operations archive format.

:func:`select_network` / :func:`select_case` choose the accounts,
:func:`write_release` writes the anonymised release (policy in
:mod:`infoops.disclose.policy`), :func:`check_release` proves it leak-free.
"""

from infoops.disclose.check import CheckResult, Leak, check_release
from infoops.disclose.policy import FOLLOWER_THRESHOLD, Hasher, Policy, load_secret
from infoops.disclose.release import Release, release_files, write_release
from infoops.disclose.select import Selection, select_case, select_network, select_source

__all__ = [
    "FOLLOWER_THRESHOLD", "CheckResult", "Hasher", "Leak", "Policy", "Release", "Selection",
    "check_release", "load_secret", "release_files", "select_case", "select_network",
    "select_source", "write_release",
]
