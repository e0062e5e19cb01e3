-- events becomes a table partitioned by UTC month on occurred_at (events_2026_12, ...) with a DEFAULT
-- partition as a safety net, so retention can drop a whole month instead of deleting rows. Its primary
-- key becomes (id, occurred_at): a partitioned table's unique keys must include the partition key (the
-- request-id key moved to event_keys in 0011). No foreign key references events. Rows are copied into
-- the new table, which then takes the old one's name, constraints and index names.
-- server/services/maintenance/partitions.ts creates the months ahead, with the same names and bounds.
-- The labelled-events index gains user_id and labels, so the Overview's label counts read it alone.
ALTER TABLE "events" RENAME TO "events_unpartitioned";--> statement-breakpoint
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_pkey" TO "events_unpartitioned_pkey";--> statement-breakpoint
DROP INDEX "events_workspace_id_request_id_idx";--> statement-breakpoint
DROP INDEX "events_workspace_id_occurred_at_idx";--> statement-breakpoint
DROP INDEX "events_workspace_id_user_id_occurred_at_idx";--> statement-breakpoint
DROP INDEX "events_workspace_id_conversation_id_idx";--> statement-breakpoint
DROP INDEX "events_workspace_id_id_idx";--> statement-breakpoint
DROP INDEX "events_workspace_id_labelled_idx";--> statement-breakpoint
CREATE TABLE "events" (LIKE "events_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("occurred_at");--> statement-breakpoint
-- One partition per month from the oldest event (or 36 days ago: records may be 35 days old) to two
-- months ahead.
DO $$
DECLARE
  month timestamp := date_trunc('month', least(
    coalesce((SELECT min("occurred_at") FROM "events_unpartitioned"), now()),
    now() - interval '36 days') AT TIME ZONE 'UTC');
  last_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months';
BEGIN
  WHILE month <= last_month LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF "events" FOR VALUES FROM (%L) TO (%L)',
      'events_' || to_char(month, 'YYYY_MM'),
      to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
    month := month + interval '1 month';
  END LOOP;
END $$;--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;--> statement-breakpoint
INSERT INTO "events" SELECT * FROM "events_unpartitioned";--> statement-breakpoint
DROP TABLE "events_unpartitioned";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY("id","occurred_at");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_workspace_id_request_id_idx" ON "events" USING btree ("workspace_id","request_id");--> statement-breakpoint
CREATE INDEX "events_workspace_id_occurred_at_idx" ON "events" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "events_workspace_id_user_id_occurred_at_idx" ON "events" USING btree ("workspace_id","user_id","occurred_at");--> statement-breakpoint
CREATE INDEX "events_workspace_id_conversation_id_idx" ON "events" USING btree ("workspace_id","conversation_id");--> statement-breakpoint
CREATE INDEX "events_workspace_id_id_idx" ON "events" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "events_workspace_id_labelled_idx" ON "events" USING btree ("workspace_id","occurred_at","user_id","labels") WHERE cardinality(labels) > 0;
