-- Only call-activity children have a parent element instance: index those
-- alone, so that starting a top-level instance writes one index entry less.
DROP INDEX instances_parent_element;
CREATE INDEX instances_parent_element ON instances(parent_element_instance_key)
    WHERE parent_element_instance_key IS NOT NULL;
