-- Automations (issue 21): rules and label policies gain a mode (enforce | shadow); shadow_stats counts what
-- shadow ones would have denied, per end user and hour; a shadow label policy's firings are marked; an end user
-- can carry a tier Tokenist assigned (a set_tier rule), which wins over the tier the SDK sends; blocklist
-- expiries are indexed for the minute sweep that reports them to webhooks.
CREATE TABLE "shadow_stats" (
	"workspace_id" text NOT NULL,
	"source_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"user_id" text NOT NULL,
	"checks" bigint DEFAULT 0 NOT NULL,
	"would_deny" bigint DEFAULT 0 NOT NULL,
	"would_deny_cost_nanos" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "shadow_stats_pkey" PRIMARY KEY("workspace_id","source_id","bucket","user_id")
);
--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "assigned_tier" text;--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "tier_assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "mode" text DEFAULT 'enforce' NOT NULL;--> statement-breakpoint
ALTER TABLE "label_policies" ADD COLUMN "mode" text DEFAULT 'enforce' NOT NULL;--> statement-breakpoint
ALTER TABLE "policy_firings" ADD COLUMN "shadow" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "shadow_stats" ADD CONSTRAINT "shadow_stats_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shadow_stats_workspace_id_bucket_idx" ON "shadow_stats" USING btree ("workspace_id","bucket");--> statement-breakpoint
CREATE INDEX "end_users_assigned_tier_idx" ON "end_users" USING btree ("workspace_id") WHERE "end_users"."assigned_tier" is not null;--> statement-breakpoint
CREATE INDEX "blocklist_expires_at_idx" ON "blocklist" USING btree ("expires_at") WHERE "blocklist"."expires_at" is not null;