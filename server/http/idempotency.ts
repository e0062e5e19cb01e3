import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { IDEMPOTENCY_TTL_HOURS, idempotencyKeys } from "@/db/schema";
import { ConflictError, InvalidInputError } from "@/server/services/errors";

/** Header on a replayed answer that names the fields whose secret was left out (`key`, `config.secret`). */
export const SECRET_OMITTED_HEADER = "secret-omitted";

/**
 * Secrets the API shows once (API keys, webhook signing secrets), by the property that holds
 * them and their shape. Only these are dropped: a rule named "ug_..." is kept as answered.
 */
const SECRETS = new Map<string, RegExp>([
  ["key", /^ug_/],
  ["secret", /^whsec_/],
  // An invitation link is a secret too: its token, and the URL that carries it.
  ["token", /^inv_/],
  ["url", /\/invite\/inv_/],
]);

/** Replace the values `drop` picks with null; the paths they were at. */
function blank(
  value: unknown,
  drop: (property: string, v: unknown) => boolean,
  path = "",
  found: string[] = [],
): { value: unknown; paths: string[] } {
  if (Array.isArray(value)) return { value: value.map((v, i) => blank(v, drop, `${path}[${i}]`, found).value), paths: found };
  if (value === null || typeof value !== "object") return { value, paths: found };
  const out = Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      if (drop(k, v)) {
        found.push(at);
        return [k, null];
      }
      return [k, blank(v, drop, at, found).value];
    }),
  );
  return { value: out, paths: found };
}

/**
 * The answer as it may be kept: every once-shown secret replaced by null. Kept whole, it would
 * leave a working key (for 24 h) where anyone who can read the database finds it.
 */
export function withoutSecrets(body: unknown) {
  return blank(body, (k, v) => typeof v === "string" && SECRETS.get(k)?.test(v) === true);
}

/** Where a kept answer had its secrets: the nulls in their places (no answer has a null key or secret). */
function omittedSecrets(kept: unknown): string[] {
  return blank(kept, (k, v) => v === null && SECRETS.has(k)).paths;
}

/**
 * Idempotency-Key on POST /api/v1/*: the first request runs and its answer is kept; a retry
 * with the same key and the same request gets that answer again (with Idempotent-Replayed),
 * a different request with the same key is a 409, and so is a retry while the first runs.
 * A secret in the answer is shown once: the replay has null in its place and says so in
 * Secret-Omitted (revoke and create again if the first answer was lost).
 */
export async function withIdempotency(
  db: Db,
  workspaceId: string,
  key: string,
  request: { method: string; path: string; body: unknown },
  run: () => Promise<Response>,
): Promise<Response> {
  if (key.length > 255) throw new InvalidInputError("Idempotency-Key must be at most 255 characters");
  const requestHash = createHash("sha256")
    .update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
    .digest("hex");
  const mine = and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key));
  await db
    .delete(idempotencyKeys)
    .where(and(mine, sql`${idempotencyKeys.createdAt} < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`));
  const [claimed] = await db.insert(idempotencyKeys).values({ workspaceId, key, requestHash }).onConflictDoNothing().returning();
  if (!claimed) {
    const [existing] = await db.select().from(idempotencyKeys).where(mine);
    if (!existing) throw new ConflictError("That Idempotency-Key was just released: retry");
    if (existing.requestHash !== requestHash) throw new ConflictError("This Idempotency-Key was used with a different request");
    if (existing.status === null) throw new ConflictError("A request with this Idempotency-Key is still running");
    const headers = new Headers({ "idempotent-replayed": "true" });
    const omitted = omittedSecrets(existing.body);
    if (omitted.length) headers.set(SECRET_OMITTED_HEADER, `${omitted.join(", ")}; shown only in the first answer`);
    return Response.json(existing.body, { status: existing.status, headers });
  }
  let response: Response;
  try {
    response = await run();
  } catch (err) {
    await db.delete(idempotencyKeys).where(mine);
    throw err;
  }
  if (response.status >= 500) {
    await db.delete(idempotencyKeys).where(mine); // ours failed: let the retry run
    return response;
  }
  const { value: body } = withoutSecrets(
    await response
      .clone()
      .json()
      .catch(() => null),
  );
  await db.update(idempotencyKeys).set({ status: response.status, body }).where(mine);
  return response;
}
