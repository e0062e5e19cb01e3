import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { generateApiKey } from "@/server/services/api-keys/key-material";

/**
 * Property tests: random and malformed input at every /sdk/* and /api/v1/* operation, through
 * the very handlers the routes export (in-process, on PGlite). Every answer must be a 4xx in
 * the documented shape, never a 5xx, and nothing may be written. fast-check prints the seed
 * and the shrunk counterexample on failure.
 */
// 500 per operation and property in the suite (every operation: the suite must stay well within CI's
// 30 minutes); PROPERTY_RUNS=5000 for a deeper run before a release.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenist-props-"));
const apiKey = generateApiKey();
Object.assign(process.env, {
  TOKENIST_DATA_DIR: dataDir,
  TOKENIST_INIT_EMAIL: "owner@example.com",
  TOKENIST_INIT_PASSWORD: "correct horse battery",
  TOKENIST_INIT_API_KEY: apiKey,
  TOKENIST_INIT_PLAN: "growth",
  TOKENIST_WORKER: "0",
  TOKENIST_API_RATE_LIMIT: "100000000",
  TOKENIST_SDK_RATE_LIMIT: "100000000",
  TOKENIST_BAD_KEY_LIMIT: "100000000",
});
delete process.env.DATABASE_URL;

const { OPERATIONS } = await import("@/server/http/api-v1/operations");
const { apiDoor, sdkDoor } = await import("@/server/http/doors");
const { buildOpenApi } = await import("@/server/http/api-v1/openapi");
const { boot } = await import("@/server/boot");

const TABLES = [
  "events",
  "end_users",
  "usage_rollups",
  "outbox",
  "payload_logs",
  "rules",
  "blocklist",
  "alert_channels",
  "alerts",
  "alert_deliveries",
  "api_keys",
  "reservations",
  "reservation_counters",
  "idempotency_keys",
  "audit_logs",
  "workspaces",
];

async function counts() {
  const db = await boot();
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const res = (await db.execute(sql.raw(`select count(*)::int as n from ${t}`))) as unknown as { rows: Array<{ n: number }> };
    out[t] = res.rows[0]!.n;
  }
  return out;
}

type Doc = ReturnType<typeof buildOpenApi>;
const doc: Doc = buildOpenApi();
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const errorShape = ajv.compile(doc.components.schemas.Error as object);

async function call(opIndex: number, init: { path?: Record<string, string>; query?: string; body?: string }) {
  const op = OPERATIONS[opIndex]!;
  const url = `http://local${op.path}${init.query ? `?${init.query}` : ""}`;
  const req = new Request(url, {
    method: op.method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: op.method === "GET" || op.method === "DELETE" ? undefined : init.body,
  });
  const door = op.scope === "sdk" ? sdkDoor : apiDoor;
  const res = await door(op)(req, { params: Promise.resolve(init.path ?? {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const hostileText = fc.oneof(
  fc.string().filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.constantFrom("", " ", "NaN", "Infinity", "-Infinity", '{"userId": NaN}', "{'a':1}", '{"a":1,}', "\u0000", "\ud800"),
  fc.integer({ min: 200, max: 5000 }).map(deep),
  fc.integer({ min: 1_100_000, max: 1_300_000 }).map((n) => JSON.stringify({ userId: "x".repeat(n) })),
);
const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.record({
    userId: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.jsonValue()),
      fc.string({ minLength: 300, maxLength: 400 }),
      fc.constant("\u0000bad"),
    ),
  }),
  fc.array(fc.jsonValue()),
  fc.integer().map((n) => ({ limit: -Math.abs(n) - 1, usage: { prompt_tokens: -1 }, model: n })),
);

describe("hostile input at every route", () => {
  let before: Record<string, number>;
  beforeAll(async () => {
    await boot();
    before = await counts();
  }, 120_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const withBody = OPERATIONS.map((op, i) => ({ op, i })).filter(({ op }) => op.body);
  const withQueryOrPath = OPERATIONS.map((op, i) => ({ op, i })).filter(({ op }) => !op.body && (op.query || op.path.includes("{")));

  it.each(withBody.map(({ op, i }) => [op.operationId, i] as const))(
    `%s: ${RUNS} malformed bodies → 4xx in shape, nothing written`,
    async (_, i) => {
      const op = OPERATIONS[i]!;
      const spec = (doc.paths as Record<string, Record<string, any>>)[op.path]![op.method.toLowerCase()];
      const bodySchema = spec.requestBody?.content["application/json"].schema;
      const validBody = bodySchema ? ajv.compile(bodySchema) : () => false;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            hostileText.map((t) => ({ raw: t })),
            anyJson.map((j) => ({ json: j })),
          ),
          fc.string({ maxLength: 40 }),
          async (input, id) => {
            // Only inputs the declared schema refuses, judged as sent (JSON turns Infinity into null).
            if ("json" in input) fc.pre(!validBody(JSON.parse(JSON.stringify(input.json) ?? "null")));
            if ("raw" in input && op.body!.safeParse(undefined).success) fc.pre(input.raw.trim() !== ""); // no body is valid there
            const body = "raw" in input ? input.raw : JSON.stringify(input.json);
            const res = await call(i, { body, path: { id: `rul_${id}`, userId: id || "u" } });
            expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
            expect(errorShape(res.body)).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
    },
    600_000,
  );

  it.each(withQueryOrPath.map(({ op, i }) => [op.operationId, i] as const))(
    `%s: ${RUNS} malformed queries and ids → 4xx in shape`,
    async (_, i) => {
      const op = OPERATIONS[i]!;
      const params = op.query ? Object.keys(op.query.shape) : [];
      const garbage = fc.oneof(
        fc.string(),
        fc.constantFrom("-1", "1e309", "NaN", "0", "99999999999", "2026-13-45", "\u0000", "%00", "<script>"),
        fc.string({ minLength: 300, maxLength: 600 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...(params.length ? params : ["x"])), garbage, { minKeys: 1 }),
          garbage,
          async (query, id) => {
            const q = new URLSearchParams(query).toString();
            if (op.query) fc.pre(!op.query.safeParse(Object.fromEntries(new URLSearchParams(q))).success);
            else fc.pre(op.path.includes("{"));
            const res = await call(i, { query: op.query ? q : undefined, path: { id: `zz_${id}`, userId: `nobody_${id}` } });
            expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
            expect(errorShape(res.body)).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
    },
    600_000,
  );

  it("wrote nothing", async () => {
    const after = await counts();
    // Sign-in side effects aside, every table holds exactly what it held before.
    expect(after).toEqual(before);
  });
});
