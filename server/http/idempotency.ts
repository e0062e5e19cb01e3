import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";
import { ConflictError, InvalidInputError } from "@/server/services/errors";

const TTL_HOURS = 24;

/**
 * Idempotency-Key on POST /api/v1/*: the first request runs and its answer is kept; a retry
 * with the same key and the same request gets that answer again (with Idempotent-Replayed),
 * a different request with the same key is a 409, and so is a retry while the first runs.
 */
export async function withIdempotency(
  db: Db,
  workspaceId: string,
  key: string,
  request: { method: string; path: string; body: unknown },
  run: () => Promise<Response>,
): Promise<Response> {
  if (key.length > 255) throw new InvalidInputError("Idempotency-Key must be at most 255 characters");
  const requestHash = createHash("sha256").update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`).digest("hex");
  const mine = and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key));
  await db.delete(idempotencyKeys).where(and(mine, sql`${idempotencyKeys.createdAt} < now() - make_interval(hours => ${TTL_HOURS})`));
  const [claimed] = await db.insert(idempotencyKeys).values({ workspaceId, key, requestHash }).onConflictDoNothing().returning();
  if (!claimed) {
    const [existing] = await db.select().from(idempotencyKeys).where(mine);
    if (!existing) throw new ConflictError("That Idempotency-Key was just released: retry");
    if (existing.requestHash !== requestHash) throw new ConflictError("This Idempotency-Key was used with a different request");
    if (existing.status === null) throw new ConflictError("A request with this Idempotency-Key is still running");
    return Response.json(existing.body, { status: existing.status, headers: { "idempotent-replayed": "true" } });
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
  const body = await response.clone().json().catch(() => null);
  await db.update(idempotencyKeys).set({ status: response.status, body }).where(mine);
  return response;
}
