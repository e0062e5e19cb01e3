import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearOfUtcTurn } from "../helpers/clock";
import { openDatabase, type Database } from "@/db/client";
import { resetEnvCache } from "@/server/env";
import { createAlert } from "@/server/services/alerts/manage-alerts";
import { createChannel } from "@/server/services/alerts/manage-channels";
import { verifyWebhook } from "@/server/services/channels/signature";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { resolveApiKey } from "@/server/services/api-keys/resolve-api-key";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { createTestDatabaseUrl, dropTestDatabase } from "../helpers/db";
import { startHttpReceiver, startSmtpServer } from "../helpers/receivers";

async function waitFor(probe: () => boolean, timeoutMs = 20_000) {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The real server's in-process background worker, on Postgres (the test writes the
// channels and alerts through the services on the same database).
describe.runIf(process.env.TEST_DATABASE_URL)("background work in the running app", () => {
  let app: RunningApp;
  let database: Database;
  let databaseUrl: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let secret: string;
  beforeAll(async () => {
    // A rolling day's threshold fires once per UTC day of the server's clock: across midnight,
    // the later calls would cross 80% again.
    await clearOfUtcTurn(["day"]);
    [smtp, slack, hook] = await Promise.all([startSmtpServer(), startHttpReceiver(), startHttpReceiver()]);
    databaseUrl = await createTestDatabaseUrl();
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1"; // for createChannel in this process
    resetEnvCache();
    app = await startApp({ databaseUrl, env: { SMTP_URL: smtp.url, TOKENIST_ALLOW_PRIVATE_WEBHOOKS: "1", TOKENIST_INIT_PLAN: "growth" } });
    database = await openDatabase({ url: databaseUrl, max: 2 });
    const { workspaceId } = await resolveApiKey(database.db, app.apiKey);
    const ctx = { db: database.db, workspaceId, actor: { type: "system" as const, id: null } };
    await createChannel({ ctx, input: { type: "email", name: "mail", to: ["ops@example.com"] } });
    await createChannel({ ctx, input: { type: "slack", name: "slack", url: slack.url } });
    secret = (await createChannel({ ctx, input: { type: "webhook", name: "hook", url: hook.url } })).config.secret as string;
    const rule = await createRule({
      ctx,
      input: { name: "Per-user daily", scope: "user", metric: "requests", window: "day", limit: 5, action: "alert" },
    });
    await createAlert({ ctx, input: { name: "Per-user budget", ruleId: rule.id, percentages: [80, 100] } });
  }, 420_000);
  afterAll(async () => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
    await app?.dispose();
    await database?.close();
    await dropTestDatabase(databaseUrl);
    await Promise.all([smtp.close(), slack.close(), hook.close()]);
  });

  const record = (userId: string, i: number) =>
    callApi(app, "/sdk/record", {
      body: { userId, model: "gpt-4o-mini", requestId: `${userId}-${i}`, usage: { prompt_tokens: 3, completion_tokens: 1 } },
    });

  it("traffic crossing 80% then 100% reaches mail, Slack and the webhook once each", async () => {
    for (let i = 0; i < 4; i++) expect((await record("alice", i)).status).toBe(200);
    await waitFor(() => hook.requests.length === 1 && slack.requests.length === 1 && smtp.messages.length === 1);
    for (let i = 4; i < 8; i++) await record("alice", i);
    await waitFor(() => hook.requests.length === 2 && slack.requests.length === 2 && smtp.messages.length === 2);
    await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives
    expect([hook.requests.length, slack.requests.length, smtp.messages.length]).toEqual([2, 2, 2]);
    expect(hook.requests.map((r) => JSON.parse(r.body).threshold)).toEqual(["80%", "100%"]);
    for (const r of hook.requests) expect(verifyWebhook(secret, r.body, r.headers["tokenist-signature"] as string)).toBe(true);
  });

  it("a killed process loses nothing: entries committed while delivery failed arrive after restart, each once", async () => {
    hook.setStatus(503);
    const before = hook.requests.length;
    for (const user of ["bob", "carol", "dave"]) for (let i = 0; i < 4; i++) await record(user, i); // 80% for each
    await waitFor(() => hook.requests.length >= before + 3, 30_000); // tried and failed
    await app.crash();
    hook.setStatus(200);
    const failedTries = hook.requests.length;
    await app.restart();
    // Entries in back-off come due within seconds; one claimed at the moment of the kill waits
    // out its 30 s lease.
    await waitFor(() => hook.requests.slice(failedTries).length >= 3, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const delivered = hook.requests
      .slice(failedTries)
      .map((r) => JSON.parse(r.body).subject.key)
      .sort();
    expect(delivered).toEqual(["bob", "carol", "dave"]);
  }, 150_000);
});
