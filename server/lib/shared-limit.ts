import { createHash } from "node:crypto";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "@/db/client";
import { rateLimits } from "@/db/schema";
import { processGlobal } from "./process-global";

export interface SharedLimitSpec {
  /** The limiter's name: its rows are `<name>:<hash of the key>`. */
  name: string;
  /** Uses allowed per key in one window. */
  points: number;
  windowSeconds: number;
}

export interface LimitState {
  allowed: boolean;
  /** Uses left in this window. */
  remaining: number;
  /** Milliseconds until the window ends (and, when refused, until a use is allowed again). */
  msBeforeNext: number;
}

export interface SharedLimit {
  /** Counts one use of `key`; refused past the limit (the refused use changes no window). */
  take(key: string): Promise<LimitState>;
  /** Gives one use back (it should not have counted: a right password, a refused attempt). */
  refund(key: string): Promise<void>;
}

/**
 * A fixed-window counter per key that every app instance shares: rows of `rate_limits`,
 * one atomic upsert per use through rate-limiter-flexible's RateLimiterDrizzle on the app's
 * own database (Postgres or PGlite). Keys come from request data (an e-mail, an address, a
 * key id) and are stored as a 22-character SHA-256, whatever was sent. Expired rows are
 * deleted by housekeeping (server/services/maintenance/housekeeping.ts).
 */
export function sharedLimit(db: Db, spec: SharedLimitSpec): SharedLimit {
  const limiter = limiterFor(db, spec);
  return {
    async take(key) {
      try {
        const res = await limiter.consume(hashKey(key));
        return { allowed: true, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err; // the database's error, not a refusal
        return { allowed: false, remaining: 0, msBeforeNext: Math.max(1, err.msBeforeNext) };
      }
    },
    async refund(key) {
      await limiter.reward(hashKey(key));
    },
  };
}

// One limiter per database and spec, process-wide (Next bundles each route apart): it holds
// the in-memory block below, which must outlive a request.
const limiters = processGlobal("sharedLimiters", () => new WeakMap<Db, Map<string, RateLimiterDrizzle>>());

function limiterFor(db: Db, { name, points, windowSeconds }: SharedLimitSpec): RateLimiterDrizzle {
  let byDb = limiters.get(db);
  if (!byDb) limiters.set(db, (byDb = new Map()));
  const id = `${name}/${points}/${windowSeconds}`;
  let limiter = byDb.get(id);
  if (!limiter) {
    limiter = new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix: name,
      points,
      duration: windowSeconds,
      // Once a key is over its limit, this process refuses it until its window ends without
      // asking the database again: a flood costs one row update per instance, not one per request.
      inMemoryBlockOnConsumed: points + 1,
      // Housekeeping deletes expired rows once for all instances; no timer per limiter here.
      clearExpiredByTimeout: false,
    });
    byDb.set(id, limiter);
  }
  return limiter;
}

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 22);
}
