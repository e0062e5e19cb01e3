import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** Full request/response payloads; only written when the workspace opted in. */
export const payloadLogs = pgTable(
  "payload_logs",
  {
    id: text("id").primaryKey(), // log_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    requestId: text("request_id").notNull(),
    userId: text("user_id"),
    feature: text("feature"),
    source: text("source", { enum: ["log", "record"] }).notNull(),
    request: jsonb("request"),
    response: jsonb("response"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payload_logs_workspace_id_request_id_source_idx").on(t.workspaceId, t.requestId, t.source),
    index("payload_logs_workspace_id_created_at_idx").on(t.workspaceId, t.createdAt),
  ],
);
