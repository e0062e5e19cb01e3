const DAY_MS = 86_400_000;

const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * Tests against a running server cannot set its clock, and some read what it buckets by UTC day,
 * ISO week or calendar month: every one of those boundaries is a midnight UTC. Called before such a
 * test's setup, this makes the setup and the test run inside one UTC day: when the next midnight is
 * within `marginMs`, it waits for that condition itself, the UTC day turning (polled, not a computed
 * sleep), before anything is set up; any other run does not wait at all. `marginMs` must exceed what
 * the guarded part takes (these tests take 4–37 s here).
 */
export async function clearOfMidnightUtc(marginMs = 180_000): Promise<void> {
  const day = utcDay(Date.now());
  if (utcDay(Date.now() + marginMs) === day) return;
  while (utcDay(Date.now()) === day) await new Promise((resolve) => setTimeout(resolve, 250));
}
