-- Proposals: one row each, numbered per community, with their versions, builds and concerns,
-- support, consent-round positions and history kept in append-only tables.
-- A "voice" tells people apart; /forgetme replaces it with an anonymous one and clears the
-- member link and name, keeping what was said for the community.
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    author_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    state_since TEXT NOT NULL,
    incubation_until TEXT NOT NULL,
    stage INTEGER NOT NULL DEFAULT 0,
    consent_until TEXT,
    round INTEGER NOT NULL DEFAULT 0,
    parked_until TEXT,
    park_reason TEXT NOT NULL DEFAULT '',
    last_raised_at TEXT,
    hidden INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT NOT NULL DEFAULT '',
    merged_into INTEGER,
    UNIQUE (community_id, number)
);
CREATE INDEX proposals_by_author ON proposals(author);

CREATE TABLE proposal_versions (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    details TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (proposal_id, number)
);

CREATE TABLE proposal_contributions (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    voice TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    name TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    from_objection INTEGER NOT NULL DEFAULT 0,
    merged_from INTEGER
);
CREATE INDEX proposal_contributions_by_proposal ON proposal_contributions(proposal_id, id);
CREATE INDEX proposal_contributions_by_voice ON proposal_contributions(voice);

CREATE TABLE proposal_supports (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    voice TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    name TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (proposal_id, voice)
);
CREATE INDEX proposal_supports_by_voice ON proposal_supports(voice);

CREATE TABLE proposal_positions (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    voice TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    name TEXT NOT NULL DEFAULT '',
    stance TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX proposal_positions_by_proposal ON proposal_positions(proposal_id, id);
CREATE INDEX proposal_positions_by_voice ON proposal_positions(voice);

CREATE TABLE proposal_events (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    automatic INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    state TEXT,
    audit INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposal_events_by_proposal ON proposal_events(proposal_id, id);
CREATE INDEX proposal_events_by_actor ON proposal_events(actor_id);
