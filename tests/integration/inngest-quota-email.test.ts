import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InngestTestEngine } from "@inngest/test";
import { inngest } from "@/inngest/client";
import { sendToInngest } from "@/inngest/send";
import { EVENTS } from "@/server/events/catalogue";
import { processOutbox } from "@/server/events/outbox";
import { resetEnvCache } from "@/server/env";
import { resetEmailTransport } from "@/server/services/channels/send";
import { flushTrackedRequests, resetTrackedRequests, trackRequest } from "@/server/services/billing/tracked-requests";
import { openTestDatabase } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { mailText, startSmtpServer } from "../helpers/receivers";

// The function calls boot() for its database: point it at a test database.
const holder = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/server/boot", () => ({ boot: async () => holder.db }));

const { inngestFunction } = await import("@/inngest/functions");

type SentEvent = { id?: string; name: string; data: Record<string, unknown> };

// W1: with Inngest configured the outbox forwards tokenist/quota.crossed to Inngest, and a
// function must run it, or the owners never hear that their month's requests are used up.
describe("the quota e-mail through Inngest (outbox → send → notify-owners, @inngest/test)", () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const sent: SentEvent[] = [];
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    holder.db = database.db;
    smtp = await startSmtpServer();
    Object.assign(process.env, { SMTP_URL: smtp.url, TOKENIST_FREE_REQUESTS: "5" });
    resetEnvCache();
    resetEmailTransport();
    resetTrackedRequests();
    // Inngest's cloud is out of reach here: keep what the outbox hands to inngest.send.
    vi.spyOn(inngest, "send").mockImplementation(async (payload) => {
      sent.push(...([payload].flat() as SentEvent[]));
      return { ids: [] };
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    delete process.env.SMTP_URL;
    delete process.env.TOKENIST_FREE_REQUESTS;
    resetEnvCache();
    resetEmailTransport();
    resetTrackedRequests();
    await smtp.close();
    await database.close();
  });

  it("80% of the free cap reaches the owners by e-mail, once", async () => {
    const { ctx, email } = await createTestWorkspace(database.db, "Quota");
    const now = new Date();
    for (let i = 0; i < 4; i++) trackRequest(ctx.workspaceId, now);
    await flushTrackedRequests(database.db, now); // publishes tokenist/quota.crossed (80%)

    expect(await processOutbox(database.db, sendToInngest)).toMatchObject({ failed: 0 });
    const forwarded = sent.filter((e) => e.name === EVENTS.quotaCrossed && e.data.workspaceId === ctx.workspaceId);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]).toMatchObject({ id: `outbox-${forwarded[0]!.data.outboxId}`, data: { threshold: "80%", used: 4, limit: 5 } });

    const notify = inngestFunction("notify-owners");
    expect(notify.opts.triggers).toEqual([{ event: EVENTS.quotaCrossed }]);
    const event = { name: EVENTS.quotaCrossed, data: forwarded[0]!.data };
    const run = await new InngestTestEngine({ function: notify }).execute({ events: [event] });
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ sent: 1 });
    expect(run.ctx.step.run.mock.calls.map((c: unknown[]) => c[0])).toEqual(["email-owners"]);

    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.to).toEqual([email]);
    expect(/Subject: (.*)/.exec(smtp.messages[0]!.raw)?.[1]).toBe("[Tokenist] 80% of this month's requests used");
    expect(mailText(smtp.messages[0]!)).toContain("4 of 5 tracked requests this month (80%)");
  });

  it("rejects a malformed payload before sending anything", async () => {
    const before = smtp.messages.length;
    const run = await new InngestTestEngine({ function: inngestFunction("notify-owners") }).execute({
      events: [{ name: EVENTS.quotaCrossed, data: { workspaceId: "ws_x" } }],
    });
    expect(String((run.error as Error)?.message ?? run.error)).toMatch(/outboxId|threshold/);
    expect(smtp.messages).toHaveLength(before);
  });
});
