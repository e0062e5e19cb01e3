import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, type ApiKeyScope } from "@/db/schema";
import { UnauthorizedError } from "../errors";
import { processGlobal } from "@/server/lib/process-global";
import { API_KEY_PATTERN, hashApiKey } from "./key-material";

export interface ResolvedKey {
  keyId: string;
  workspaceId: string;
  scopes: ApiKeyScope[];
}

// A revoked key stops working in every process within CACHE_MS.
const CACHE_MS = 1_000;
const LAST_USED_EVERY_MS = 60_000;
const cache = processGlobal("apiKeyCache", () => new Map<string, { value: ResolvedKey | null; at: number }>());
const lastUsedWritten = processGlobal("apiKeyLastUsed", () => new Map<string, number>());
/**
 * One lookup at a time per key: when the cached entry expires under load, the requests that find it
 * stale share one query instead of each sending its own (50 concurrent checks: 50 queries a second).
 * `generation` is bumped by every clear: a lookup that began before a revoke never caches its answer.
 */
const lookups = processGlobal("apiKeyLookups", () => ({ inFlight: new Map<string, Promise<ResolvedKey | null>>(), generation: 0 }));

/** Bearer key → workspace. Throws UnauthorizedError for a missing, malformed, unknown or revoked key. */
export async function resolveApiKey(db: Db, key: string | null | undefined): Promise<ResolvedKey> {
  if (!key) throw new UnauthorizedError("Missing API key: send Authorization: Bearer ug_...");
  if (!API_KEY_PATTERN.test(key)) throw new UnauthorizedError("Malformed API key: keys look like ug_...");
  const hash = hashApiKey(key);
  const now = Date.now();
  let hit = cache.get(hash);
  if (!hit || now - hit.at > CACHE_MS) hit = { value: await lookUp(db, hash, now), at: now };
  if (!hit.value) throw new UnauthorizedError("Invalid or revoked API key");
  touchLastUsed(db, hit.value.keyId, now);
  return hit.value;
}

/** Drop cached lookups in this process (after a revoke here; others expire within CACHE_MS). */
export function clearApiKeyCache() {
  cache.clear();
  lookups.inFlight.clear();
  lookups.generation++;
}

/** The key's row (null: unknown or revoked), shared by the requests that ask while it is read, then cached. */
function lookUp(db: Db, hash: string, now: number): Promise<ResolvedKey | null> {
  const shared = lookups.inFlight.get(hash);
  if (shared) return shared;
  const generation = lookups.generation;
  const lookup = db
    .select({ keyId: apiKeys.id, workspaceId: apiKeys.workspaceId, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1)
    .then(([row]) => {
      const value = row ?? null;
      if (generation === lookups.generation) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { value, at: now });
      }
      return value;
    })
    .finally(() => {
      if (lookups.inFlight.get(hash) === lookup) lookups.inFlight.delete(hash);
    });
  lookups.inFlight.set(hash, lookup);
  return lookup;
}

function touchLastUsed(db: Db, keyId: string, now: number) {
  const last = lastUsedWritten.get(keyId) ?? 0;
  if (now - last < LAST_USED_EVERY_MS) return;
  lastUsedWritten.set(keyId, now);
  // Off the request path: a lost update only makes "last used" a minute stale.
  db.update(apiKeys)
    .set({ lastUsedAt: new Date(now) })
    .where(eq(apiKeys.id, keyId))
    .catch(() => lastUsedWritten.delete(keyId));
}
