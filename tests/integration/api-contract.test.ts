import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { SAMPLES, type Ids } from "../helpers/openapi-samples";
import { startStripeStandIn } from "../helpers/stripe-standin";

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

/** Every operation of /api/v1/openapi.json, called against the running app, answer validated against its schema. */
describe("the OpenAPI contract", () => {
  let app: RunningApp;
  let paid: RunningApp;
  let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
  let doc: Doc;
  const ops = new Map<string, { method: string; path: string; spec: any }>();
  beforeAll(async () => {
    const driver = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
    // Checkout and portal need billing on: a second app, Stripe pointed at the stand-in.
    stripe = await startStripeStandIn();
    [app, paid] = await Promise.all([
      startApp({ driver, env: { TOKENIST_INIT_PLAN: "enterprise", TOKENIST_SSO_ALLOW_INSECURE: "1" } }),
      startApp({ driver, env: { STRIPE_SECRET_KEY: "sk_test_standin", STRIPE_API_URL: stripe.url } }),
    ]);
    const res = await callApi(app, "/api/v1/openapi.json", { key: null });
    expect(res.status).toBe(200);
    doc = res.body;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, spec] of Object.entries(methods)) ops.set(spec.operationId, { method: method.toUpperCase(), path, spec });
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([app?.dispose(), paid?.dispose()]);
    await stripe?.close();
  });

  it("is OpenAPI 3.1 and has a sample for every operation", () => {
    expect(doc).toMatchObject({ openapi: "3.1.0" });
    expect(ops.size).toBeGreaterThanOrEqual(40);
    const sampled = new Set(SAMPLES.map((s) => s.operationId));
    expect([...ops.keys()].filter((id) => !sampled.has(id))).toEqual([]);
  });

  it("answers every operation with a body that validates against the declared schema", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const ids: Ids = {};
    const seen = new Set<string>();
    for (const sample of SAMPLES) {
      const op = ops.get(sample.operationId)!;
      await sample.before?.(ids, app);
      const path = sample.path(ids) + (sample.query ? `?${new URLSearchParams(sample.query)}` : "");
      const res = await callApi(sample.billingOn ? paid : app, path, {
        method: op.method,
        body: sample.body?.(ids) ?? (op.method === "POST" ? undefined : undefined),
      });
      const [status, answer] = Object.entries(op.spec.responses).find(([code]) => code.startsWith("2")) as [string, any];
      expect(res.status, `${sample.operationId}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(Number(status));
      if (answer.content["application/json"]) {
        const validate = ajv.compile(answer.content["application/json"].schema);
        const valid = validate(res.body);
        expect(valid, `${sample.operationId}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      } else {
        expect(res.headers.get("content-type")).toContain("text/csv");
        expect(String(res.body).split("\n")[0]).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
      }
      if (op.path.startsWith("/api/v1")) expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
      sample.keep?.(res.body, ids);
      seen.add(sample.operationId);
    }
    expect(seen.size).toBe(ops.size);
  }, 120_000);

  it("answers errors in the documented shape", async () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(doc.components.schemas.Error as object);
    for (const [path, init] of [
      ["/api/v1/rules", { body: { name: "x" } }],
      ["/api/v1/rules/rul_nope", {}],
      ["/api/v1/usage?from=yesterday", {}],
      ["/api/v1/events?limit=0", {}],
    ] as const) {
      const res = await callApi(app, path, init);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(validate(res.body), `${path}: ${JSON.stringify(res.body)}`).toBe(true);
    }
  });

  it("replays a POST retried with the same Idempotency-Key instead of acting twice", async () => {
    const body = { name: "Idempotent", scope: "workspace", metric: "requests", window: "hour", limit: 5 };
    const headers = { "idempotency-key": "create-rule-once" };
    const first = await callApi(app, "/api/v1/rules", { body, headers });
    const retry = await callApi(app, "/api/v1/rules", { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const other = await callApi(app, "/api/v1/rules", { body: { ...body, limit: 6 }, headers });
    expect(other.status).toBe(409);
    const rules = await callApi(app, "/api/v1/rules");
    expect(rules.body.data.filter((r: { name: string }) => r.name === "Idempotent")).toHaveLength(1);
  });
});
