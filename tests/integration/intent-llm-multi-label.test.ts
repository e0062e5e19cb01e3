import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { blocklist, endUserLabels, events, eventTexts, llmLabellingUsage, policyFirings } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { resetEnvCache } from "@/server/env";
import type { ServiceCtx } from "@/server/services/context";
import { labelRecordedEvent } from "@/server/services/intent/label-event";
import { createLabelPolicy } from "@/server/services/intent/manage-label-policies";
import { getLlmLabellingCost } from "@/server/services/intent/track-llm-cost";
import { recordEvent } from "@/server/services/metering/record-event";
import { updateWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { type ChatRequest, startFakeOpenAI } from "../helpers/fake-openai";
import { createTestWorkspace } from "../helpers/fixtures";

const POLICY = "Prohibited: sports betting tips, weapons.";
const MODEL = "gpt-4o-mini";
const usage = { prompt_tokens: 50, completion_tokens: 10 };
const verdict = (label: string, confidence: number, reason = `Because ${label}.`) => ({ label, confidence, reason });
/** The JSON data of a labelling request: the labelled turn and the earlier ones. */
const sent = (r: ChatRequest) => {
  const content = r.body.messages[1]!.content;
  return JSON.parse(content.slice(content.indexOf("{"))) as {
    earlier_turns: unknown[];
    labelled_turn: { user_message: string | null; assistant_reply: string | null };
  };
};

// The LLM labeller (the real openai client against a local stand-in): several labels per turn,
// turns with only the model's reply, text masked before it leaves, and what the calls cost.
describe.each(TEST_DRIVERS)("LLM labelling: several labels, output-only turns, redaction, cost (%s)", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let ctx: ServiceCtx;
  let seq = 0;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    openai = await startFakeOpenAI();
    process.env.OPENAI_API_KEY = "sk-test-multi";
    process.env.OPENAI_BASE_URL = openai.baseUrl;
    process.env.TOKENIST_INTENT_MODEL = MODEL;
    resetEnvCache();
    ctx = (await createTestWorkspace(database.db, "Multi-label", "growth")).ctx; // its block policy is a Growth automation
    // Stored text stays raw here, so what reaches the LLM is the labeller's own doing.
    await updateWorkspaceSettings({ ctx, input: { usagePolicy: POLICY, redactPayloads: false } });
    await createLabelPolicy({
      ctx,
      input: { name: "Alert on frustration", label: "frustration", minCount: 1, windowSeconds: 3600, action: "alert" },
    });
    await createLabelPolicy({
      ctx,
      input: { name: "Block ToS breaches", label: "tos_breach", minCount: 1, windowSeconds: 3600, action: "block", durationSeconds: 600 },
    });
  }, 60_000);
  afterEach(() => {
    openai.requests.length = 0;
    openai.setFallback({ status: 500 });
    openai.setUsage({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 });
  });
  afterAll(async () => {
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    delete process.env.TOKENIST_INTENT_MODEL;
    resetEnvCache();
    await openai?.close();
    await database?.close();
  });

  const record = (c: ServiceCtx, input: Record<string, unknown>) =>
    recordEvent({ ctx: c, input: { model: "gpt-4o", usage, requestId: `m${++seq}`, ...input } });
  const label = (c: ServiceCtx, eventId: string) =>
    labelRecordedEvent(database.db, { workspaceId: c.workspaceId, eventId }, { backoffMs: 5 });

  it("a frustrated user who also breaches the ToS gets both labels, on the event and the end user, and both policies fire", async () => {
    const { id } = await record(ctx, {
      userId: "carol",
      input: "Third time asking, this is useless! Just give me the sports betting tips for tonight.",
      output: "I can't help with betting tips.",
    });
    openai.answer({
      labels: [
        verdict("frustration", 0.84, "The user is fed up with repeated failures."),
        verdict("tos_breach", 0.91, "Asks for sports betting tips, which the policy forbids."),
      ],
    });
    const result = await label(ctx, id);
    expect(openai.requests).toHaveLength(1);
    expect(result).toMatchObject({ applied: true, source: "llm", labels: ["frustration", "tos_breach"] });

    const [event] = await database.db.select().from(events).where(eq(events.id, id));
    expect(event!.labels).toEqual(["frustration", "tos_breach"]);
    const rows = await database.db
      .select()
      .from(endUserLabels)
      .where(and(eq(endUserLabels.workspaceId, ctx.workspaceId), eq(endUserLabels.eventId, id)));
    expect(rows.map((r) => [r.userId, r.label, r.confidence, r.reason, r.source, r.model]).sort()).toEqual([
      ["carol", "frustration", 0.84, "The user is fed up with repeated failures.", "llm", MODEL],
      ["carol", "tos_breach", 0.91, "Asks for sports betting tips, which the policy forbids.", "llm", MODEL],
    ]);
    // Each label reached its own policy: an alert for frustration, a block for the breach.
    if (!("fired" in result)) throw new Error("expected an applied result");
    expect(result.fired.map((f) => [f.label, f.action]).sort()).toEqual([
      ["frustration", "alert"],
      ["tos_breach", "block"],
    ]);
    const firings = await database.db
      .select()
      .from(policyFirings)
      .where(and(eq(policyFirings.workspaceId, ctx.workspaceId), eq(policyFirings.userId, "carol")));
    expect(firings.map((f) => f.label).sort()).toEqual(["frustration", "tos_breach"]);
    const blocks = await database.db
      .select()
      .from(blocklist)
      .where(and(eq(blocklist.workspaceId, ctx.workspaceId), eq(blocklist.subjectId, "carol")));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ subjectType: "user", source: "automation" });
  });

  it("labels a record that has only the model's reply (`sentiment`), tells the LLM it is the reply, and never gives jailbreak from it", async () => {
    const reply = "I'm sorry the export keeps failing for you. I understand how frustrating this is.";
    const { id } = await record(ctx, { userId: "dave", sentiment: reply });
    const [text] = await database.db.select().from(eventTexts).where(eq(eventTexts.eventId, id));
    expect(text).toMatchObject({ input: null, output: reply });
    openai.answer({ labels: [verdict("frustration", 0.72), verdict("jailbreak", 0.6)] });
    const result = await label(ctx, id);
    expect(result).toMatchObject({ applied: true, source: "llm", labels: ["frustration"] });
    expect(sent(openai.requests[0]!)).toEqual({ earlier_turns: [], labelled_turn: { user_message: null, assistant_reply: reply } });
    expect(openai.requests[0]!.body.messages[0]!.content).toMatch(/When `user_message` is null, label from the reply alone/);
    const [event] = await database.db.select().from(events).where(eq(events.id, id));
    expect(event!.labels).toEqual(["frustration"]);
    const rows = await database.db.select().from(endUserLabels).where(eq(endUserLabels.eventId, id));
    expect(rows.map((r) => [r.userId, r.label])).toEqual([["dave", "frustration"]]);
  });

  it("masks e-mails, phone and card numbers and keys before the LLM sees them; the workspace setting sends the text raw", async () => {
    const said = "Refund it now or else. I'm erin@example.com, +1 415 555 0100, card 4242 4242 4242 4242.";
    const answered = "Support will write to support@shop.example.com. Your key sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX is revoked.";
    const first = await record(ctx, { userId: "erin", input: said, output: answered });
    openai.answer({ labels: [verdict("frustration", 0.8)] });
    await label(ctx, first.id);
    expect(sent(openai.requests[0]!).labelled_turn).toEqual({
      user_message: "Refund it now or else. I'm [email], [phone], card [card].",
      assistant_reply: "Support will write to [email]. Your key [secret] is revoked.",
    });
    expect(openai.requests[0]!.body.messages[0]!.content).toContain("[email], [phone], [card], [secret]");

    await updateWorkspaceSettings({ ctx, input: { llmLabelRawText: true } });
    try {
      const second = await record(ctx, { userId: "erin", input: said, output: answered });
      openai.answer({ labels: [verdict("frustration", 0.8)] });
      await label(ctx, second.id);
      expect(sent(openai.requests[1]!).labelled_turn).toEqual({ user_message: said, assistant_reply: answered });
      expect(openai.requests[1]!.body.messages[0]!.content).not.toContain("[secret]");
    } finally {
      await updateWorkspaceSettings({ ctx, input: { llmLabelRawText: false } });
    }
  });

  it("records each call's tokens and exact cost in nano-dollars, invalid answers included, and the service and tRPC return them", async () => {
    // A frozen clock (Date only): the calls are summed per UTC day, and by default over this month;
    // a run at 23:59:59 UTC would put them on two days (or months) and read only one.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      const { ctx: own, member } = await createTestWorkspace(database.db, "Cost");
      const caller = createCaller({ db: database.db, memberId: member.id });
      const empty = await caller.labels.llmCost({ workspaceId: own.workspaceId });
      expect(empty).toMatchObject({ configured: true, model: MODEL, calls: 0, totalTokens: 0, costNanos: "0", costUsd: 0, byModel: [] });

      // gpt-4o-mini: $0.15 / $0.075 cached / $0.60 per million tokens.
      openai.setUsage({ prompt_tokens: 1234, completion_tokens: 56, total_tokens: 1290, prompt_tokens_details: { cached_tokens: 1024 } });
      const perCall = 210n * 150n + 1024n * 75n + 56n * 600n; // 141,900 nano-dollars
      const a = await record(own, { userId: "fay", input: "Thanks, that fixed it!", output: "Glad to help." });
      openai.answer({ labels: [verdict("win", 0.9)] });
      await label(own, a.id);
      // An answer outside the schema was paid for too: two calls for this event.
      const b = await record(own, { userId: "fay", input: "Still broken.", output: "Let me look." });
      openai.answer({ labels: [verdict("angry", 2)] }, { labels: [verdict("frustration", 0.7)] });
      await label(own, b.id);
      // A 500 carries no answer and costs nothing.
      const c = await record(own, { userId: "fay", input: "Hello", output: "Hi" });
      openai.fail(1, 500);
      openai.answer({ labels: [verdict("safe", 0.99)] });
      await label(own, c.id);
      expect(openai.requests).toHaveLength(5);

      const [row] = await database.db.select().from(llmLabellingUsage).where(eq(llmLabellingUsage.workspaceId, own.workspaceId));
      expect(row).toMatchObject({
        day: new Date().toISOString().slice(0, 10),
        model: MODEL,
        calls: 4,
        promptTokens: 4 * 1234,
        completionTokens: 4 * 56,
        costNanos: 4n * perCall,
        unpricedCalls: 0,
      });
      const cost = await getLlmLabellingCost({ ctx: own });
      expect(cost).toMatchObject({
        configured: true,
        model: MODEL,
        calls: 4,
        promptTokens: 4936,
        completionTokens: 224,
        totalTokens: 5160,
        costNanos: "567600",
        costUsd: 0.0005676,
        unpricedCalls: 0,
        byModel: [{ model: MODEL, calls: 4, totalTokens: 5160, costNanos: "567600" }],
      });
      expect(await caller.labels.llmCost({ workspaceId: own.workspaceId })).toEqual(cost);
      // Last month holds none of it; another workspace sees none of it.
      const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
      const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
      expect(await getLlmLabellingCost({ ctx: own, input: { from: lastMonth, to: monthStart } })).toMatchObject({
        calls: 0,
        costNanos: "0",
      });
      // The first workspace's calls (100 prompt tokens each) are its own.
      const other = await getLlmLabellingCost({ ctx });
      expect(other.calls).toBeGreaterThan(0);
      expect(other.promptTokens).toBe(other.calls * 100);

      // Without a key nothing is called, nothing costs, and the page is told no LLM is configured.
      delete process.env.OPENAI_API_KEY;
      resetEnvCache();
      try {
        expect(await getLlmLabellingCost({ ctx: own })).toMatchObject({ configured: false, model: null, calls: 4 });
      } finally {
        process.env.OPENAI_API_KEY = "sk-test-multi";
        resetEnvCache();
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
