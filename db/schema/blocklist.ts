import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const BLOCK_SOURCES = ["manual", "rule", "automation"] as const;

/**
 * A blocked end user or org. Expired entries stop blocking at expires_at (no job needed for
 * that); a minute sweep tells webhooks once (blocklist/expire-blocks.ts), by the expiry index.
 */
export const blocklist = pgTable(
  "blocklist",
  {
    id: text("id").primaryKey(), // blk_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    subjectType: text("subject_type", { enum: ["user", "org"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    reason: text("reason"),
    source: text("source", { enum: BLOCK_SOURCES }).notNull().default("manual"),
    createdBy: text("created_by"),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("blocklist_workspace_id_subject_idx").on(t.workspaceId, t.subjectType, t.subjectId),
    index("blocklist_expires_at_idx").on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);
