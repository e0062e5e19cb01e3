import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * What an allowed /sdk/check holds against limits until the matching /sdk/record
 * settles it (or it expires): one request, and the estimated tokens/cost.
 */
export const reservations = pgTable(
  "reservations",
  {
    id: text("id").primaryKey(), // rsv_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    orgId: text("org_id"),
    feature: text("feature"),
    tier: text("tier"),
    tokens: bigint("tokens", { mode: "number" }).notNull(),
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("reservations_workspace_id_user_id_idx").on(t.workspaceId, t.userId, t.createdAt),
    index("reservations_expires_at_idx").on(t.expiresAt),
  ],
);
