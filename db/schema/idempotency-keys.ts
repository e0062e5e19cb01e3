import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** An answer is replayed this long; housekeeping deletes older rows. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/**
 * Answers of POST /api/v1/* requests sent with an Idempotency-Key, replayed on a retry
 * with the same key and body (kept 24 hours). status null: the first request is running. The
 * body is kept without the secrets it showed once (server/http/idempotency.ts).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body: the same key with another request is a 409. */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    body: jsonb("body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.key], name: "idempotency_keys_pkey" }),
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);
