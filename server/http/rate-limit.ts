import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import { sharedLimit } from "@/server/lib/shared-limit";
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
 * A fixed one-minute window per key, in this process: the /sdk/* per-key limit only. /sdk/check
 * is the hot path and must not wait on a database round trip for it, so each instance enforces
 * this limit on its own traffic (N instances allow N × the limit); the guardrail counters that
 * decide what an end user may do are shared in Postgres. Throws RateLimitedError (429 with
 * Retry-After) past the limit. Limits every instance shares: takeSharedToken.
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
  if (w.count > limit) throw refusal(state, Math.max(1, reset - Math.floor(now / 1000)), limit, message);
  return state;
}

/**
 * A one-minute window per key that every instance shares (a row in `rate_limits`, one upsert
 * per call; see server/lib/shared-limit.ts): the /api/v1 per-key limit and the invalid-key
 * per-address limit. `name` keeps limiters apart. Throws RateLimitedError past the limit.
 */
export async function takeSharedToken(db: Db, name: string, rawKey: string, limit: number, message?: string): Promise<RateState> {
  const s = await sharedLimit(db, { name, points: limit, windowSeconds: WINDOW_MS / 1000 }).take(rawKey);
  const state = { limit, remaining: s.remaining, reset: Math.ceil((Date.now() + s.msBeforeNext) / 1000) };
  if (!s.allowed) throw refusal(state, Math.ceil(s.msBeforeNext / 1000), limit, message);
  return state;
}

function refusal(state: RateState, retryAfterSeconds: number, limit: number, message?: string) {
  const err = new RateLimitedError(message ?? `Rate limit of ${limit} requests per minute exceeded for this API key`, retryAfterSeconds);
  return Object.assign(err, { rate: state });
}

/** Keys held in this process (tests). */
export function rateKeyCount(): number {
  return windows.size;
}

export function rateHeaders(s: RateState): Record<string, string> {
  return { "x-ratelimit-limit": String(s.limit), "x-ratelimit-remaining": String(s.remaining), "x-ratelimit-reset": String(s.reset) };
}
