import type { RuleWindow } from "@/db/schema";
import { DAY_MS, HOUR_MS, MINUTE_MS, floorMs, floorToDay, startOfMonth, startOfNextMonth } from "./time";

const ROLLING_MS: Partial<Record<RuleWindow, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

export function isRolling(window: RuleWindow): boolean {
  return window in ROLLING_MS;
}

/**
 * The first minute bucket a window counts at `now` (UTC). Rolling windows are exact to the
 * minute: a call in minute bucket b counts while b > floor(now) - W, so it frees capacity
 * exactly W after the start of its minute. Calendar windows start at 00:00 UTC.
 */
export function windowStart(window: RuleWindow, now: Date): Date {
  return new Date(windowStartMs(window, now.getTime()));
}

/** windowStart in epoch milliseconds, from epoch milliseconds (the check's mirror: no Date per lookup). */
export function windowStartMs(window: RuleWindow, now: number): number {
  const rolling = ROLLING_MS[window];
  if (rolling) return floorMs(now, MINUTE_MS) - rolling + MINUTE_MS;
  if (window === "calendar_day") return floorMs(now, DAY_MS);
  return startOfMonth(new Date(now)).getTime();
}

/** When a bucket stops counting (rolling), or when the whole window resets (calendar). */
export function bucketExpiry(window: RuleWindow, bucket: Date): Date {
  return new Date(bucket.getTime() + ROLLING_MS[window]!);
}

export function calendarReset(window: RuleWindow, now: Date): Date {
  if (window === "calendar_day") return new Date(floorToDay(now).getTime() + DAY_MS);
  return startOfNextMonth(now);
}

/**
 * When does a rolling window free enough for `need` more units? Buckets are the window's
 * (bucket, amount) pairs, oldest first; `used` includes them plus anything not in buckets
 * (reservations), which is assumed to age out last.
 */
export function rollingFreeAt(
  window: RuleWindow,
  buckets: Array<{ bucket: Date; amount: bigint }>,
  used: bigint,
  need: bigint,
  limit: bigint,
): Date | null {
  let remaining = used;
  for (const b of buckets) {
    remaining -= b.amount;
    if (remaining + need <= limit) return bucketExpiry(window, b.bucket);
  }
  return null;
}
