-- Reminders that thin out and stop: how many were posted in the current quiet stretch, when that
-- stretch began (the latest engagement or stage change; NULL means state_since), and since when a
-- proposal rests because nobody came after them (NULL while it is not resting).
ALTER TABLE proposals ADD COLUMN nudges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proposals ADD COLUMN quiet_since TEXT;
ALTER TABLE proposals ADD COLUMN resting_since TEXT;
