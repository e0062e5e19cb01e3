-- Usage breakdowns (GET /api/v1/usage/breakdown) aggregate a range of a workspace's events by any
-- combination of user, org, feature, model and tier: the (workspace_id, occurred_at) index now carries
-- every column they read, so they scan the index alone (measured: docs/SCALING.md, "Usage breakdowns").
-- Same leading columns, so every range read it served before it still serves.
DROP INDEX "events_workspace_id_occurred_at_idx";--> statement-breakpoint
CREATE INDEX "events_workspace_id_occurred_at_covering_idx" ON "events" USING btree ("workspace_id","occurred_at","user_id","org_id","feature","tier","model","input_tokens","output_tokens","total_tokens","cost_nanos","priced");