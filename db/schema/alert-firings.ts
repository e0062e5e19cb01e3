import { pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * That a threshold fired for a subject in a window period: the unique index makes
 * "fired once per window" hold across processes and retries.
 */
export const alertFirings = pgTable(
  "alert_firings",
  {
    id: text("id").primaryKey(), // fir_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The rule (action alert) or alert definition that fired. */
    sourceId: text("source_id").notNull(),
    /** "user:alice", "workspace:" … */
    subject: text("subject").notNull(),
    /** "80%" of a limit, or an absolute value ("5000", nano-dollars for cost). */
    threshold: text("threshold").notNull(),
    /** The window period it fired in: a calendar start, or a rolling-window slot. */
    period: text("period").notNull(),
    firedAt: timestamp("fired_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("alert_firings_once_idx").on(t.workspaceId, t.sourceId, t.subject, t.threshold, t.period)],
);
