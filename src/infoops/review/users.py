"""People who use the review app: accounts, roles, password hashes, permissions.

Passwords are hashed with scrypt (Percival 2009; RFC 7914) from the standard
library, with a random 16-byte salt per password; verification compares in
constant time. Every user and role change is written to the audit log.

Roles: an **analyst** reviews networks, opens and decides cases and files
appeals; a **reviewer** may also approve another person's takedown (the
two-person rule) and decide appeals; an **admin** may also manage users.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import duckdb

from infoops.errors import AuthenticationError, ForbiddenError, NotFoundError, ReviewError
from infoops.review import audit
from infoops.review.rows import one, rows, transaction, utcnow

ROLES = ("analyst", "reviewer", "admin")
#: Which roles may do what. Every mutating web route and library call checks one of these.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view": ROLES,
    "case.open": ROLES,
    "case.note": ROLES,
    "case.assign": ROLES,
    "case.decide": ROLES,
    "appeal.file": ROLES,
    "takedown.approve": ("reviewer", "admin"),
    "appeal.decide": ("reviewer", "admin"),
    "outbox.retry": ("reviewer", "admin"),
    "audit.view": ("reviewer", "admin"),
    "users.manage": ("admin",),
}
#: scrypt cost parameters (n=2**14, r=8, p=1: about 16 MiB and 50 ms a hash).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class User:
    username: str
    role: str

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    """Raise :class:`ForbiddenError` unless ``user``'s role grants ``permission``."""
    if not user.can(permission):
        allowed = " or ".join(PERMISSIONS[permission])
        raise ForbiddenError(f"{user.username} is {user.role}; {permission} needs {allowed}")


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a :func:`hash_password` string (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ReviewError(f"role {role!r}: use one of {', '.join(ROLES)}")
    return role


def add_user(con: duckdb.DuckDBPyConnection, username: str, role: str, password: str,
             actor: str = "cli") -> User:
    """Create a user (audited). Names: letters, digits, ``_ . -``; passwords ≥ 8 characters."""
    if not _NAME.fullmatch(username or ""):
        raise ReviewError(f"user name {username!r}: use 1-64 letters, digits, '_', '.' or '-'")
    _check_role(role)
    if len(password or "") < MIN_PASSWORD:
        raise ReviewError(f"password too short: use at least {MIN_PASSWORD} characters")
    hashed = hash_password(password)
    with transaction(con):
        if one(con, "SELECT 1 AS x FROM users WHERE username = ?", [username]):
            raise ReviewError(f"user {username!r} exists; pick another name or change its role")
        con.execute("INSERT INTO users VALUES (?, ?, ?, TRUE, ?, ?)",
                    [username, role, hashed, utcnow(), actor])
        audit.append(con, actor, "user.add", "user", username, None, None,
                     {"role": role, "active": True})
    return User(username, role)


def set_role(con: duckdb.DuckDBPyConnection, actor: User, username: str, role: str,
             active: bool | None = None, reason: str | None = None) -> User:
    """Change a user's role (and optionally deactivate them); admins only; audited."""
    require(actor, "users.manage")
    _check_role(role)
    with transaction(con):
        before = one(con, "SELECT role, active FROM users WHERE username = ?", [username])
        if before is None:
            raise NotFoundError(f"no user {username!r}; add it with `infoops users add`")
        after = {"role": role, "active": before["active"] if active is None else bool(active)}
        con.execute("UPDATE users SET role = ?, active = ? WHERE username = ?",
                    [role, after["active"], username])
        audit.append(con, actor.username, "user.role", "user", username, reason, before, after)
    return User(username, role)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The active user ``username``, or ``None``."""
    row = one(con, "SELECT username, role FROM users WHERE username = ? AND active", [username])
    return User(row["username"], row["role"]) if row else None


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User:
    """The user whose name and password match; :class:`AuthenticationError` otherwise."""
    row = one(con, "SELECT username, role, password_hash FROM users WHERE username = ? AND active",
              [username])
    # hash anyway when the user is unknown, so timing does not reveal which names exist
    stored = row["password_hash"] if row else hash_password("x" * MIN_PASSWORD)
    if not verify_password(password, stored) or row is None:
        raise AuthenticationError("wrong user name or password")
    return User(row["username"], row["role"])


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return rows(con, "SELECT username, role, active, created_at, created_by FROM users "
                     "ORDER BY username")


def count_users(con: duckdb.DuckDBPyConnection) -> int:
    got = con.execute("SELECT count(*) FROM users").fetchall()
    return int(got[0][0])
