-- The welcome: joins waiting for their public welcome, onboarding answers, contributions,
-- intros, and buddy volunteers, requests and pairings. Every row about a person cascades
-- with the member, and /forgetme erases them explicitly too.
CREATE TABLE welcome_joins (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    welcomed_at TEXT
);
CREATE INDEX welcome_joins_by_community ON welcome_joins(community_id, joined_at);
CREATE INDEX welcome_joins_by_member ON welcome_joins(member_id);

CREATE TABLE welcome_onboardings (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    step TEXT NOT NULL,
    brings TEXT,
    unsure INTEGER NOT NULL DEFAULT 0,
    wants_buddy INTEGER,
    channel TEXT,
    fallback_offered INTEGER NOT NULL DEFAULT 0,
    completed_at TEXT
);
CREATE INDEX welcome_onboardings_by_completion ON welcome_onboardings(community_id, completed_at);

CREATE TABLE welcome_contributions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX welcome_contributions_by_community ON welcome_contributions(community_id, id);
CREATE INDEX welcome_contributions_by_member ON welcome_contributions(member_id);

CREATE TABLE welcome_intros (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    posted_at TEXT
);

CREATE TABLE buddy_volunteers (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    since TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    open_limit INTEGER NOT NULL DEFAULT 2
);
CREATE INDEX buddy_volunteers_by_community ON buddy_volunteers(community_id, active);

CREATE TABLE buddy_pairings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    newcomer_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    buddy_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    greeted_at TEXT,
    ended_at TEXT
);
CREATE INDEX buddy_pairings_by_community ON buddy_pairings(community_id, status, created_at);
CREATE INDEX buddy_pairings_by_newcomer ON buddy_pairings(newcomer_id);
CREATE INDEX buddy_pairings_by_buddy ON buddy_pairings(buddy_id);

CREATE TABLE buddy_requests (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL
);
CREATE INDEX buddy_requests_by_community ON buddy_requests(community_id, requested_at);
