-- A buddy volunteer may pause (/pause buddy [until]): no newcomer is paired with them while
-- paused, and their open pairings carry on. paused_at is NULL when not paused; paused_until
-- is NULL for a pause that lasts until they say /pause off.
ALTER TABLE buddy_volunteers ADD COLUMN paused_at TEXT;
ALTER TABLE buddy_volunteers ADD COLUMN paused_until TEXT;
