-- A person apart from their memberships: one human, reached through platform accounts, who
-- may belong to several communities. Existing members are backfilled: one person and one
-- account per distinct (platform, user_ref) across all communities, so the same account in
-- two groups is already one person, created when its first membership was.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE accounts (
    platform TEXT NOT NULL,
    user_ref TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (platform, user_ref)
);

CREATE INDEX accounts_by_person ON accounts(person_id);

-- Checked at commit, so /forgetme may erase the person before the member's own row.
ALTER TABLE members ADD COLUMN person_id INTEGER
    REFERENCES people(id) DEFERRABLE INITIALLY DEFERRED;

CREATE INDEX members_by_person ON members(person_id);

CREATE TEMP TABLE known_accounts AS
    SELECT platform, user_ref, min(joined_at) AS first_joined FROM members
    GROUP BY platform, user_ref ORDER BY min(id);

INSERT INTO people (id, created_at) SELECT rowid, first_joined FROM known_accounts;

INSERT INTO accounts (platform, user_ref, person_id)
    SELECT platform, user_ref, rowid FROM known_accounts;

UPDATE members SET person_id = (
    SELECT person_id FROM accounts
    WHERE accounts.platform = members.platform AND accounts.user_ref = members.user_ref
);

DROP TABLE known_accounts;
