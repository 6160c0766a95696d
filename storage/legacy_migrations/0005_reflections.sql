-- Reflection prompts a community adds to its deck, rounds of prompts, and members' answers.
-- AUTOINCREMENT keeps numbers people have seen (/reflection 12, /prompt_add remove c4) from
-- ever being reused after a deletion.
CREATE TABLE reflection_prompts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    theme TEXT,
    author_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    suggested INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX reflection_prompts_by_community ON reflection_prompts(community_id, id);
CREATE INDEX reflection_prompts_by_author ON reflection_prompts(author_id);

CREATE TABLE reflection_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    prompt_key TEXT NOT NULL,
    prompt_text TEXT NOT NULL,
    theme TEXT,
    cycle INTEGER NOT NULL,
    posted_at TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX reflection_rounds_by_cycle ON reflection_rounds(community_id, cycle);

CREATE TABLE reflections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    round_id INTEGER NOT NULL REFERENCES reflection_rounds(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    written_at TEXT NOT NULL,
    UNIQUE (round_id, member_id)
);
CREATE INDEX reflections_by_member ON reflections(member_id);
