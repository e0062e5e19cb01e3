import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * The text of a recorded call, kept only until it is labelled: written in the /sdk/record
 * statement whatever the payload-logging setting, deleted by the labeller when the event has
 * no conversation, else kept as context for the conversation's later turns until expires_at
 * (24 h; housekeeping deletes it). Truncated (input 8,000 characters, output 4,000).
 */
export const eventTexts = pgTable(
  "event_texts",
  {
    eventId: text("event_id").primaryKey(), // evt_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id"),
    conversationId: text("conversation_id"),
    /** The end user's words: the prompt, or the latest user turn of a messages array. */
    input: text("input"),
    output: text("output"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Set by the labeller in the transaction that writes the labels: a redelivery finds it set. */
    labelledAt: timestamp("labelled_at", { withTimezone: true }),
  },
  (t) => [
    index("event_texts_workspace_id_conversation_id_idx")
      .on(t.workspaceId, t.conversationId, t.occurredAt)
      .where(sql`conversation_id is not null`),
    index("event_texts_expires_at_idx").on(t.expiresAt),
  ],
);
