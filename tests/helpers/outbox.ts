import { sql } from "drizzle-orm";
import { expect, vi } from "vitest";
import { resultRows, type Db } from "@/db/client";

/**
 * Resolves once the outbox holds nothing undelivered: every reaction to what was recorded so far
 * (alerts, labels and the LLM labeller's cost) has run. For a running app, open its database.
 */
export async function outboxDrained(db: Db, timeoutMs = 60_000) {
  await vi.waitFor(
    async () => {
      const [row] = resultRows<{ n: number }>(await db.execute(sql`select count(*)::int as n from outbox where delivered_at is null`));
      expect(row?.n).toBe(0);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
