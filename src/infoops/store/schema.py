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

_REVIEW = (
    """
    CREATE TABLE users (
        username       TEXT PRIMARY KEY,
        role           TEXT NOT NULL,
        password_hash  TEXT NOT NULL,
        active         BOOLEAN NOT NULL DEFAULT TRUE,
        created_at     TIMESTAMP NOT NULL,
        created_by     TEXT
    )
    """,
    """
    CREATE TABLE review_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
    """,
    """
    CREATE TABLE cases (
        case_id     TEXT PRIMARY KEY,
        run_id      TEXT,
        network_id  TEXT,
        title       TEXT,
        status      TEXT NOT NULL,
        assignee    TEXT,
        created_by  TEXT NOT NULL,
        created_at  TIMESTAMP NOT NULL,
        updated_at  TIMESTAMP NOT NULL,
        version     BIGINT NOT NULL,
        decision    TEXT,
        policy      TEXT,
        updated_by  TEXT
    )
    """,
    """
    CREATE TABLE case_accounts (
        case_id     TEXT NOT NULL,
        account_id  TEXT NOT NULL,
        decision    TEXT,
        policy      TEXT,
        decided_by  TEXT,
        decided_at  TIMESTAMP,
        role        TEXT,
        score       DOUBLE,
        PRIMARY KEY (case_id, account_id)
    )
    """,
    """
    CREATE TABLE decisions (
        decision_id  BIGINT PRIMARY KEY,
        case_id      TEXT NOT NULL,
        account_id   TEXT,
        decision     TEXT NOT NULL,
        policy       TEXT,
        note         TEXT,
        decided_by   TEXT NOT NULL,
        decided_at   TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE case_notes (
        case_id     TEXT NOT NULL,
        author      TEXT NOT NULL,
        created_at  TIMESTAMP NOT NULL,
        text        TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE takedowns (
        account_id    TEXT NOT NULL,
        case_id       TEXT NOT NULL,
        status        TEXT NOT NULL,
        taken_at      TIMESTAMP,
        restored_at   TIMESTAMP,
        requested_by  TEXT NOT NULL,
        requested_at  TIMESTAMP NOT NULL,
        approved_by   TEXT,
        policy        TEXT,
        restored_by   TEXT,
        PRIMARY KEY (account_id, case_id)
    )
    """,
    """
    CREATE TABLE appeals (
        appeal_id   TEXT PRIMARY KEY,
        account_id  TEXT NOT NULL,
        case_id     TEXT NOT NULL,
        status      TEXT NOT NULL,
        statement   TEXT,
        filed_by    TEXT NOT NULL,
        filed_at    TIMESTAMP NOT NULL,
        decided_by  TEXT,
        decided_at  TIMESTAMP,
        reason      TEXT,
        version     BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE outbox (
        action_id        TEXT PRIMARY KEY,
        kind             TEXT NOT NULL,
        case_id          TEXT,
        payload          JSON NOT NULL,
        idempotency_key  TEXT NOT NULL,
        status           TEXT NOT NULL,
        attempts         BIGINT NOT NULL DEFAULT 0,
        created_at       TIMESTAMP NOT NULL,
        next_attempt_at  TIMESTAMP,
        delivered_at     TIMESTAMP,
        last_error       TEXT
    )
    """,
    """
    CREATE TABLE audit_log (
        seq          BIGINT PRIMARY KEY,
        logged_at    TIMESTAMP NOT NULL,
        actor        TEXT NOT NULL,
        action       TEXT NOT NULL,
        object_type  TEXT NOT NULL,
        object_id    TEXT,
        reason       TEXT,
        before       JSON,
        after        JSON,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL
    )
    """,
    # The live view: what the platform still shows. Taken-down rows stay in
    # accounts/posts (the archive); these views leave out every account with an
    # active takedown and all of its content.
    """
    CREATE VIEW live_accounts AS
    SELECT a.* FROM accounts a
    WHERE NOT EXISTS (SELECT 1 FROM takedowns t
                      WHERE t.account_id = a.account_id AND t.status = 'active')
    """,
    """
    CREATE VIEW live_posts AS
    SELECT p.* FROM posts p
    WHERE NOT EXISTS (SELECT 1 FROM takedowns t
                      WHERE t.account_id = p.account_id AND t.status = 'active')
    """,
    """
    CREATE VIEW removed_posts AS
    SELECT p.* FROM posts p
    WHERE EXISTS (SELECT 1 FROM takedowns t
                  WHERE t.account_id = p.account_id AND t.status = 'active')
    """,
)

_INFERRED = (
    # retweets whose target was inferred from their text (sources without a
    # retweeted-post id): the content key, and the original post it was linked to
    """
    CREATE TABLE post_inferred_refs (
        post_id        TEXT PRIMARY KEY,
        content_key    TEXT NOT NULL,
        linked_post_id TEXT
    )
    """,
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "canonical tables: accounts, posts, entities, runs, results", _CORE),
    Migration(2, "networks detect looked at and rejected, with their reasons", _REJECTED),
    Migration(3, "review: users, cases, decisions, takedowns, appeals, outbox, audit log, "
                 "live views", _REVIEW),
    Migration(4, "run owners, quarantine line ranges and page items, RT @name retweets", _HARDENING),
    Migration(5, "retweet targets inferred from text", _INFERRED),
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
#: Tables written by the review app (``infoops serve``); ``audit_log`` is append-only.
REVIEW_TABLES = (
    "users", "review_settings", "cases", "case_accounts", "decisions", "case_notes",
    "takedowns", "appeals", "outbox", "audit_log",
)
