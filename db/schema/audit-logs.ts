import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** One row per dashboard or API mutation, written in the mutation's transaction. */
export const auditLogs = pgTable(
  "audit_logs",
  {
    id: text("id").primaryKey(), // aud_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    actorType: text("actor_type", { enum: ["member", "api_key", "system"] }).notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(), // e.g. "api_key.create"
    targetType: text("target_type"),
    targetId: text("target_id"),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_logs_workspace_id_created_at_idx").on(t.workspaceId, t.createdAt)],
);
