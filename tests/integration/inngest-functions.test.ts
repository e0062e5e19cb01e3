import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { alertDeliveries, outbox } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { createAlert } from "@/server/services/alerts/manage-alerts";
import { createChannel } from "@/server/services/alerts/manage-channels";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { startHttpReceiver } from "../helpers/receivers";

// The functions call boot() for their database: point it at a test database.
const holder = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/server/boot", () => ({ boot: async () => holder.db }));

const { inngestFunction } = await import("@/inngest/functions");
const evaluateAlerts = inngestFunction("evaluate-alerts");
const deliverAlert = inngestFunction("deliver-alert");
const retentionCleanup = inngestFunction("retention-cleanup");
const housekeeping = inngestFunction("housekeeping");

describe("Inngest functions (@inngest/test) on PGlite", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    holder.db = database.db;
    hook = await startHttpReceiver();
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1";
    resetEnvCache();
  });
  afterAll(async () => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
    await hook.close();
    await database.close();
  });

  it("evaluate-alerts and deliver-alert turn a recorded event into one signed delivery", async () => {
    const { ctx } = await createTestWorkspace(database.db, "Alerts", "growth");
    const channel = await createChannel({ ctx, input: { type: "webhook", name: "hook", url: hook.url } });
    const rule = await createRule({ ctx, input: { name: "one", scope: "user", metric: "requests", window: "day", limit: 1 } });
    await createAlert({ ctx, input: { name: "at the limit", ruleId: rule.id, percentages: [100] } });
    const recorded = await recordEvent({
      ctx,
      input: { userId: "u", model: "gpt-4o-mini", usage: { prompt_tokens: 5, completion_tokens: 1 } },
    });

    const evaluate = new InngestTestEngine({ function: evaluateAlerts });
    const data = {
      workspaceId: ctx.workspaceId,
      outboxId: 1,
      eventId: recorded.id,
      requestId: "r",
      userId: "u",
      conversationId: null,
      hasText: false,
    };
    const { result } = await evaluate.execute({ events: [{ name: "tokenist/event.recorded", data }] });
    expect(result).toEqual({ crossings: 1 });

    const [crossed] = await database.db.select().from(outbox).where(eq(outbox.name, "tokenist/limit.crossed"));
    const deliver = new InngestTestEngine({ function: deliverAlert });
    const crossingData = { ...crossed!.payload, workspaceId: ctx.workspaceId, outboxId: crossed!.id };
    const first = await deliver.execute({ events: [{ name: "tokenist/limit.crossed", data: crossingData }] });
    expect(first.result).toEqual({ delivered: 1, skipped: 0 });
    const again = await new InngestTestEngine({ function: deliverAlert }).execute({
      events: [{ name: "tokenist/limit.crossed", data: crossingData }],
    });
    expect(again.result).toEqual({ delivered: 0, skipped: 1 }); // delivered twice → one effect
    expect(hook.requests).toHaveLength(1);
    const [delivery] = await database.db.select().from(alertDeliveries).where(eq(alertDeliveries.channelId, channel.id));
    expect(delivery).toMatchObject({ status: "sent", responseStatus: 200 });
  });

  it("rejects a malformed event payload before doing anything", async () => {
    const evaluate = new InngestTestEngine({ function: evaluateAlerts });
    const { error } = await evaluate.execute({ events: [{ name: "tokenist/event.recorded", data: { nope: true } }] });
    expect(String((error as Error)?.message ?? error)).toMatch(/workspaceId|eventId/);
  });

  it("retention-cleanup and housekeeping run their services", async () => {
    const retention = await new InngestTestEngine({ function: retentionCleanup }).execute();
    expect(retention.result).toMatchObject({ workspaces: expect.any(Number), events: 0, logs: 0 });
    const house = await new InngestTestEngine({ function: housekeeping }).execute();
    expect(house.result).toMatchObject({ reservations: 0, counters: 0 });
  });
});
