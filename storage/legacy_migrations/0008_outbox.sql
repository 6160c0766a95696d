-- Messages decided by scheduled work, kept until their platform has taken them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_ref TEXT,
    reply TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL
);
CREATE INDEX outbox_by_next_attempt ON outbox(next_attempt_at, id);
CREATE INDEX outbox_by_person ON outbox(platform, user_ref);
