import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One recorded LLM call. Append-only; idempotent on (workspace_id, request_id) through `event_keys`.
 * Partitioned by month on occurred_at (migration 0012, server/services/maintenance/partitions.ts):
 * retention drops whole months, so every unique key includes occurred_at. No index on request_id
 * (dropped in 0013): no query looks an event up by it; a replay finds its event through event_keys.
 */
export const events = pgTable(
  "events",
  {
    id: text("id").notNull(), // evt_... (time-ordered)
    // No foreign key (dropped in 0019): a trigger per recorded event (~10% of the record statement's
    // database time, issue #19) to check a workspace id that the door took from the API key.
    // Nothing deletes workspaces; retention drops whole months (partitions.ts).
    workspaceId: text("workspace_id").notNull(),
    requestId: text("request_id").notNull(),
    userId: text("user_id"),
    orgId: text("org_id"),
    feature: text("feature"),
    tier: text("tier"),
    model: text("model").notNull(),
    provider: text("provider"),
    requestType: text("request_type"),
    conversationId: text("conversation_id"),
    latencyMs: integer("latency_ms"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    usageFormat: text("usage_format").notNull(),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull(),
    cachedInputTokens: bigint("cached_input_tokens", { mode: "number" }).notNull(),
    cacheWriteTokens: bigint("cache_write_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    reasoningTokens: bigint("reasoning_tokens", { mode: "number" }).notNull(),
    audioInputTokens: bigint("audio_input_tokens", { mode: "number" }).notNull(),
    audioOutputTokens: bigint("audio_output_tokens", { mode: "number" }).notNull(),
    totalTokens: bigint("total_tokens", { mode: "number" }).notNull(),
    /** Integer nano-dollars (1e-9 USD). */
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull(),
    priced: boolean("priced").notNull(),
    priceSource: text("price_source"),
    labels: text("labels").array().notNull().default(sql`'{}'::text[]`),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.occurredAt], name: "events_pkey" }),
    // Covering: usage breakdowns (server/services/usage/breakdown-sql.ts) aggregate a range of a
    // workspace's events from this index alone, never visiting the rows (docs/SCALING.md, "Usage
    // breakdowns"). It also serves every (workspace_id, occurred_at) range read, as the narrow one did.
    index("events_workspace_id_occurred_at_covering_idx").on(
      t.workspaceId,
      t.occurredAt,
      t.userId,
      t.orgId,
      t.feature,
      t.tier,
      t.model,
      t.inputTokens,
      t.outputTokens,
      t.totalTokens,
      t.costNanos,
      t.priced,
    ),
    index("events_workspace_id_user_id_occurred_at_idx").on(t.workspaceId, t.userId, t.occurredAt),
    index("events_workspace_id_conversation_id_idx").on(t.workspaceId, t.conversationId),
    // The dashboard's logs page pages through a workspace's events by their time-ordered id.
    index("events_workspace_id_id_idx").on(t.workspaceId, t.id),
    // Label counts and label filters read only the (few) labelled events; user_id and labels in
    // the key let the Overview's label counts read the index alone (no visit to each event).
    index("events_workspace_id_labelled_idx").on(t.workspaceId, t.occurredAt, t.userId, t.labels).where(sql`cardinality(labels) > 0`),
  ],
);
