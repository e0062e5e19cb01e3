ALTER TABLE "workspaces" ADD COLUMN "trial_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "dropped_to_free_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
-- Every subscription so far started with a trial (checkout always granted one): those workspaces have had theirs.
UPDATE "workspaces" SET "trial_used_at" = coalesce("trial_ends_at", "updated_at") WHERE "stripe_subscription_id" IS NOT NULL OR "trial_ends_at" IS NOT NULL;
