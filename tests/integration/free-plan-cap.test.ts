import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearOfUtcTurn } from "../helpers/clock";
import { resetEnvCache } from "@/server/env";
import { assertQuota, flushTrackedRequests, resetTrackedRequests, trackRequest } from "@/server/services/billing/tracked-requests";
import { getBillingOverview } from "@/server/services/billing/manage-billing";
import { setPlanByHand } from "@/server/services/billing/manage-billing";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { openTestDatabase } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { startSmtpServer } from "../helpers/receivers";

describe("the free plan's monthly cap (service, injected time)", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    process.env.TOKENIST_FREE_REQUESTS = "25000";
    resetEnvCache();
    resetTrackedRequests();
  });
  afterAll(async () => {
    delete process.env.TOKENIST_FREE_REQUESTS;
    resetEnvCache();
    await database.close();
  });

  it("answers request 25,001 of a month with 402 and allows the 1st of next month; paid plans never stop", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const lastDay = new Date(Date.UTC(2026, 10, 30, 23, 0)); // 30 November 2026, 23:00 UTC
    for (let i = 0; i < 25_000; i++) {
      if (i % 5_000 === 0) await assertQuota(database.db, ctx.workspaceId, lastDay);
      trackRequest(ctx.workspaceId, lastDay);
    }
    await flushTrackedRequests(database.db, lastDay);
    const refused = assertQuota(database.db, ctx.workspaceId, lastDay);
    await expect(refused).rejects.toMatchObject({ status: 402, code: "quota_exceeded" });
    await expect(refused).rejects.toThrow(/Free plan's 25,000 tracked requests .* not recorded until 2026-12-01/);
    await expect(assertQuota(database.db, ctx.workspaceId, new Date(Date.UTC(2026, 11, 1, 0, 0)))).resolves.toBeUndefined();
    await setPlanByHand({ ctx, input: { plan: "starter" } });
    await expect(assertQuota(database.db, ctx.workspaceId, lastDay)).resolves.toBeUndefined();
    const overview = await getBillingOverview({ ctx, now: lastDay });
    expect(overview).toMatchObject({ effectivePlan: "starter", usage: { requests: 25_000, included: 150_000 }, overageUsd: 0 });
  });
});

describe("the free plan's cap over HTTP, with a small configured cap", () => {
  let app: RunningApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    // The cap is per calendar month of the server's clock: not across a month's end.
    await clearOfUtcTurn(["month"]);
    smtp = await startSmtpServer();
    app = await startApp({ env: { TOKENIST_FREE_REQUESTS: "5", SMTP_URL: smtp.url } });
  }, 300_000);
  afterAll(async () => {
    await app?.dispose();
    await smtp?.close();
  });

  it("serves 5 tracked requests, then checks keep deciding and records and logs answer 402; the owner is e-mailed at 80% and 100% once", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await callApi(app, "/sdk/check", { body: { userId: `u${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const check = await callApi(app, "/sdk/check", { body: { userId: "u" } });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ allowed: true, checkId: null, quota: { exceeded: true } });
    for (const [path, body] of [
      ["/sdk/record", { model: "gpt-4o-mini", usage: { prompt_tokens: 1, completion_tokens: 1 } }],
      ["/sdk/log", { request: {} }],
    ] as const) {
      const res = await callApi(app, path, { body });
      expect(res.status).toBe(402);
      expect(res.body.error).toMatchObject({
        code: "quota_exceeded",
        message: expect.stringMatching(
          /Free plan's 5 tracked requests for this month are used up: checks go on enforcing .* until \d{4}-\d{2}-01/,
        ),
      });
    }
    const deadline = Date.now() + 15_000;
    while (smtp.messages.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      smtp.messages.map((m) => m.to),
      app.logs().slice(-3000),
    ).toEqual([["owner@example.com"], ["owner@example.com"]]);
    const subjects = smtp.messages.map((m) => /Subject: (.*)/.exec(m.raw)?.[1]).sort();
    expect(subjects).toEqual(
      ["[Tokenist] 80% of this month's requests used", "[Tokenist] Your Free plan requests for this month are used up"].sort(),
    );
  });
});
