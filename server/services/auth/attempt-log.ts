import { createHash } from "node:crypto";

export interface AttemptLogOptions {
  windowMs: number;
  /** Attempts allowed per key within the window. */
  limit: number;
  /** Keys kept at most; the least recently used one goes first. */
  maxKeys: number;
}

/**
 * Recent attempts per key in a sliding window, in this process, bounded in both directions:
 * a key is stored as a 22-character hash whatever the request sent, each key keeps at most
 * `limit` timestamps, and past `maxKeys` keys the least recently used one is dropped (never
 * the whole map, which would reset every counter at once). Pushing a busy key out takes
 * `maxKeys` fresh keys within its window, each one a request of its own.
 */
export class AttemptLog {
  // Map iteration follows insertion order: re-inserting on use keeps the oldest key first.
  private readonly entries = new Map<string, number[]>();

  constructor(private readonly options: AttemptLogOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** 0 when another attempt is allowed now, else the milliseconds until one is. */
  waitMs(key: string, now: number): number {
    const { limit, windowMs } = this.options;
    const recent = this.recent(hashKey(key), now);
    return recent.length < limit ? 0 : recent[recent.length - limit]! + windowMs - now;
  }

  /** Attempts within the window. */
  count(key: string, now: number): number {
    return this.recent(hashKey(key), now).length;
  }

  record(key: string, now: number): void {
    const h = hashKey(key);
    const recent = this.recent(h, now);
    recent.push(now);
    if (recent.length > this.options.limit) recent.shift();
    this.entries.delete(h);
    this.entries.set(h, recent);
    if (this.entries.size > this.options.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Take back an attempt recorded at `at` (it succeeded, so it should not count). */
  refund(key: string, at: number): void {
    const h = hashKey(key);
    const recent = this.entries.get(h);
    const i = recent?.lastIndexOf(at) ?? -1;
    if (i >= 0) recent!.splice(i, 1);
    if (recent && recent.length === 0) this.entries.delete(h);
  }

  /** The key's timestamps still inside the window (oldest first); touches it as recently used. */
  private recent(h: string, now: number): number[] {
    const times = this.entries.get(h);
    if (!times) return [];
    const firstLive = times.findIndex((t) => now - t < this.options.windowMs);
    if (firstLive === -1) {
      this.entries.delete(h);
      return [];
    }
    if (firstLive > 0) times.splice(0, firstLive);
    this.entries.delete(h);
    this.entries.set(h, times);
    return times;
  }
}

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 22);
}
