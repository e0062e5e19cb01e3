import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { SAMPLES, type Ids } from "../helpers/openapi-samples";
import { signUpWithKey } from "../helpers/session";

type Op = { method: string; path: string; operationId: string; scope: string };

/** Every route: no key, a revoked key, a key without the scope, and another workspace's ids. */
describe("security of every route", () => {
  let app: RunningApp;
  let ops: Op[];
  let owner: { baseUrl: string; apiKey: string };
  let other: { baseUrl: string; apiKey: string };
  const ids: Ids = {};
  beforeAll(async () => {
    app = await startApp({
      driver: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
      env: { TOKENIST_INIT_PLAN: "enterprise", TOKENIST_SSO_ALLOW_INSECURE: "1", TOKENIST_BAD_KEY_LIMIT: "100000" },
    });
    const doc = (await callApi(app, "/api/v1/openapi.json", { key: null })).body;
    ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, spec]) => ({
        method: method.toUpperCase(),
        path,
        operationId: spec.operationId,
        scope: /`(\w+)` scope/.exec(spec.description)![1]!,
      })),
    );
    owner = { baseUrl: app.baseUrl, apiKey: app.apiKey };
    // Every scope, admin too: the intruder's key passes the scope check and meets the workspace boundary.
    other = {
      baseUrl: app.baseUrl,
      apiKey: (await signUpWithKey(app.baseUrl, "intruder@example.com", ["sdk", "read", "write", "admin"])).apiKey,
    };
    // The owner's resources, made through the samples' create operations.
    for (const s of SAMPLES.filter((s) =>
      /^(record|createRule|createBlock|createAlertChannel|createAlert|createApiKey|createLabelPolicy|createCustomLabel|setModelPrice|listMembers|createInvitation)$/.test(
        s.operationId,
      ),
    )) {
      const op = ops.find((o) => o.operationId === s.operationId)!;
      const res = await callApi(owner, s.path(ids), { method: op.method, body: s.body?.(ids) });
      expect(res.status).toBeLessThan(300);
      s.keep?.(res.body, ids);
    }
    ids.logId = "log_00000000000000000000000000";
  }, 120_000);
  afterAll(() => app?.dispose());

  const concrete = (op: Op, id = "x") =>
    op.path
      .replace(
        "{id}",
        {
          "/api/v1/rules/{id}": ids.ruleId,
          "/api/v1/rules/{id}/shadow": ids.ruleId,
          "/api/v1/blocklist/{id}": ids.blockId,
          "/api/v1/alert-channels/{id}": ids.channelId,
          "/api/v1/alert-channels/{id}/test": ids.channelId,
          "/api/v1/alerts/{id}": ids.alertId,
          "/api/v1/events/{id}": ids.eventId,
          "/api/v1/api-keys/{id}": ids.keyId,
          "/api/v1/logs/{id}": ids.logId,
          "/api/v1/label-policies/{id}": ids.policyId,
          "/api/v1/custom-labels/{id}": ids.customLabelId,
          "/api/v1/segments/{id}": ids.segmentId,
          "/api/v1/members/{id}": ids.ownerMemberId,
          "/api/v1/invitations/{id}": ids.invitationId,
        }[op.path] ?? id,
      )
      .replace("{userId}", "contract_user")
      .replace("{model}", "acme-llm-1");

  it("refuses every route without a key, with a malformed key and with a revoked key (401)", async () => {
    const revoked = await callApi(owner, "/api/v1/api-keys", { body: { name: "soon revoked", scopes: ["sdk", "read", "write"] } });
    expect((await callApi(owner, `/api/v1/api-keys/${revoked.body.id}`, { method: "DELETE" })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100)); // past the key cache of every process
    for (const op of ops) {
      for (const key of [null, "ug_notarealkey000000000000", revoked.body.key]) {
        const res = await callApi(app, concrete(op), {
          method: op.method,
          body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
          key,
        });
        expect(res.status, `${op.operationId} with ${key ? "bad key" : "no key"}`).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      }
    }
  });

  it("refuses management routes to an sdk-only key, writes to a read-only key, and admin routes to a key without `admin` (403)", async () => {
    const sdkKey = (await callApi(owner, "/api/v1/api-keys", { body: { name: "sdk", scopes: ["sdk"] } })).body.key;
    const readKey = (await callApi(owner, "/api/v1/api-keys", { body: { name: "read", scopes: ["read"] } })).body.key;
    const writeKey = (await callApi(owner, "/api/v1/api-keys", { body: { name: "rw", scopes: ["sdk", "read", "write"] } })).body.key;
    expect(ops.filter((o) => o.scope === "admin").length).toBeGreaterThanOrEqual(9);
    for (const op of ops) {
      const body = op.method === "GET" || op.method === "DELETE" ? undefined : {};
      if (op.scope !== "sdk") {
        const res = await callApi(app, concrete(op), { method: op.method, body, key: sdkKey });
        expect(res.status, `${op.operationId} with an sdk key`).toBe(403);
        expect(res.body.error.code).toBe("forbidden");
      }
      if (op.scope !== "read") {
        const res = await callApi(app, concrete(op), { method: op.method, body, key: readKey });
        expect(res.status, `${op.operationId} with a read key`).toBe(403);
      }
      if (op.scope === "admin") {
        const res = await callApi(app, concrete(op), { method: op.method, body, key: writeKey });
        expect(res.status, `${op.operationId} with an sdk+read+write key`).toBe(403);
        expect(res.body.error.message).toContain('"admin" scope');
      }
    }
    // and the rule the owner made is untouched
    expect((await callApi(owner, `/api/v1/rules/${ids.ruleId}`)).body).toMatchObject({ limit: 20, enabled: true });
  });

  it("answers 404 to another workspace's ids on every route that takes one, and changes nothing", async () => {
    const bodies: Record<string, unknown> = {
      updateRule: { limit: 1 },
      updateAlertChannel: { enabled: false },
      updateAlert: { enabled: false },
      updateLabelPolicy: { enabled: true },
      updateCustomLabel: { description: "hijacked" },
      updateSegment: { name: "hijacked" },
      changeMemberRole: { role: "viewer" },
    };
    const lists = [
      "/api/v1/rules",
      "/api/v1/blocklist",
      "/api/v1/alert-channels",
      "/api/v1/alerts",
      "/api/v1/api-keys",
      "/api/v1/label-policies",
      "/api/v1/custom-labels",
      "/api/v1/segments",
      "/api/v1/model-prices",
      "/api/v1/members",
      "/api/v1/invitations",
    ];
    const before = await Promise.all(lists.map((p) => callApi(owner, p)));
    // A model the owner priced is another workspace's to price too (PUT is its own upsert), never to delete.
    for (const op of ops.filter((o) => o.path.includes("{id}") || (o.path.includes("{model}") && o.method === "DELETE"))) {
      const res = await callApi(other, concrete(op), {
        method: op.method,
        body: op.method === "GET" || op.method === "DELETE" ? undefined : (bodies[op.operationId] ?? {}),
      });
      expect(res.status, `${op.operationId} on another workspace's id`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // The other workspace sees none of the owner's end users or events.
    expect((await callApi(other, "/api/v1/end-users/contract_user")).status).toBe(404);
    expect((await callApi(other, "/api/v1/end-users/contract_user/tier", { method: "PUT", body: { tier: "pro" } })).status).toBe(404);
    expect((await callApi(other, "/api/v1/events")).body.data).toEqual([]);
    expect((await callApi(other, "/api/v1/usage?dimension=user&key=contract_user")).body.totals.requests).toBe(0);
    const after = await Promise.all(lists.map((p) => callApi(owner, p)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
  });
});
