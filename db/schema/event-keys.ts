import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * The idempotency key of each recorded event: a record inserts its (workspace, requestId) here
 * first and writes the event only when the key is new. Kept apart from `events` so that table
 * can be partitioned by time (a unique index there would have to include occurred_at).
 * Retention deletes a key with its event.
 */
export const eventKeys = pgTable(
  "event_keys",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    requestId: text("request_id").notNull(),
    eventId: text("event_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.requestId], name: "event_keys_pkey" })],
);
