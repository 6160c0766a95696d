-- Small facts an adapter keeps about its platform between runs (e.g. the hash of the last
-- synced Discord command tree, so a restart with nothing changed does not sync again).
CREATE TABLE platform_state (
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (platform, key)
);
