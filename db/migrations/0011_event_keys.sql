CREATE TABLE "event_keys" (
	"workspace_id" text NOT NULL,
	"request_id" text NOT NULL,
	"event_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "event_keys_pkey" PRIMARY KEY("workspace_id","request_id")
);
--> statement-breakpoint
DROP INDEX "events_workspace_id_request_id_idx";--> statement-breakpoint
ALTER TABLE "event_keys" ADD CONSTRAINT "event_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_workspace_id_request_id_idx" ON "events" USING btree ("workspace_id","request_id");--> statement-breakpoint
-- Every event recorded so far keeps its idempotency key.
INSERT INTO "event_keys" ("workspace_id", "request_id", "event_id", "occurred_at")
SELECT "workspace_id", "request_id", "id", "occurred_at" FROM "events"
ON CONFLICT DO NOTHING;
