import { bigint, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** A workspace's own price for a model (fine-tunes, self-hosted); wins over the catalogue. */
export const modelPrices = pgTable(
  "model_prices",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    model: text("model").notNull(), // lower-cased
    /** Nano-dollars per million tokens. */
    inputPerMTokNanos: bigint("input_per_mtok_nanos", { mode: "bigint" }).notNull(),
    cachedInputPerMTokNanos: bigint("cached_input_per_mtok_nanos", { mode: "bigint" }),
    cacheWritePerMTokNanos: bigint("cache_write_per_mtok_nanos", { mode: "bigint" }),
    outputPerMTokNanos: bigint("output_per_mtok_nanos", { mode: "bigint" }).notNull(),
    reasoningPerMTokNanos: bigint("reasoning_per_mtok_nanos", { mode: "bigint" }),
    audioInputPerMTokNanos: bigint("audio_input_per_mtok_nanos", { mode: "bigint" }),
    audioOutputPerMTokNanos: bigint("audio_output_per_mtok_nanos", { mode: "bigint" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.model], name: "model_prices_pkey" })],
);
