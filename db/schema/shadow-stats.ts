import { sql } from "drizzle-orm";
import { bigint, index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * What a shadow rule or label policy would have done, per end user and UTC hour: the checks it
 * was evaluated on and how many of them it would have denied (or acted on, for a non-blocking
 * action). Written behind in batches; read by GET /api/v1/rules/{id}/shadow.
 */
export const shadowStats = pgTable(
  "shadow_stats",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** rul_… or pol_… */
    sourceId: text("source_id").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    /** The end user checked ("" when the call named none). */
    userId: text("user_id").notNull(),
    checks: bigint("checks", { mode: "number" }).notNull().default(0),
    wouldDeny: bigint("would_deny", { mode: "number" }).notNull().default(0),
    /** Cost the denied calls would have saved (their estimates), nano-dollars. */
    wouldDenyCostNanos: bigint("would_deny_cost_nanos", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.sourceId, t.bucket, t.userId], name: "shadow_stats_pkey" }),
    index("shadow_stats_workspace_id_bucket_idx").on(t.workspaceId, t.bucket),
  ],
);
