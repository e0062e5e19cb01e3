import { z } from "zod";
import { ZErrorBody } from "@/server/contract/sdk";
import pkg from "@/package.json";
import type { AnyOperation } from "./define";
import { asksMemberRole } from "./handler";
import { whoMay } from "@/server/services/core/permissions";
import { OPERATIONS } from "./operations";

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(type, { io, unrepresentable: "any" }) as JsonSchema;
  return schema;
}

const RATE_HEADERS = {
  "X-RateLimit-Limit": { description: "Requests allowed per minute for this key", schema: { type: "integer" } },
  "X-RateLimit-Remaining": { description: "Requests left in this minute", schema: { type: "integer" } },
  "X-RateLimit-Reset": { description: "Unix time (seconds) when the minute resets", schema: { type: "integer" } },
};

const ERROR = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function parameters(op: AnyOperation) {
  const params: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (op.query) {
    const q = schemaOf(op.query, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      params.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema, description: schema.description });
    }
  }
  if (op.scope !== "sdk" && op.method === "POST") {
    params.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      schema: { type: "string", maxLength: 255 },
      description: "Retrying with the same key and body replays the first answer instead of acting twice",
    });
  }
  if (op.operationId === "record") {
    params.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      schema: { type: "string" },
      description: "Used as requestId when the body has none",
    });
  }
  return params;
}

function operation(op: AnyOperation) {
  const ok = op.csv ? { "text/csv": { schema: { type: "string" } } } : { "application/json": { schema: schemaOf(op.response, "output") } };
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    description:
      `Requires an API key with the \`${op.scope}\` scope.` +
      (asksMemberRole(op) ? ` The member the key answers to must be ${whoMay(op.permission)} (\`${op.permission}\`).` : ""),
    parameters: parameters(op),
    ...(op.body && {
      requestBody: {
        required: !op.body.safeParse(undefined).success,
        content: { "application/json": { schema: schemaOf(op.body, "input") } },
      },
    }),
    responses: {
      [String(op.status ?? 200)]: { description: "OK", content: ok, ...(op.scope !== "sdk" && { headers: RATE_HEADERS }) },
      "400": ERROR("Invalid input (invalid_request, invalid_json)"),
      "401": ERROR("Missing, malformed, unknown or revoked API key"),
      "403": ERROR(`The key lacks the ${op.scope} scope`),
      ...(op.path.includes("{") && { "404": ERROR("Not found in this workspace") }),
      ...(op.method === "POST" && { "409": ERROR("Idempotency-Key conflict"), "413": ERROR("Body larger than the limit") }),
      ...(op.scope === "sdk" && { "402": ERROR("quota_exceeded: the free plan's monthly requests are used up") }),
      "429": ERROR("Rate limited; see Retry-After"),
    },
  };
}

/** The OpenAPI 3.1 document, generated from the same operations and zod schemas the handlers use. */
export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    (paths[op.path] ??= {})[op.method.toLowerCase()] = operation(op);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tokenist API",
      version: pkg.version,
      description:
        "The SDK endpoints (/sdk/*) and the management API (/api/v1/*). Authenticate with `Authorization: Bearer ug_…`. " +
        'Errors: `{"error":{"code","message","details"?}}`. Money is exact: `costNanos` strings are nano-dollars (1e-9 USD). ' +
        "Times are ISO-8601 UTC. Lists page with `limit`, `cursor` and `nextCursor`. " +
        'Request bodies are strict: an unknown field is a 400 `invalid_request` naming it (`Unknown field "limitt"`). ' +
        "Plans count tracked requests. A tracked request is one LLM call: a check and the record that settles it count once; " +
        "a lone check or a lone record once; retries and duplicates never.",
    },
    servers: [{ url: "/" }],
    security: [{ apiKey: [] }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A workspace API key (ug_…) with the needed scope" } },
      schemas: { Error: schemaOf(ZErrorBody, "output") },
    },
    paths,
  };
}
