import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { alertDeliveries, outbox } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { resetEmailTransport } from "@/server/services/channels/send";
import { createAlert } from "@/server/services/alerts/manage-alerts";
import { createChannel, listDeliveries, sendTestMessage } from "@/server/services/alerts/manage-channels";
import { verifyWebhook } from "@/server/services/channels/signature";
import { drainOutbox } from "@/server/events/outbox";
import type { ServiceCtx } from "@/server/services/context";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { startHttpReceiver, startSmtpServer } from "../helpers/receivers";

let seq = 0;

describe.each(TEST_DRIVERS)("threshold alerts through the in-process outbox on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    [smtp, slack, hook] = await Promise.all([startSmtpServer(), startHttpReceiver(), startHttpReceiver()]);
    process.env.SMTP_URL = smtp.url;
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1"; // the receivers are on loopback
    resetEnvCache();
    resetEmailTransport();
  });
  afterAll(async () => {
    delete process.env.SMTP_URL;
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
    await Promise.all([smtp.close(), slack.close(), hook.close(), database.close()]);
  });

  const record = (ctx: ServiceCtx, userId: string) =>
    recordEvent({
      ctx,
      input: { userId, model: "gpt-4o-mini", requestId: `a${++seq}`, usage: { prompt_tokens: 10, completion_tokens: 1 } },
    });

  it("crossing 80% and then 100% sends exactly one alert of each to e-mail, Slack and a signed webhook", async () => {
    // A frozen clock (Date only): a rolling day's threshold fires once per UTC day, so in a run that
    // straddles midnight the 80% the later calls still reach would fire a second time.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      const { ctx } = await createTestWorkspace(database.db, "Alerts", "growth");
      const email = await createChannel({ ctx, input: { type: "email", name: "On-call", to: ["oncall@example.com"] } });
      await createChannel({ ctx, input: { type: "slack", name: "#alerts", url: slack.url } });
      const webhook = await createChannel({ ctx, input: { type: "webhook", name: "Ops hook", url: hook.url } });
      const secret = webhook.config.secret as string;
      expect(secret).toMatch(/^whsec_/);
      const rule = await createRule({
        ctx,
        input: { name: "Daily requests", scope: "user", metric: "requests", window: "day", limit: 10 },
      });
      await createAlert({ ctx, input: { name: "Daily budget", ruleId: rule.id, percentages: [80, 100] } });
      const [mails0, slack0, hook0] = [smtp.messages.length, slack.requests.length, hook.requests.length];

      for (let i = 0; i < 7; i++) await record(ctx, "alice");
      await drainOutbox(database.db);
      expect(hook.requests.length - hook0).toBe(0); // 70%: nothing yet

      for (let i = 0; i < 2; i++) await record(ctx, "alice"); // 90%
      await drainOutbox(database.db);
      expect([smtp.messages.length - mails0, slack.requests.length - slack0, hook.requests.length - hook0]).toEqual([1, 1, 1]);

      for (let i = 0; i < 4; i++) {
        await record(ctx, "alice"); // up to 130%, the background work keeping pace
        await drainOutbox(database.db);
      }
      await drainOutbox(database.db); // delivering again changes nothing
      expect([smtp.messages.length - mails0, slack.requests.length - slack0, hook.requests.length - hook0]).toEqual([2, 2, 2]);

      const hooks = hook.requests.slice(hook0);
      for (const r of hooks) expect(verifyWebhook(secret, r.body, r.headers["tokenist-signature"] as string)).toBe(true);
      expect(hooks.map((r) => JSON.parse(r.body).threshold)).toEqual(["80%", "100%"]);
      expect(JSON.parse(hooks[1]!.body)).toMatchObject({
        type: "limit.crossed",
        subject: { dimension: "user", key: "alice" },
        used: 10,
        limit: 10,
      });
      expect(smtp.messages.slice(mails0)[0]!.to).toEqual(["oncall@example.com"]);
      expect(smtp.messages.slice(mails0)[0]!.raw).toContain("Daily budget: user alice reached 80% of 10 requests");
      expect(JSON.parse(slack.requests[slack0]!.body).text).toContain("user alice reached 80%");

      // Every delivery is in the log with the receiver's answer.
      const log = await listDeliveries({ ctx, channelId: email.id });
      expect(log.map((d) => d.status)).toEqual(["sent", "sent"]);
      const test = await sendTestMessage({ ctx, id: webhook.id });
      expect(test).toMatchObject({ status: "sent", responseStatus: 200 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("delivers entries committed while delivery was failing after a restart, each once", async () => {
    const { ctx } = await createTestWorkspace(database.db, "Alerts", "growth");
    await createChannel({ ctx, input: { type: "webhook", name: "flaky", url: hook.url } });
    const rule = await createRule({ ctx, input: { name: "tiny", scope: "user", metric: "requests", window: "day", limit: 1 } });
    await createAlert({ ctx, input: { name: "tiny alert", ruleId: rule.id, percentages: [100] } });
    hook.setStatus(500);
    const before = hook.requests.length;
    for (const user of ["u1", "u2", "u3"]) await record(ctx, user);
    await drainOutbox(database.db); // the crossings are fired, but every delivery fails
    const failing = hook.requests.length - before;
    expect(failing).toBe(3);
    const pending = await database.db.select().from(outbox).where(eq(outbox.name, "tokenist/limit.crossed"));
    expect(pending.filter((p) => p.workspaceId === ctx.workspaceId && !p.deliveredAt)).toHaveLength(3);

    // "Restart": the receiver recovers, a fresh drain (as at start-up) finds the entries due.
    hook.setStatus(200);
    await database.db.execute(sql`update outbox set next_attempt_at = now() where delivered_at is null`);
    await drainOutbox(database.db);
    await drainOutbox(database.db);
    const succeeded = hook.requests.slice(before + failing);
    expect(succeeded.map((r) => JSON.parse(r.body).subject.key).sort()).toEqual(["u1", "u2", "u3"]);
    const deliveries = await database.db.select().from(alertDeliveries).where(eq(alertDeliveries.workspaceId, ctx.workspaceId));
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ["sent", 2],
      ["sent", 2],
      ["sent", 2],
    ]);
  });
});
