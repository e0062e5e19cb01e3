import { sql } from "drizzle-orm";
import { bigint, date, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * What the LLM labeller cost, per workspace, UTC day and model: every answer the model gave
 * counts (one that failed validation was paid for too). Added to by each call; money in integer
 * nano-dollars priced with the bundled catalog (the labeller's key is the operator's, not the
 * workspace's, so the workspace's own prices do not apply).
 */
export const llmLabellingUsage = pgTable(
  "llm_labelling_usage",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    model: text("model").notNull(),
    calls: integer("calls").notNull().default(0),
    promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull().default(0),
    completionTokens: bigint("completion_tokens", { mode: "number" }).notNull().default(0),
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull().default(sql`0`),
    /** Calls of a model the catalog has no price for: counted at cost 0. */
    unpricedCalls: integer("unpriced_calls").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.model], name: "llm_labelling_usage_pkey" })],
);
