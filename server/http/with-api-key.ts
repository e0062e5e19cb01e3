import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { boot } from "@/server/boot";
import { resolveApiKey, type ResolvedKey } from "@/server/services/api-keys/resolve-api-key";
import type { ServiceCtx } from "@/server/services/context";
import { ForbiddenError, InvalidInputError } from "@/server/services/errors";
import { env } from "@/server/env";
import { toHttpError } from "./errors";
import { readJsonBody } from "./read-body";
import { withIdempotency } from "./idempotency";
import { rateHeaders, takeSharedToken, takeToken, type RateState } from "./rate-limit";
import { clientIp } from "./client-ip";

export interface ApiKeyRequest {
  req: Request;
  ctx: ServiceCtx;
  key: ResolvedKey;
  /** The parsed JSON body (POST/PUT/PATCH), else undefined. */
  body: unknown;
  params: Record<string, string>;
}

type Handler = (r: ApiKeyRequest) => Promise<Response | unknown>;
type RouteContext = { params: Promise<Record<string, string>> };

/**
 * A per-key limit of requests a minute, with X-RateLimit-* headers. "in-process": each instance
 * counts its own traffic and no database round trip is awaited (see takeToken); "shared": every
 * instance counts together in the rate_limits table (see takeSharedToken). `name` keeps limiters apart.
 */
export interface RateLimitPolicy {
  name: string;
  store: "in-process" | "shared";
  perMinute: number;
}

/** What a door asks of the key and the request, named at the door (dub's withWorkspace options). */
export interface ApiKeyPolicy {
  /** The scope the key must hold (else 403). */
  scope: ApiKeyScope;
  rateLimit?: RateLimitPolicy;
  /** Honour Idempotency-Key: a retry with the same key and body replays the first answer. */
  idempotent?: boolean;
  /** A POST may come without a body (e.g. "send a test message"). */
  bodyOptional?: boolean;
  /** The status of an answer the handler returns as data. */
  status?: number;
}

/**
 * The one wrapper for every public handler: Bearer key → hash → workspace, the door's rate limit,
 * scope check, body-size cap, JSON parsing, Idempotency-Key, and the error mapping. A handler
 * returns data (sent as JSON) or a Response.
 */
export function withApiKey(handler: Handler, policy: ApiKeyPolicy) {
  const { scope, rateLimit: limit } = policy;
  return async (req: Request, route?: RouteContext): Promise<Response> => {
    let rate: RateState | undefined;
    try {
      const db: Db = await boot();
      const key = await resolveApiKey(db, bearerToken(req)).catch(async (err) => {
        // Key guessing: an address that keeps sending bad keys is slowed down, on every instance.
        await takeSharedToken(db, "bad-key", clientIp(req), badKeyLimit(), "Too many requests with invalid API keys from this address");
        throw err;
      });
      if (limit) {
        rate =
          limit.store === "in-process"
            ? takeToken(`${limit.name}:${key.keyId}`, limit.perMinute)
            : await takeSharedToken(db, limit.name, key.keyId, limit.perMinute);
      }
      if (!key.scopes.includes(scope)) {
        throw new ForbiddenError(`This API key lacks the "${scope}" scope`);
      }
      const body = ["POST", "PUT", "PATCH"].includes(req.method)
        ? await readJsonBody(req, env().TOKENIST_MAX_BODY_BYTES, !policy.bodyOptional)
        : undefined;
      const ctx: ServiceCtx = { db, workspaceId: key.workspaceId, actor: { type: "api_key", id: key.keyId } };
      const params = (await route?.params) ?? {};
      assertCleanUrl(req, params);
      const run = async () => {
        const result = await handler({ req, ctx, key, body, params });
        return result instanceof Response ? result : Response.json(result, { status: policy.status ?? 200 });
      };
      const idempotencyKey = policy.idempotent ? req.headers.get("idempotency-key") : null;
      const res = idempotencyKey
        ? await withIdempotency(db, key.workspaceId, idempotencyKey, { method: req.method, path: new URL(req.url).pathname, body }, run)
        : await run();
      return withRateHeaders(res, rate);
    } catch (err) {
      const e = err as { rate?: RateState };
      return withRateHeaders(toHttpError(err), rate ?? e.rate);
    }
  };
}

function withRateHeaders(res: Response, rate: RateState | undefined): Response {
  if (rate) for (const [k, v] of Object.entries(rateHeaders(rate))) res.headers.set(k, v);
  return res;
}

/** Path and query values are text for Postgres: no NUL or other control characters, no monsters. */
function assertCleanUrl(req: Request, params: Record<string, string>) {
  const values = [...Object.values(params), ...new URL(req.url).searchParams.values()];
  if (values.some((v) => /[\u0000-\u001f\u007f]/.test(v)))
    throw new InvalidInputError("URL parameters must not contain control characters");
  if (values.some((v) => v.length > 1024)) throw new InvalidInputError("URL parameters must be at most 1,024 characters");
}

const badKeyLimit = () => env().TOKENIST_BAD_KEY_LIMIT;

function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? header.trim();
}
