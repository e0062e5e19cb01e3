import { type TokenistError, toTokenistError } from "./errors.js";
import { sleep } from "./runtime.js";

export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** The first backoff's upper bound; it doubles each try ("full jitter": a random wait below it). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is thrown instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

/** The wait before try `attempt + 1`: the server's Retry-After when it sent one, else full jitter. */
export function backoffMs(error: TokenistError, attempt: number, policy: RetryPolicy, random = Math.random): number {
  if (error.retryAfterSeconds !== null) return error.retryAfterSeconds * 1000;
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/**
 * Runs `send` until it succeeds, fails with an error that a retry cannot fix (4xx), or the
 * retries are spent. `send` must be idempotent: the callers pass the same key each time.
 */
export async function withRetries<T>(send: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const error = toTokenistError(err);
      if (!error.retryable || attempt >= policy.retries) throw error;
      const wait = backoffMs(error, attempt, policy);
      if (wait > policy.maxRetryAfterMs) throw error;
      await sleep(wait);
    }
  }
}
