import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { alertChannels, alertDeliveries, outbox, workspaces } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { deliverOnce } from "@/server/services/alerts/deliver";
import { deliverCrossing } from "@/server/services/alerts/deliver-crossing";
import { fireOnce, type Crossing } from "@/server/events/publish";
import { createChannel, sendTestMessage } from "@/server/services/alerts/manage-channels";
import { DELIVERY_LIMITS } from "@/server/lib/safe-request";
import { resetTestMessageLimit } from "@/server/services/alerts/test-message-limit";
import { processOutbox, runHandlers } from "@/server/events/outbox";
import { setPlanByHand } from "@/server/services/billing/manage-billing";
import { SYSTEM, type ServiceCtx } from "@/server/services/context";
import { ForbiddenError } from "@/server/services/errors";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { startEndlessReceiver, startHttpReceiver } from "../helpers/receivers";

const DEADLINE_MS = 1_000;
let seq = 0;

const crossing = (workspaceId: string): Crossing => ({
  workspaceId,
  sourceType: "alert",
  sourceId: `alr_test${++seq}`,
  name: "Budget",
  subject: { dimension: "user", key: `u${seq}` },
  metric: "requests",
  window: "day",
  threshold: "100",
  used: 100,
  limit: 100,
  at: new Date(),
});

