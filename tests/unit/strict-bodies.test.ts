import { describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { buildOpenApi } from "@/server/http/api-v1/openapi";
import { OPERATIONS } from "@/server/http/api-v1/operations";
import { toHttpError } from "@/server/http/errors";
import { SAMPLES } from "../helpers/openapi-samples";

/** Every /api/v1 operation that takes a JSON body. */
const WRITES = OPERATIONS.filter((op) => op.path.startsWith("/api/v1/") && ["POST", "PATCH", "PUT"].includes(op.method) && op.body);
/** Ids the sample bodies name; any string parses. */
const IDS = new Proxy({}, { get: (_, key) => `${String(key)}_1` }) as Record<string, string>;

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
  [k: string]: unknown;
};

/** Every object node of a JSON schema, with where it is. */
function objectNodes(schema: unknown, at = "body"): Array<{ at: string; node: JsonSchema }> {
  if (!schema || typeof schema !== "object") return [];
  const node = schema as JsonSchema;
  const found = node.type === "object" || node.properties ? [{ at, node }] : [];
  for (const [key, child] of Object.entries(node)) {
    if (key === "properties") for (const [name, prop] of Object.entries(child as object)) found.push(...objectNodes(prop, `${at}.${name}`));
    else if (Array.isArray(child)) child.forEach((c, i) => found.push(...objectNodes(c, `${at}.${key}[${i}]`)));
    else if (typeof child === "object") found.push(...objectNodes(child, `${at}.${key}`));
  }
  return found;
}

describe("strict /api/v1 bodies", () => {
  it("covers every writing operation, each with a sample body", () => {
    expect(WRITES.length).toBeGreaterThanOrEqual(15);
    const sampled = new Set(SAMPLES.map((s) => s.operationId));
    expect(WRITES.map((op) => op.operationId).filter((id) => !sampled.has(id))).toEqual([]);
  });

  it("documents every body object with additionalProperties: false (a map: the schema of its values)", () => {
    const doc = buildOpenApi();
    const loose: string[] = [];
    for (const op of WRITES) {
      const schema = doc.paths[op.path]![op.method.toLowerCase()] as { requestBody?: { content: Record<string, { schema: unknown }> } };
      for (const { at, node } of objectNodes(schema.requestBody?.content["application/json"]?.schema)) {
        // A map (roleMapping's group → role) admits any key by nature; its values are still checked.
        const typedMap = typeof node.additionalProperties === "object" && node.additionalProperties !== null && !node.properties;
        if (node.additionalProperties !== false && !typedMap) loose.push(`${op.operationId} ${at}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it.each(WRITES.map((op) => [op.operationId, op] as const))(
    "%s: a sample body parses; with an extra field it is a 400 naming the field",
    async (_, op) => {
      const sample = SAMPLES.find((s) => s.operationId === op.operationId)!;
      const body = (sample.body?.(IDS) ?? {}) as Record<string, unknown>;
      expect(op.body!.safeParse(body).error?.issues).toBeUndefined();
      // A typo of one of its own fields, as a person would make it ("limit" → "limitt").
      const last = Object.keys(body).at(-1);
      const field = last ? `${last}${last.at(-1)}` : "unexpected";
      const result = op.body!.safeParse({ ...body, [field]: 1 });
      expect(result.success).toBe(false);
      const res = toHttpError(result.error as ZodError);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: "invalid_request", message: `Unknown field "${field}"` });
    },
  );

  it("names a nested unknown field by its full path, and several at once", async () => {
    const createRule = OPERATIONS.find((op) => op.operationId === "createRule")!;
    const base = { name: "x", scope: "user", metric: "requests", window: "day", limit: 1 };
    const nested = createRule.body!.safeParse({ ...base, filters: { tier: "free", tierr: "pro" } });
    expect((await toHttpError(nested.error).json()).error.message).toBe('Unknown field "filters.tierr"');
    const several = createRule.body!.safeParse({ ...base, limitt: 1, windw: "day" });
    expect((await toHttpError(several.error).json()).error.message).toBe('Unknown fields "limitt", "windw"');
  });

  it("leads with the unknown field when a typo also leaves its field missing", async () => {
    const createRule = OPERATIONS.find((op) => op.operationId === "createRule")!;
    const typo = createRule.body!.safeParse({ name: "x", scope: "user", metric: "requests", window: "day", limitt: 5 });
    const { error } = await toHttpError(typo.error).json();
    expect(error.message).toBe('Unknown field "limitt"');
    expect(error.details.map((d: { path: string; code: string }) => [d.path, d.code])).toEqual(
      expect.arrayContaining([
        ["limit", "invalid_type"],
        ["", "unrecognized_keys"],
      ]),
    );
  });
});
