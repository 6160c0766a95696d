-- A community whose place removed Hearth is paused: its schedules, jobs and outbox wait.
ALTER TABLE communities ADD COLUMN paused_since TEXT;

CREATE INDEX communities_paused ON communities(id) WHERE paused_since IS NOT NULL;
