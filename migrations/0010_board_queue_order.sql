-- The board's queue and `case search`: open cases by their next due time (src/store/repos/case-search.ts). The due times live in the SLA snapshot
-- (cases.sla_state, written by every path that evaluates a case), so the order is an expression over it:
-- the earliest due time (epoch ms) of a clock that is running or already breached (a missed target comes first),
-- null when none (a case whose clocks are all paused or met sorts last).
CREATE OR REPLACE FUNCTION case_next_due_ms(state jsonb) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT min((m->>'dueAt')::double precision)
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(state->'metrics') = 'array' THEN state->'metrics' ELSE '[]'::jsonb END) AS m
        WHERE m->>'state' IN ('running', 'breached') $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS cases_open_next_due_idx ON cases (case_next_due_ms(sla_state), number DESC) WHERE status IN ('open', 'waiting');
--> statement-breakpoint
-- The queue filtered by assignee ("my cases") or organization, in the same order: a range of one index each.
CREATE INDEX IF NOT EXISTS cases_open_assignee_next_due_idx ON cases (assignee_id, case_next_due_ms(sla_state), number DESC) WHERE status IN ('open', 'waiting');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS cases_open_org_next_due_idx ON cases (organization_id, case_next_due_ms(sla_state), number DESC) WHERE status IN ('open', 'waiting');
