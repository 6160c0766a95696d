-- A pump claims the messages it is about to send, in the same transaction that picks them, so
-- two pumps on one database never send the same message; a dead pump's claims lapse with the lease.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
