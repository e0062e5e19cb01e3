import { afterEach, expect, it, vi } from "vitest";
import { clearOfUtcTurn } from "../helpers/clock";

afterEach(() => vi.useRealTimers());

it("clearOfUtcTurn waits for the UTC day to turn when a period it guards starts within the margin", async () => {
  // Thursday 31 December 2026, 23:59:50 UTC: a day, a month (and a year) end; the ISO week does not.
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 31, 23, 59, 50) });
  let done = false;
  const p = clearOfUtcTurn(["month"]).then(() => (done = true));
  await vi.advanceTimersByTimeAsync(9_000);
  expect(done).toBe(false);
  await vi.advanceTimersByTimeAsync(1_500);
  await p;
  expect(new Date().getUTCDate()).toBe(1);
});

it("clearOfUtcTurn does not wait when none of its periods turns within the margin", async () => {
  // Midday: nothing turns.
  vi.useFakeTimers({ now: Date.UTC(2027, 0, 1, 12) });
  await clearOfUtcTurn(["day", "week", "month"]);
  expect(Date.now()).toBe(Date.UTC(2027, 0, 1, 12));
  // Thursday 31 December, one minute to midnight: a day and a month end, an ISO week does not.
  vi.setSystemTime(Date.UTC(2026, 11, 31, 23, 59));
  await clearOfUtcTurn(["week"]);
  // Tuesday 15 December, one minute to midnight: only a day ends.
  vi.setSystemTime(Date.UTC(2026, 11, 15, 23, 59));
  await clearOfUtcTurn(["week", "month"]);
  expect(Date.now()).toBe(Date.UTC(2026, 11, 15, 23, 59));
});

it("clearOfUtcTurn guards a week from Sunday night to Monday, and a day every night", async () => {
  // Sunday 6 December 2026, 23:58 UTC: the ISO week ends at midnight.
  for (const periods of [["week"], ["day"]] as const) {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 6, 23, 58) });
    let done = false;
    const p = clearOfUtcTurn(periods).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(61_000);
    await p;
    expect(new Date().getUTCDay()).toBe(1); // Monday
    vi.useRealTimers();
  }
});
