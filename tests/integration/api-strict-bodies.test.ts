import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { SAMPLES, type Ids } from "../helpers/openapi-samples";
import { startStripeStandIn } from "../helpers/stripe-standin";

/** What a write could change: every collection and the workspace, read back through the API. */
const STATE = [
  "/api/v1/rules",
  "/api/v1/blocklist?includeExpired=true",
  "/api/v1/label-policies",
  "/api/v1/custom-labels",
  "/api/v1/alert-channels",
  "/api/v1/alerts",
  "/api/v1/alert-deliveries",
  "/api/v1/api-keys",
  "/api/v1/workspace",
  "/api/v1/members",
  "/api/v1/invitations",
];

/** A typo of the body's own last field, as a person would make it ("limit" → "limitt"). */
function typoOf(body: Record<string, unknown>): string {
  const last = Object.keys(body).at(-1);
  return last ? `${last}${last.at(-1)}` : "unexpected";
}

/** Strict bodies, end to end: the real server, every writing /api/v1 operation of its OpenAPI document. */
describe("strict /api/v1 bodies over HTTP", () => {
  let app: RunningApp;
  let paid: RunningApp;
  let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
  const ops = new Map<string, { method: string; path: string }>();
  beforeAll(async () => {
    app = await startApp({
      driver: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
      // Enterprise: alerts, webhooks and SSO are available. The state reads below outnumber the default rate limit.
      env: { TOKENIST_INIT_PLAN: "enterprise", TOKENIST_SSO_ALLOW_INSECURE: "1", TOKENIST_API_RATE_LIMIT: "100000" },
    });
    // Checkout and portal need billing on: a second app, Stripe pointed at the stand-in.
    stripe = await startStripeStandIn();
    paid = await startApp({
      driver: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
      env: { STRIPE_SECRET_KEY: "sk_test_standin", STRIPE_API_URL: stripe.url },
    });
    const doc = (await callApi(app, "/api/v1/openapi.json", { key: null })).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, spec] of Object.entries(methods)) ops.set(spec.operationId, { method: method.toUpperCase(), path });
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([app?.dispose(), paid?.dispose()]);
    await stripe?.close();
  });

  const snapshot = async () => {
    const state: Record<string, unknown> = {};
    for (const path of STATE) {
      const res = await callApi(app, path);
      expect(res.status, path).toBe(200);
      // The key making these calls is used by them: when is not state a write could change.
      state[path] = JSON.parse(JSON.stringify(res.body), (k, v) => (k === "lastUsedAt" ? undefined : v));
    }
    return state;
  };

  it("answers an unknown field on every POST/PATCH/PUT with 400 naming it, and changes nothing", async () => {
    const writes = [...ops]
      .filter(([, op]) => op.path.startsWith("/api/v1/") && ["POST", "PATCH", "PUT"].includes(op.method))
      .map(([id]) => id);
    expect(writes.length).toBeGreaterThanOrEqual(15);
    const ids: Ids = {};
    const swept = new Set<string>();
    for (const sample of SAMPLES) {
      const op = ops.get(sample.operationId)!;
      await sample.before?.(ids, app);
      const path = sample.path(ids) + (sample.query ? `?${new URLSearchParams(sample.query)}` : "");
      const body = sample.body?.(ids) as Record<string, unknown> | undefined;
      if (writes.includes(sample.operationId) && !swept.has(sample.operationId)) {
        const field = typoOf(body ?? {});
        const before = await snapshot();
        const bad = await callApi(sample.billingOn ? paid : app, path, { method: op.method, body: { ...body, [field]: "oops" } });
        expect(bad.status, `${sample.operationId}: ${JSON.stringify(bad.body)}`).toBe(400);
        expect(bad.body.error, sample.operationId).toMatchObject({ code: "invalid_request", message: `Unknown field "${field}"` });
        expect(await snapshot(), `${sample.operationId} changed something`).toEqual(before);
        swept.add(sample.operationId);
      }
      // Then the sample as it is: it still works, and creates what later samples name.
      const res = await callApi(sample.billingOn ? paid : app, path, { method: op.method, body });
      expect(res.status, `${sample.operationId}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(300);
      sample.keep?.(res.body, ids);
    }
    expect([...swept].sort()).toEqual([...writes].sort());
  }, 180_000);

  it("rules keep their filters: create, GET, PATCH, and an unknown filter key is refused by name", async () => {
    const created = await callApi(app, "/api/v1/rules", {
      body: {
        name: "Free users: $1 a day on gpt-4o",
        scope: "user",
        match: null,
        filters: { tier: "free", model: "gpt-4o" },
        metric: "cost_usd",
        window: "day",
        limit: 1,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.filters).toEqual({ tier: "free", model: "gpt-4o" });
    const id = created.body.id as string;
    expect((await callApi(app, `/api/v1/rules/${id}`)).body.filters).toEqual({ tier: "free", model: "gpt-4o" });

    const patched = await callApi(app, `/api/v1/rules/${id}`, { method: "PATCH", body: { filters: { feature: "chat" } } });
    expect(patched.status).toBe(200);
    expect(patched.body.filters).toEqual({ feature: "chat" });

    const typo = await callApi(app, `/api/v1/rules/${id}`, { method: "PATCH", body: { filters: { featur: "search" } } });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ code: "invalid_request", message: 'Unknown field "filters.featur"' });
    const segment = await callApi(app, "/api/v1/rules", {
      body: { name: "s", scope: "user", filters: { segment: "whales" }, metric: "requests", window: "day", limit: 1 },
    });
    expect(segment.status).toBe(400);
    expect(segment.body.error.message).toMatch(/^filters\.segment: segment must be a segment id/);
    expect((await callApi(app, `/api/v1/rules/${id}`)).body.filters).toEqual({ feature: "chat" });

    const cleared = await callApi(app, `/api/v1/rules/${id}`, { method: "PATCH", body: { filters: null } });
    expect(cleared.body.filters).toBeNull();
  });

  it("a refused typo does not use up its Idempotency-Key: the corrected body with the same key runs", async () => {
    const headers = { "idempotency-key": "typo-then-fixed" };
    const rule = { name: "Fixed typo", scope: "workspace", metric: "requests", window: "hour" };
    const typo = await callApi(app, "/api/v1/rules", { body: { ...rule, limitt: 5 }, headers });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toBe('Unknown field "limitt"');
    const fixed = await callApi(app, "/api/v1/rules", { body: { ...rule, limit: 5 }, headers });
    expect(fixed.status).toBe(201);
    expect(fixed.body).toMatchObject({ name: "Fixed typo", limit: 5 });
  });

  it("label policies keep their stage: create with check, GET, PATCH back to record", async () => {
    const created = await callApi(app, "/api/v1/label-policies", {
      body: {
        name: "Deny jailbreaks at once",
        label: "jailbreak",
        minCount: 1,
        windowSeconds: 3600,
        action: "block",
        durationSeconds: 600,
        stage: "check",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.stage).toBe("check");
    const id = created.body.id as string;
    expect((await callApi(app, `/api/v1/label-policies/${id}`)).body.stage).toBe("check");
    const patched = await callApi(app, `/api/v1/label-policies/${id}`, { method: "PATCH", body: { stage: "record" } });
    expect(patched.body.stage).toBe("record");
    const bad = await callApi(app, `/api/v1/label-policies/${id}`, { method: "PATCH", body: { stage: "sometimes" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^stage:/);
  });
});
