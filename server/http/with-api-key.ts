import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { boot } from "@/server/boot";
import { resolveApiKey, type ResolvedKey } from "@/server/services/api-keys/resolve-api-key";
import type { ServiceCtx } from "@/server/services/context";
import { ForbiddenError } from "@/server/services/errors";
import { env } from "@/server/env";
import { toHttpError } from "./errors";
import { readJsonBody } from "./read-body";

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
 * The one wrapper for every public handler: Bearer key → hash → workspace, scope check,
 * body-size cap, JSON parsing, and the error mapping. A handler returns data (sent as 200
 * JSON) or a Response.
 */
export function withApiKey(scope: ApiKeyScope, handler: Handler, options: { status?: number } = {}) {
  return async (req: Request, route?: RouteContext): Promise<Response> => {
    try {
      const db: Db = await boot();
      const key = await resolveApiKey(db, bearerToken(req));
      if (!key.scopes.includes(scope)) {
        throw new ForbiddenError(`This API key lacks the "${scope}" scope`);
      }
      const body = ["POST", "PUT", "PATCH"].includes(req.method)
        ? await readJsonBody(req, env().TOKENIST_MAX_BODY_BYTES)
        : undefined;
      const ctx: ServiceCtx = { db, workspaceId: key.workspaceId, actor: { type: "api_key", id: key.keyId } };
      const params = (await route?.params) ?? {};
      const result = await handler({ req, ctx, key, body, params });
      return result instanceof Response ? result : Response.json(result, { status: options.status ?? 200 });
    } catch (err) {
      return toHttpError(err);
    }
  };
}

function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : header.trim();
}
