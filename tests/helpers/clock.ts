const DAY_MS = 86_400_000;

/** The UTC periods a running server buckets by; each one begins at a midnight UTC. */
export type UtcPeriod = "day" | "week" | "month";

const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/** Which day, ISO week (Monday to Sunday; 1970-01-01 was a Thursday) or calendar month `ms` falls in. */
function periodOf(ms: number, period: UtcPeriod): number {
  if (period === "day") return utcDay(ms);
  if (period === "week") return Math.floor((utcDay(ms) + 3) / 7);
  const at = new Date(ms);
  return at.getUTCFullYear() * 12 + at.getUTCMonth();
}

/**
 * Tests against a running server cannot set its clock, and some read what it buckets by UTC day,
 * ISO week or calendar month. Called before such a test's setup with the periods it depends on,
 * this makes the setup and the test run inside one of each: when the next start of one of them
 * is within `marginMs`, it waits for that condition itself, the UTC day turning (polled, not a
 * computed sleep), before anything is set up. Any other run does not wait: a test that depends
 * on the month waits only in the last minutes of a month, not of every day. `marginMs` must
 * exceed what the guarded part takes (these tests take 4–37 s here).
 */
export async function clearOfUtcTurn(periods: readonly UtcPeriod[], marginMs = 180_000): Promise<void> {
  const now = Date.now();
  if (periods.every((p) => periodOf(now, p) === periodOf(now + marginMs, p))) return;
  // Every period starts at a midnight UTC: once the day has turned, the new one has begun.
  const day = utcDay(now);
  while (utcDay(Date.now()) === day) await new Promise((resolve) => setTimeout(resolve, 250));
}
