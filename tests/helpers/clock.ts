const DAY_MS = 86_400_000;

/**
 * Tests against a running server cannot set its clock, and some read what it buckets by UTC day,
 * ISO week or calendar month: every one of those boundaries is a midnight UTC. Called before such a
 * test's setup, this makes the setup and the test run inside one UTC day: within `marginMs` of the
 * next midnight it waits until that midnight has passed (a CI run that starts at 23:59:45 UTC
 * waits 16 s; any other run does not wait at all). `marginMs` must exceed what the guarded part takes.
 */
export async function clearOfMidnightUtc(marginMs = 180_000): Promise<void> {
  const now = Date.now();
  const midnight = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  if (midnight - now < marginMs) await new Promise((resolve) => setTimeout(resolve, midnight - now + 1_000));
}
