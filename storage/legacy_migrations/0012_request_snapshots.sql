-- Open requests for a hand, counted once a day per community: /report needs shows the latest
-- of these and never a live count, so nobody can watch one request come and go. Aggregates
-- only: counts is JSON [[category, waiting, helped], ...] and names nobody.
CREATE TABLE request_snapshots (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    members INTEGER NOT NULL,
    counts TEXT NOT NULL,
    PRIMARY KEY (community_id, day)
);