describe.each(TEST_DRIVERS)("alert delivery: deadlines, claims and plan gates on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const saved = { ...DELIVERY_LIMITS };
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1"; // the receivers are on loopback
    resetEnvCache();
  });
  afterEach(() => {
    Object.assign(DELIVERY_LIMITS, saved);
    resetTestMessageLimit();
  });
  afterAll(async () => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
    await database.close();
  });

  const deliveriesOf = (ctx: ServiceCtx) =>
    database.db.select().from(alertDeliveries).where(eq(alertDeliveries.workspaceId, ctx.workspaceId));
  const channelRow = async (id: string) => (await database.db.select().from(alertChannels).where(eq(alertChannels.id, id)))[0]!;
  const message = { subject: "s", text: "t", payload: { type: "test" } };

  it("M1: a receiver that trickles one byte a second is cut off at the delivery deadline, and a later outbox entry is still delivered", async () => {
    DELIVERY_LIMITS.deadlineMs = DEADLINE_MS; // injected: the production deadline is 10 s
    const slow = await startEndlessReceiver("trickle", 1_000);
    const hook = await startHttpReceiver();
    try {
      const a = await createTestWorkspace(database.db, "Slow receiver", "growth");
      const b = await createTestWorkspace(database.db, "Fine receiver", "growth");
      await createChannel({ ctx: a.ctx, input: { type: "webhook", name: "trickle", url: slow.url } });
      await createChannel({ ctx: b.ctx, input: { type: "webhook", name: "fine", url: hook.url } });
      await fireOnce(database.db, crossing(a.ctx.workspaceId));
      await fireOnce(database.db, crossing(b.ctx.workspaceId)); // the later entry

      // The receiver would go on for ever: the pass ends because the deadline cut it off (its
      // error names the deadline), not because a timer in the test ran out.
      const result = await processOutbox(database.db, runHandlers);

      expect(result).toEqual({ delivered: 1, failed: 1 });
      expect(hook.requests).toHaveLength(1);
      const [failed] = await deliveriesOf(a.ctx);
      expect(failed).toMatchObject({ status: "failed", attempts: 1, deliveredAt: null });
      expect(failed!.error).toBe(`no complete answer within the ${DEADLINE_MS} ms deadline`);
      expect((await deliveriesOf(b.ctx)).map((d) => d.status)).toEqual(["sent"]);
      // The slow entry waits for a retry; the connection to the receiver was dropped.
      const [entry] = await database.db.select().from(outbox).where(eq(outbox.workspaceId, a.ctx.workspaceId));
      expect(entry).toMatchObject({ deliveredAt: null });
      expect(entry!.lastError).toContain("deadline");
      await vi.waitFor(() => expect(slow.state.hungUp).toBe(1));
      await database.db.update(outbox).set({ deliveredAt: new Date() }).where(eq(outbox.workspaceId, a.ctx.workspaceId)); // out of later tests' way
    } finally {
      await Promise.all([slow.close(), hook.close()]);
    }
  });

  it("M1: an answer that never ends is read to 4 KB, then the connection is dropped", async () => {
    const flood = await startEndlessReceiver("flood");
    try {
      const { ctx } = await createTestWorkspace(database.db, "Flooded", "growth");
      const channel = await createChannel({ ctx, input: { type: "webhook", name: "flood", url: flood.url } });
      const delivery = await deliverOnce(database.db, await channelRow(channel.id), "outbox:flood", message);
      // Sent, not failed at the deadline: it stopped reading at 4 KB instead of waiting.
      expect(delivery).toMatchObject({ status: "sent", responseStatus: 200, skipped: false });
      expect(delivery.responseBody!.length).toBeLessThanOrEqual(DELIVERY_LIMITS.maxResponseBytes);
      await vi.waitFor(() => expect(flood.state.hungUp).toBe(1));
    } finally {
      await flood.close();
    }
  });

  it("M1: the send-a-test-message button has the same deadline", async () => {
    DELIVERY_LIMITS.deadlineMs = DEADLINE_MS;
    const slow = await startEndlessReceiver("trickle", 1_000);
    try {
      const { ctx } = await createTestWorkspace(database.db, "Slow test", "growth");
      const channel = await createChannel({ ctx, input: { type: "slack", name: "slow slack", url: slow.url } });
      const delivery = await sendTestMessage({ ctx, id: channel.id });
      expect(delivery).toMatchObject({ status: "failed", error: `no complete answer within the ${DEADLINE_MS} ms deadline` });
    } finally {
      await slow.close();
    }
  });

  it("L10: two concurrent deliverOnce calls for the same crossing reach the receiver exactly once", async () => {
    const hook = await startHttpReceiver({ delayMs: 300 }); // long enough for the two to overlap
    try {
      const { ctx } = await createTestWorkspace(database.db, "Twice", "growth");
      const channel = await channelRow((await createChannel({ ctx, input: { type: "webhook", name: "once", url: hook.url } })).id);
      const results = await Promise.all([
        deliverOnce(database.db, channel, "outbox:42", message),
        deliverOnce(database.db, channel, "outbox:42", message),
      ]);
      expect(hook.requests).toHaveLength(1);
      expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
      expect(results.find((r) => !r.skipped)).toMatchObject({ status: "sent", attempts: 1 });
      expect(results.find((r) => r.skipped)!.status).toBe("sending"); // the other one held the claim
      // Once sent, never again.
      expect(await deliverOnce(database.db, channel, "outbox:42", message)).toMatchObject({ status: "sent", skipped: true });
      expect(hook.requests).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it("L10: an outbox entry re-leased while its first delivery runs sends nothing twice, and the outbox retries it", async () => {
    const hook = await startHttpReceiver({ delayMs: 300 });
    try {
      const { ctx } = await createTestWorkspace(database.db, "Re-leased", "growth");
      await createChannel({ ctx, input: { type: "webhook", name: "hook", url: hook.url } });
      const input = { outboxId: 7_000 + seq, payload: { ...crossing(ctx.workspaceId), at: new Date().toISOString() } };
      const settled = await Promise.allSettled([deliverCrossing(database.db, input), deliverCrossing(database.db, input)]);
      // Whichever claimed first sends; the other is told to come back later.
      expect(settled.filter((s) => s.status === "fulfilled").map((s) => s.value)).toEqual([{ delivered: 1, skipped: 0 }]);
      const lost = settled.filter((s) => s.status === "rejected");
      expect(lost.map((s) => s.reason.message)).toEqual(["1 of 1 alert deliveries failed: still being sent by another worker"]);
      expect(await deliverCrossing(database.db, input)).toEqual({ delivered: 0, skipped: 1 }); // the retry
      expect(hook.requests).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it("L10: a claim left by a sender that died is taken over once stale, a fresh one is not", async () => {
    const hook = await startHttpReceiver();
    try {
      const { ctx } = await createTestWorkspace(database.db, "Crashed", "growth");
      const channel = await channelRow((await createChannel({ ctx, input: { type: "webhook", name: "hook", url: hook.url } })).id);
      await deliverOnce(database.db, channel, "outbox:fresh", message);
      const claim = (key: string, age: string) =>
        database.db.execute(sql`update alert_deliveries set status = 'sending', delivered_at = now() - ${age}::interval
          where channel_id = ${channel.id} and delivery_key = ${key}`);
      await claim("outbox:fresh", "1 second");
      expect(await deliverOnce(database.db, channel, "outbox:fresh", message)).toMatchObject({ status: "sending", skipped: true });
      await claim("outbox:fresh", "1 hour");
      expect(await deliverOnce(database.db, channel, "outbox:fresh", message)).toMatchObject({
        status: "sent",
        skipped: false,
        attempts: 2,
      });
      expect(hook.requests).toHaveLength(2);
    } finally {
      await hook.close();
    }
  });

  it("plan gate (D5/M6): deliveries re-check the plan when sent; a downgraded workspace's are skipped with the reason", async () => {
    const [hook, slack] = await Promise.all([startHttpReceiver(), startHttpReceiver()]);
    try {
      const { ctx } = await createTestWorkspace(database.db, "Downgraded", "growth");
      const webhook = await createChannel({ ctx, input: { type: "webhook", name: "hook", url: hook.url } });
      const slackChannel = await createChannel({ ctx, input: { type: "slack", name: "slack", url: slack.url } });
      await createChannel({ ctx, input: { type: "email", name: "mail", to: ["ops@example.com"] } }); // no SMTP_URL: logged

      // Growth → Starter: Slack and e-mail still go out, the signed webhook (Growth) does not.
      await setPlanByHand({ ctx: { ...ctx, actor: SYSTEM }, input: { plan: "starter" } });
      await fireOnce(database.db, crossing(ctx.workspaceId));
      expect(await processOutbox(database.db, runHandlers)).toEqual({ delivered: 1, failed: 0 }); // skipped is done, not retried
      const byChannel = async () => Object.fromEntries((await deliverySummary(ctx)).map((d) => [d.channelId, d]));
      const first = await byChannel();
      expect(first[webhook.id]).toMatchObject({ status: "skipped", attempts: 0 });
      expect(first[webhook.id]!.error).toBe("not sent: webhook alerts need the Growth plan or above and this workspace is on Starter");
      expect(first[slackChannel.id]).toMatchObject({ status: "sent" });
      expect(Object.values(first).filter((d) => d.status === "sent")).toHaveLength(2);
      expect(hook.requests).toHaveLength(0);
      await expect(sendTestMessage({ ctx, id: webhook.id })).rejects.toBeInstanceOf(ForbiddenError);

      // A lapsed Growth subscription is the Free plan's: nothing is sent at all.
      await database.db
        .update(workspaces)
        .set({ plan: "growth", subscriptionStatus: "canceled" })
        .where(eq(workspaces.id, ctx.workspaceId));
      await fireOnce(database.db, crossing(ctx.workspaceId));
      expect(await processOutbox(database.db, runHandlers)).toEqual({ delivered: 1, failed: 0 });
      const second = (await deliverySummary(ctx)).filter((d) => !Object.values(first).some((f) => f.id === d.id));
      expect(second.map((d) => d.status)).toEqual(["skipped", "skipped", "skipped"]);
      expect(second.every((d) => /need the (Starter|Growth) plan or above and this workspace is on Free$/.test(d.error!))).toBe(true);
      expect([hook.requests.length, slack.requests.length]).toEqual([0, 1]);
    } finally {
      await Promise.all([hook.close(), slack.close()]);
    }
  });

  const deliverySummary = (ctx: ServiceCtx) =>
    database.db
      .select({
        id: alertDeliveries.id,
        channelId: alertDeliveries.channelId,
        status: alertDeliveries.status,
        error: alertDeliveries.error,
        attempts: alertDeliveries.attempts,
      })
      .from(alertDeliveries)
      .where(eq(alertDeliveries.workspaceId, ctx.workspaceId))
      .then((rows) => rows.map((r) => ({ ...r, status: r.status as string })));
});
