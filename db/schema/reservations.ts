import { bigint, index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * One allowed /sdk/check until the record that settles it (by checkId, else the user's latest
 * open check) or until it expires: what the record takes when it omits model, feature, tier or
 * org, and what the check holds against blocking limits (one request, the estimated tokens and
 * cost; `subjects` is empty when no blocking rule applied).
 */
export const reservations = pgTable(
  "reservations",
  {
    id: text("id").primaryKey(), // chk_... (the checkId; rsv_... before checkIds)
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    /** The counters it was added to ("user:alice", "workspace:"), so settling removes exactly those. */
    subjects: text("subjects").array().notNull(),
    model: text("model"),
    feature: text("feature"),
    tier: text("tier"),
    orgId: text("org_id"),
    requestType: text("request_type"),
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
