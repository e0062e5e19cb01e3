CREATE TABLE "event_texts" (
	"event_id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text,
	"conversation_id" text,
	"input" text,
	"output" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"labelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "custom_labels" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "end_user_labels" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"label" text NOT NULL,
	"event_id" text NOT NULL,
	"conversation_id" text,
	"confidence" double precision NOT NULL,
	"reason" text NOT NULL,
	"source" text NOT NULL,
	"model" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "label_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"label" text NOT NULL,
	"min_count" integer NOT NULL,
	"window_seconds" integer NOT NULL,
	"action" text NOT NULL,
	"duration_seconds" integer,
	"rate_per_minute" integer,
	"enabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_firings" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"policy_id" text NOT NULL,
	"user_id" text NOT NULL,
	"action" text NOT NULL,
	"label" text NOT NULL,
	"label_count" integer NOT NULL,
	"rate_per_minute" integer,
	"event_id" text NOT NULL,
	"blocklist_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "label_version" bigint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "event_texts" ADD CONSTRAINT "event_texts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "custom_labels" ADD CONSTRAINT "custom_labels_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_labels" ADD CONSTRAINT "end_user_labels_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "label_policies" ADD CONSTRAINT "label_policies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_firings" ADD CONSTRAINT "policy_firings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_firings" ADD CONSTRAINT "policy_firings_policy_id_label_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."label_policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_texts_workspace_id_conversation_id_idx" ON "event_texts" USING btree ("workspace_id","conversation_id","occurred_at") WHERE conversation_id is not null;--> statement-breakpoint
CREATE INDEX "event_texts_expires_at_idx" ON "event_texts" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "custom_labels_workspace_id_name_idx" ON "custom_labels" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "end_user_labels_workspace_id_event_id_label_idx" ON "end_user_labels" USING btree ("workspace_id","event_id","label");--> statement-breakpoint
CREATE INDEX "end_user_labels_workspace_id_user_id_label_occurred_at_idx" ON "end_user_labels" USING btree ("workspace_id","user_id","label","occurred_at");--> statement-breakpoint
CREATE INDEX "end_user_labels_workspace_id_user_id_occurred_at_idx" ON "end_user_labels" USING btree ("workspace_id","user_id","occurred_at");--> statement-breakpoint
CREATE INDEX "end_user_labels_workspace_id_occurred_at_idx" ON "end_user_labels" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "label_policies_workspace_id_idx" ON "label_policies" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "policy_firings_workspace_id_policy_id_user_id_idx" ON "policy_firings" USING btree ("workspace_id","policy_id","user_id","expires_at");--> statement-breakpoint
CREATE INDEX "policy_firings_workspace_id_expires_at_idx" ON "policy_firings" USING btree ("workspace_id","expires_at");--> statement-breakpoint
-- The default label policies (server/services/intent/manage-label-policies.ts), disabled, for workspaces created before this migration.
INSERT INTO "label_policies" ("id", "workspace_id", "name", "label", "min_count", "window_seconds", "action", "duration_seconds", "rate_per_minute", "enabled")
SELECT 'pol_' || substr(md5(w."id" || d.name), 1, 26), w."id", d.name, d.label, d.min_count, d.window_seconds, d.action, d.duration_seconds, d.rate_per_minute, false
FROM "workspaces" w
CROSS JOIN (VALUES
	('Block jailbreakers', 'jailbreak', 3, 3600, 'block', 3600, NULL::integer),
	('Re-authenticate after a jailbreak', 'jailbreak', 1, 3600, 'require_reauth', 900, NULL::integer),
	('Throttle policy breakers', 'tos_breach', 3, 86400, 'throttle', 3600, 5),
	('Alert on frustrated users', 'frustration', 3, 3600, 'alert', NULL::integer, NULL::integer)
) AS d(name, label, min_count, window_seconds, action, duration_seconds, rate_per_minute);
