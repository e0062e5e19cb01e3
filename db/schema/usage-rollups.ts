import { sql } from "drizzle-orm";
import { bigint, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** The usage dimensions a dashboard or the API can read. */
export const DIMENSIONS = ["workspace", "user", "org", "feature", "model", "tier"] as const;
/**
 * Rollup dimensions: those, and `rule`, the counters of a rule with filters, keyed
 * `<ruleId>|<subject key>`, that count only the calls matching the rule's filters.
 */
export const ROLLUP_DIMENSIONS = [...DIMENSIONS, "rule"] as const;
export type Dimension = (typeof ROLLUP_DIMENSIONS)[number];
export const GRANULARITIES = ["minute", "hour"] as const;

/**
 * Counters per (workspace, dimension, key, bucket), written in the same transaction as
 * the event. Minute buckets; buckets older than the longest rolling window are compacted
 * into hour buckets by a job without changing any sum. key is '' for the workspace.
 */
export const usageRollups = pgTable(
  "usage_rollups",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    dimension: text("dimension", { enum: ROLLUP_DIMENSIONS }).notNull(),
    key: text("key").notNull(),
    granularity: text("granularity", { enum: GRANULARITIES }).notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    requests: bigint("requests", { mode: "number" }).notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    cachedInputTokens: bigint("cached_input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    reasoningTokens: bigint("reasoning_tokens", { mode: "number" }).notNull().default(0),
    totalTokens: bigint("total_tokens", { mode: "number" }).notNull().default(0),
    costNanos: bigint("cost_nanos", { mode: "bigint" }).notNull().default(sql`0`),
    unpricedRequests: bigint("unpriced_requests", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.dimension, t.key, t.granularity, t.bucket],
      name: "usage_rollups_pkey",
    }),
  ],
);
