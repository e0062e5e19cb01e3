import { RateLimitedError } from "@/server/services/errors";
import { processGlobal } from "@/server/lib/process-global";

export interface RateState {
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  reset: number;
}

const WINDOW_MS = 60_000;
const windows = processGlobal("rateWindows", () => new Map<string, { start: number; count: number }>());

/**
 * A fixed one-minute window per key, in this process (N processes allow N × the limit; the
 * limit protects each instance). Throws RateLimitedError (429 with Retry-After) past it.
 */
export function takeToken(key: string, limit: number, now = Date.now(), message?: string): RateState {
  let w = windows.get(key);
  if (!w || now - w.start >= WINDOW_MS) {
    w = { start: now - (now % WINDOW_MS), count: 0 };
    if (windows.size > 100_000) windows.clear();
    windows.set(key, w);
  }
  w.count++;
  const reset = Math.ceil((w.start + WINDOW_MS) / 1000);
  const state = { limit, remaining: Math.max(0, limit - w.count), reset };
  if (w.count > limit) {
    const err = new RateLimitedError(message ?? `Rate limit of ${limit} requests per minute exceeded for this API key`, Math.max(1, reset - Math.floor(now / 1000)));
    Object.assign(err, { rate: state });
    throw err;
  }
  return state;
}

export function rateHeaders(s: RateState): Record<string, string> {
  return { "x-ratelimit-limit": String(s.limit), "x-ratelimit-remaining": String(s.remaining), "x-ratelimit-reset": String(s.reset) };
}
