-- Unlogged (edited by hand; drizzle-kit has no option for it): no WAL write and no fsync per
-- counted request. A crash or a failover to a replica empties the table, which only resets
-- the current rate-limit windows.
CREATE UNLOGGED TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "rate_limits_expire_idx" ON "rate_limits" USING btree ("expire");