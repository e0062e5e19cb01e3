import { createHash } from "node:crypto";
import { RateLimitedError } from "@/server/services/errors";
import { processGlobal } from "@/server/lib/process-global";

export interface RateState {
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  reset: number;
}

const WINDOW_MS = 60_000;
/** Keys kept at most; past it the least recently used one goes (never all: that would reset every limit). */
export const MAX_RATE_KEYS = 100_000;
const windows = processGlobal("rateWindows", () => new Map<string, { start: number; count: number }>());

/** Keys come from request data (an address, a key id): stored as a short hash, whatever was sent (M4). */
const keyOf = (key: string) => (key.length <= 64 ? key : createHash("sha256").update(key).digest("base64url").slice(0, 22));

/**
 * A fixed one-minute window per key, in this process (N processes allow N × the limit; the
 * limit protects each instance). Throws RateLimitedError (429 with Retry-After) past it.
 */
export function takeToken(rawKey: string, limit: number, now = Date.now(), message?: string): RateState {
  const key = keyOf(rawKey);
  let w = windows.get(key);
  // Map order is insertion order: re-inserting on use keeps the least recently used key first.
  if (w) windows.delete(key);
  if (!w || now - w.start >= WINDOW_MS) w = { start: now - (now % WINDOW_MS), count: 0 };
  windows.set(key, w);
  if (windows.size > MAX_RATE_KEYS) windows.delete(windows.keys().next().value!);
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

/** Keys held (tests). */
export function rateKeyCount(): number {
  return windows.size;
}

export function rateHeaders(s: RateState): Record<string, string> {
  return { "x-ratelimit-limit": String(s.limit), "x-ratelimit-remaining": String(s.remaining), "x-ratelimit-reset": String(s.reset) };
}
