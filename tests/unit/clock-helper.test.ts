import { expect, it, vi } from "vitest";
import { clearOfMidnightUtc } from "../helpers/clock";
it("clearOfMidnightUtc waits for the UTC day to turn when midnight is near, and not at all otherwise", async () => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 31, 23, 59, 50) });
  let done = false;
  const p = clearOfMidnightUtc().then(() => (done = true));
  await vi.advanceTimersByTimeAsync(9_000);
  expect(done).toBe(false);
  await vi.advanceTimersByTimeAsync(1_500);
  await p;
  expect(new Date().getUTCDate()).toBe(1);
  vi.setSystemTime(Date.UTC(2027, 0, 1, 12));
  await clearOfMidnightUtc();
  vi.useRealTimers();
});
