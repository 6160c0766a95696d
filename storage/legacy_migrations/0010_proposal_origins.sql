-- Where a proposal came from, e.g. 'reflection:7' for one opened from a shared reflection
-- (/propose from reflection 7); empty for one written as a proposal. Indexed so that asking
-- "did this reflection already become a proposal?" reads one row, not every proposal.
ALTER TABLE proposals ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE INDEX proposals_by_origin ON proposals(community_id, origin) WHERE origin <> '';
