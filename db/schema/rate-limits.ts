import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit counters every app instance shares (rate-limiter-flexible's RateLimiterDrizzle):
 * one row per limiter and key, `points` used in a fixed window that ends at `expire`. The key
 * is `<limiter>:<hash>`, never an e-mail, address or API key id as sent
 * (server/lib/shared-limit.ts). Housekeeping deletes expired rows.
 *
 * UNLOGGED (migration 0009, by hand): a counted request writes no WAL and waits for no fsync
 * (~0.4 ms instead of ~3.8 ms an upsert on the local Postgres). A crash or a failover empties
 * the table, which only resets the current windows.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull(),
    expire: timestamp("expire", { withTimezone: true }),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);
