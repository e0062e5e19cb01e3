import { doublePrecision, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const LABEL_SOURCES = ["llm", "builtin"] as const;

/**
 * An intent label an end user earned with one event (never `safe`: only what a policy, a
 * check or a person would act on). One row per (event, label), so a redelivered event counts
 * once; label policies count these rows over their window.
 */
export const endUserLabels = pgTable(
  "end_user_labels",
  {
    id: text("id").primaryKey(), // lab_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    label: text("label").notNull(),
    eventId: text("event_id").notNull(),
    conversationId: text("conversation_id"),
    confidence: doublePrecision("confidence").notNull(),
    /** One line: why (the LLM's words, or the built-in classifier's score). */
    reason: text("reason").notNull(),
    source: text("source", { enum: LABEL_SOURCES }).notNull(),
    /** record: a recorded call's label (eventId is the event); check: a check's input label (eventId is the checkId). */
    stage: text("stage", { enum: ["record", "check"] })
      .notNull()
      .default("record"),
    /** The LLM model that labelled, or null for the built-in classifier. */
    model: text("model"),
    /** When the labelled event happened: windows and "the last 24 hours" count from here. */
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("end_user_labels_workspace_id_event_id_label_idx").on(t.workspaceId, t.eventId, t.label),
    index("end_user_labels_workspace_id_user_id_label_occurred_at_idx").on(t.workspaceId, t.userId, t.label, t.occurredAt),
    index("end_user_labels_workspace_id_user_id_occurred_at_idx").on(t.workspaceId, t.userId, t.occurredAt),
    index("end_user_labels_workspace_id_occurred_at_idx").on(t.workspaceId, t.occurredAt),
  ],
);
