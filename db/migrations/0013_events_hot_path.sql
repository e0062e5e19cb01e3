-- The record statement's per-row work (server/services/metering/insert-event-sql.ts), measured: the
-- foreign key of event_keys ran a trigger per record beside the one of events, and the request-id
-- index of events served no query since idempotency moved to event_keys (0011).
ALTER TABLE "event_keys" DROP CONSTRAINT "event_keys_workspace_id_workspaces_id_fk";
--> statement-breakpoint
DROP INDEX "events_workspace_id_request_id_idx";