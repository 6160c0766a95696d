-- What Hearth remembers about reaching people privately, so a restart repeats nothing:
-- when a community's place last got the public notice that someone could not be reached for
-- a flow, and when Hearth last wrote privately to a member (their private chat is about the
-- community it last wrote about).
CREATE TABLE reach_notices (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    flow TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (community_id, platform, flow)
);

CREATE TABLE private_chats (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    written_at TEXT NOT NULL
);
