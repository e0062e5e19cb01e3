import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The idempotency key of each recorded event: a record inserts its (workspace, requestId) here
 * first and writes the event only when the key is new. Kept apart from `events` so that table
 * can be partitioned by time (a unique index there would have to include occurred_at).
 * Retention deletes a key with its event. No foreign key to workspaces (0013): a key is only
 * written in the statement that writes its event, whose foreign key checks the workspace already,
 * and a second check cost every record a trigger. The app deletes no workspace; one deleted by
 * hand takes its events along (cascade) and leaves their keys behind.
 */
export const eventKeys = pgTable(
  "event_keys",
  {
    workspaceId: text("workspace_id").notNull(),
    requestId: text("request_id").notNull(),
    eventId: text("event_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.requestId], name: "event_keys_pkey" })],
);
