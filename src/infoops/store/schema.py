"""Canonical schema of the store, created and versioned by migrations.

Each migration is a list of SQL statements applied once, in order, inside a
transaction; ``schema_migrations`` records which ones a store has. Later
features add tables by appending a migration — never by editing an old one —
so stores written by older versions keep opening.

Ids are TEXT everywhere (platform ids can be hashed strings). Timestamps are
UTC ``TIMESTAMP`` values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_CORE = (
    """
    CREATE TABLE accounts (
        account_id      TEXT PRIMARY KEY,
        screen_name     TEXT,
        display_name    TEXT,
        created_at      TIMESTAMP,
        followers       BIGINT,
        following       BIGINT,
        language        TEXT,
        location        TEXT,
        description     TEXT,
        profile_url     TEXT,
        verified        BOOLEAN,
        statuses_count  BIGINT,
        is_stub         BOOLEAN NOT NULL DEFAULT FALSE,
        source          TEXT,
        profile_seen_at TIMESTAMP
    )
    """,
    """
    CREATE TABLE posts (
        post_id             TEXT PRIMARY KEY,
        account_id          TEXT NOT NULL,
        created_at          TIMESTAMP,
        kind                TEXT NOT NULL,
        text                TEXT,
        language            TEXT,
        client              TEXT,
        ref_post_id         TEXT,
        ref_account_id      TEXT,
        reply_to_post_id    TEXT,
        reply_to_account_id TEXT,
        like_count          BIGINT,
        retweet_count       BIGINT,
        reply_count         BIGINT,
        quote_count         BIGINT,
        has_media           BOOLEAN,
        latitude            DOUBLE,
        longitude           DOUBLE,
        source              TEXT
    )
    """,
    "CREATE TABLE post_hashtags (post_id TEXT NOT NULL, tag TEXT NOT NULL)",
    "CREATE TABLE post_urls (post_id TEXT NOT NULL, url TEXT NOT NULL, domain TEXT)",
    "CREATE TABLE post_mentions (post_id TEXT NOT NULL, account_id TEXT NOT NULL)",
    "CREATE TABLE post_media (post_id TEXT NOT NULL, media_hash TEXT NOT NULL)",
    """
    CREATE TABLE profile_changes (
        account_id  TEXT NOT NULL,
        changed_at  TIMESTAMP,
        field       TEXT NOT NULL,
        old_value   TEXT,
        new_value   TEXT
    )
    """,
    """
    CREATE TABLE ingest_runs (
        run_id            TEXT PRIMARY KEY,
        started_at        TIMESTAMP NOT NULL,
        finished_at       TIMESTAMP,
        status            TEXT NOT NULL,
        format            TEXT,
        sources           TEXT,
        rows_read         BIGINT DEFAULT 0,
        rows_stored       BIGINT DEFAULT 0,
        rows_quarantined  BIGINT DEFAULT 0,
        rows_duplicate    BIGINT DEFAULT 0,
        detail            JSON
    )
    """,
    """
    CREATE TABLE quarantine (
        run_id  TEXT,
        source  TEXT NOT NULL,
        line    BIGINT,
        reason  TEXT NOT NULL,
        raw     TEXT
    )
    """,
    """
    CREATE TABLE detect_runs (
        run_id       TEXT PRIMARY KEY,
        started_at   TIMESTAMP NOT NULL,
        finished_at  TIMESTAMP,
        status       TEXT NOT NULL,
        params       JSON,
        summary      JSON
    )
    """,
    """
    CREATE TABLE edges (
        run_id      TEXT NOT NULL,
        trace       TEXT NOT NULL,
        a           TEXT NOT NULL,
        b           TEXT NOT NULL,
        weight      DOUBLE NOT NULL,
        p_value     DOUBLE,
        significant BOOLEAN,
        detail      JSON
    )
    """,
    """
    CREATE TABLE networks (
        run_id       TEXT NOT NULL,
        network_id   TEXT NOT NULL,
        score        DOUBLE,
        n_accounts   BIGINT,
        n_core       BIGINT,
        n_amplifier  BIGINT,
        traces       TEXT,
        reason       TEXT,
        detail       JSON
    )
    """,
    """
    CREATE TABLE members (
        run_id      TEXT NOT NULL,
        network_id  TEXT NOT NULL,
        account_id  TEXT NOT NULL,
        role        TEXT,
        score       DOUBLE,
        signals     JSON,
        reason      TEXT
    )
    """,
    """
    CREATE TABLE evidence (
        run_id         TEXT NOT NULL,
        trace          TEXT NOT NULL,
        a              TEXT NOT NULL,
        b              TEXT NOT NULL,
        post_a         TEXT,
        post_b         TEXT,
        object         TEXT,
        delta_seconds  DOUBLE
    )
    """,
)

_REJECTED = (
    """
    CREATE TABLE rejected_networks (
        run_id       TEXT NOT NULL,
        network_id   TEXT NOT NULL,
        score        DOUBLE,
        n_accounts   BIGINT,
        traces       TEXT,
        reason       TEXT,
        detail       JSON
    )
    """,
    """
    CREATE TABLE rejected_members (
        run_id      TEXT NOT NULL,
        network_id  TEXT NOT NULL,
        account_id  TEXT NOT NULL,
        role        TEXT,
        score       DOUBLE,
        reason      TEXT
    )
    """,
)

_HARDENING = (
    # who runs each ingest/detect run, so that dead runs can be found on open
    """
    CREATE TABLE run_owners (
        run_id   TEXT PRIMARY KEY,
        kind     TEXT NOT NULL,
        pid      INTEGER,
        host     TEXT,
        command  TEXT
    )
    """,
    # a quarantined record's last physical line (when it spans several) and
    # its position in a JSON page or array (0-based)
    "ALTER TABLE quarantine ADD COLUMN last_line BIGINT",
    "ALTER TABLE quarantine ADD COLUMN item INTEGER",
    # retweets whose author is only known from their ``RT @name:`` prefix:
    # resolved again after every ingest against every account the store holds
    "CREATE TABLE post_rt_names (post_id TEXT PRIMARY KEY, screen_name TEXT NOT NULL)",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "canonical tables: accounts, posts, entities, runs, results", _CORE),
    Migration(2, "networks detect looked at and rejected, with their reasons", _REJECTED),
    # 3 is reserved for the review app
    Migration(4, "run owners, quarantine line ranges and page items, RT @name retweets", _HARDENING),
)

SCHEMA_VERSION = max(m.version for m in MIGRATIONS)

#: The canonical input tables, in the order ingest fills them.
DATA_TABLES = (
    "accounts",
    "posts",
    "post_hashtags",
    "post_urls",
    "post_mentions",
    "post_media",
    "profile_changes",
)
#: Result tables written by ``detect``.
RESULT_TABLES = (
    "detect_runs", "edges", "networks", "members", "evidence",
    "rejected_networks", "rejected_members",
)
