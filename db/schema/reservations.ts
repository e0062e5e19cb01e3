import { bigint, index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * What an allowed /sdk/check holds against blocking limits until the matching /sdk/record
 * settles it (or it expires): one request, and the estimated tokens and cost.
 */
export const reservations = pgTable(
  "reservations",
  {
    id: text("id").primaryKey(), // rsv_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    /** The counters it was added to ("user:alice", "workspace:"), so settling removes exactly those. */
    subjects: text("subjects").array().notNull(),
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

/**
 * Open reservations summed per (subject, minute), so a check reads a handful of rows however
 * many calls are in flight. Buckets older than the reservation TTL no longer count.
 */
export const reservationCounters = pgTable(
  "reservation_counters",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull(),
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.subject, t.bucket], name: "reservation_counters_pkey" })],
);
