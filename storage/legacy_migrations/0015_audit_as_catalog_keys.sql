-- Audit entries are a catalog key and its parameters (JSON), put into words when read, in the
-- reader's language. Entries written before keep their English sentence in `action` and
-- `reason` and are shown as written; the two whose wording depended on a member who may since
-- have been forgotten ("granted moderator to …") become keys, so they still say "a former member".
ALTER TABLE audit_log ADD COLUMN text_key TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
UPDATE audit_log SET text_key = 'audit_moderator_granted', action = ''
    WHERE action = 'granted moderator to';
UPDATE audit_log SET text_key = 'audit_moderator_removed', action = ''
    WHERE action = 'removed moderator from';
