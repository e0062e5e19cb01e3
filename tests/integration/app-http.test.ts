import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import path from "node:path";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";

/** Count identity rows straight from the app's database (PGlite only while the app is stopped). */
async function countIdentityRows(app: RunningApp) {
  const q = `select (select count(*) from members)::int as members, (select count(*) from workspaces)::int as workspaces,
    (select count(*) from api_keys)::int as keys`;
  if (app.databaseUrl) {
    const sql = postgres(app.databaseUrl, { max: 1 });
    const [row] = await sql.unsafe(q);
    await sql.end();
    return row;
  }
  const pg = await PGlite.create(path.join(app.dataDir, "pglite"));
  const { rows } = await pg.query(q);
  await pg.close();
  return rows[0];
}

describe.each(TEST_DRIVERS)("the production server on %s", (driver) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ driver });
  }, 120_000);
  afterAll(() => app?.dispose());

  it("reports health with its driver, migrations and version", async () => {
    const res = await callApi(app, "/api/health", { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", driver, version: expect.any(String) });
    expect(res.body.migrations).toBeGreaterThan(0);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("answers /sdk/check with the documented shape for the headless key", async () => {
    const res = await callApi(app, "/sdk/check", { body: { userId: "user_abc123", feature: "support-bot" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      allowed: true,
      labels: ["safe"],
      contentLabels: [],
      reason: null,
      message: null,
      retryAfterSeconds: null,
      blockedUntil: null,
      limits: [],
      actions: [],
      checkId: expect.stringMatching(/^chk_/),
      quota: { exceeded: false, resetsAt: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00/) },
    });
  });

  it("rejects missing, malformed, unknown keys with 401 in the error shape", async () => {
    for (const key of [null, "nope", "ug_thisKeyDoesNotExist000000"]) {
      const res = await callApi(app, "/sdk/check", { body: { userId: "u" }, key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("rejects invalid JSON (400), invalid input (400) and oversize bodies (413)", async () => {
    const bad = await callApi(app, "/sdk/check", { body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_json");
    const missing = await callApi(app, "/sdk/check", { body: { orgId: "o" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "invalid_request", message: "userId is required" });
    const huge = await callApi(app, "/sdk/log", { body: { request: "x".repeat(1_100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");
  });

  it("counts the same requestId sent 50 times in parallel once", async () => {
    const body = { userId: "u50", model: "gpt-4o-mini", requestId: "req_50", usage: { prompt_tokens: 812, completion_tokens: 95 } };
    const answers = await Promise.all(Array.from({ length: 50 }, () => callApi(app, "/sdk/record", { body })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(answers.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
    // Idempotency-Key works the same when no requestId is sent.
    const { requestId: _, ...noId } = body;
    const headers = { "idempotency-key": "idem-1" };
    const first = await callApi(app, "/sdk/record", { body: noId, headers });
    const retry = await callApi(app, "/sdk/record", { body: noId, headers });
    expect([first.body.duplicate, retry.body.duplicate]).toEqual([false, true]);
    const unknown = await callApi(app, "/sdk/record", { body: { model: "no-such-model", usage: { inputTokens: 3, outputTokens: 1 } } });
    expect(unknown.body).toMatchObject({ costUsd: 0, warnings: ["unknown_model_price"] });
  });

  it("restarting twice creates no duplicate member, workspace or key", async () => {
    await app.restart();
    await app.restart();
    await app.stop();
    expect(await countIdentityRows(app)).toEqual({ members: 1, workspaces: 1, keys: 1 });
    await app.restart();
    expect((await callApi(app, "/sdk/check", { body: { userId: "u" } })).status).toBe(200);
  }, 180_000);
});

describe("an unreachable database", () => {
  it("keeps the server up and answers /api/health 503 in the documented shape", async () => {
    const app = await startApp({ databaseUrl: "postgres://postgres@127.0.0.1:1/nothing_here", expectHealthy: false });
    try {
      const health = await callApi(app, "/api/health", { key: null });
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: "unavailable", driver: "postgres", migrations: null });
      const check = await callApi(app, "/sdk/check", { body: { userId: "u" } });
      expect(check.status).toBe(500);
      expect(check.body).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
      expect(JSON.stringify(check.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at /);
    } finally {
      await app.dispose();
    }
  }, 120_000);
});
