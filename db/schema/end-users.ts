import { sql } from "drizzle-orm";
import { bigint, index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** The customer's own users, as named by the userId the SDK sends, with running totals. */
export const endUsers = pgTable(
  "end_users",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    orgId: text("org_id"),
    tier: text("tier"),
    /**
     * A tier Tokenist assigned (a rule's set_tier action, or by hand): while set it wins over the
     * tier the SDK sends, on checks and records alike. Null: the SDK's tier.
     */
    assignedTier: text("assigned_tier"),
    tierAssignedAt: timestamp("tier_assigned_at", { withTimezone: true }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    requests: bigint("requests", { mode: "number" }).notNull().default(0),
    totalTokens: bigint("total_tokens", { mode: "number" }).notNull().default(0),
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull().default(sql`0`),
    unpricedRequests: bigint("unpriced_requests", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId], name: "end_users_pkey" }),
    index("end_users_workspace_id_last_seen_at_idx").on(t.workspaceId, t.lastSeenAt),
    index("end_users_workspace_id_cost_nanos_idx").on(t.workspaceId, t.costNanos),
    // The check's cache loads the (few) end users with an assigned tier.
    index("end_users_assigned_tier_idx").on(t.workspaceId).where(sql`${t.assignedTier} is not null`),
  ],
);
