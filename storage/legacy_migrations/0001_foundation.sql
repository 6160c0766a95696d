-- Communities, their platform links, members, the audit log, schedules, jobs, conversations.
CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE community_links (
    platform TEXT NOT NULL,
    community_ref TEXT NOT NULL,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    main_channel TEXT,
    channels TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, community_ref)
);
CREATE INDEX community_links_by_community ON community_links(community_id);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    user_ref TEXT NOT NULL,
    display_name TEXT NOT NULL,
    language TEXT,
    granted_role INTEGER,
    joined_at TEXT NOT NULL,
    left_at TEXT,
    unreachable_since TEXT,
    UNIQUE (community_id, platform, user_ref)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    subject_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_community ON audit_log(community_id, id);

CREATE TABLE schedules (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    next_run TEXT NOT NULL,
    PRIMARY KEY (community_id, kind)
);
CREATE INDEX schedules_by_next_run ON schedules(next_run);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE
);
CREATE INDEX jobs_by_due ON jobs(due_at);

CREATE TABLE conversations (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    flow TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE processed_events (
    platform TEXT NOT NULL,
    event_ref TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (platform, event_ref)
);
