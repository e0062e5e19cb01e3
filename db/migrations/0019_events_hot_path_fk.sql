-- The record statement (server/services/metering/insert-event-sql.ts) ran the foreign-key trigger of
-- events once per recorded event: measured, about 10% of the statement's database time for a batch of
-- ten (issue #19). The workspace id comes from the API key at the door, and nothing deletes a
-- workspace; event_keys lost its foreign key for the same reason in 0013.
ALTER TABLE "events" DROP CONSTRAINT "events_workspace_id_workspaces_id_fk";
