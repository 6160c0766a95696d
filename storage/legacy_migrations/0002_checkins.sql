-- Needs check-ins and mutual aid. Per-member rows cascade away with the member; a round's
-- aggregates (counts only) stay on checkin_rounds after the retention period.
CREATE TABLE checkin_rounds (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    owner_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
    opened_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    closed_at TEXT,
    started_by TEXT NOT NULL,
    needs TEXT NOT NULL,
    unreachable_told INTEGER NOT NULL DEFAULT 0,
    invited INTEGER NOT NULL DEFAULT 0,
    respondents INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0,
    tallies TEXT NOT NULL DEFAULT '{}',
    threshold INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX checkin_rounds_by_community ON checkin_rounds(community_id, closed_at, opened_at);

CREATE TABLE checkin_invitations (
    round_id INTEGER NOT NULL REFERENCES checkin_rounds(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    invited_at TEXT NOT NULL,
    reminded_at TEXT,
    unreachable_at TEXT,
    PRIMARY KEY (round_id, member_id)
);
CREATE INDEX checkin_invitations_by_member ON checkin_invitations(member_id);

CREATE TABLE checkin_answers (
    round_id INTEGER NOT NULL REFERENCES checkin_rounds(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    answered_at TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '{}',
    hands TEXT NOT NULL DEFAULT '[]',
    offered TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    completed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, member_id)
);
CREATE INDEX checkin_answers_by_member ON checkin_answers(member_id);

CREATE TABLE checkin_pauses (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    until TEXT
);

CREATE TABLE aid_offers (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    what TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    last_matched_at TEXT
);
CREATE INDEX aid_offers_by_category ON aid_offers(community_id, category);
CREATE INDEX aid_offers_by_member ON aid_offers(member_id);

CREATE TABLE aid_requests (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL,
    current_offer_id INTEGER REFERENCES aid_offers(id) ON DELETE SET NULL,
    asked_at TEXT
);
CREATE INDEX aid_requests_by_community ON aid_requests(community_id, category);
CREATE INDEX aid_requests_by_member ON aid_requests(member_id);
CREATE INDEX aid_requests_by_offer ON aid_requests(current_offer_id);

CREATE TABLE aid_attempts (
    request_id INTEGER NOT NULL REFERENCES aid_requests(id) ON DELETE CASCADE,
    offer_id INTEGER NOT NULL REFERENCES aid_offers(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (request_id, offer_id)
);
CREATE INDEX aid_attempts_by_offer ON aid_attempts(offer_id);
