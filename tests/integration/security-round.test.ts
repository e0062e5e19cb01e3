// Findings of the December security audit that live in the metering and guardrail services,
// each proved on both databases: M7 (text kept for the labeller is redacted when the workspace
// redacts), M9 (a record settles its own check, not the user's oldest), L8 (lone surrogates in
// ids match as stored), L9 (reservation subjects in one order).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, gt } from "drizzle-orm";
import { eventTexts, reservations, workspaces } from "@/db/schema";
import { ZCheckInput, ZRecordInput, type TCheckInput, type TRecordInput } from "@/server/contract/sdk";
import type { ServiceCtx } from "@/server/services/context";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { createBlock } from "@/server/services/blocklist/manage-blocklist";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { createLabelPolicy, listLabelPolicies } from "@/server/services/intent/manage-label-policies";
import { recordEvent } from "@/server/services/metering/record-event";
import { WORKSPACE_CAPS } from "@/server/services/workspace-caps";
import { forgetWorkspaceState } from "@/server/services/core/workspace-state";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const MIN = 60_000;
const usage = { prompt_tokens: 10, completion_tokens: 2 };

describe.each(TEST_DRIVERS)("security round, services on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  const workspace = async () => (await createTestWorkspace(database.db, "Security", "growth")).ctx;
  // As the doors do: the body parsed by the contract first.
  const check = (ctx: ServiceCtx, input: Record<string, unknown>, now = new Date()) =>
    checkAccess({ ctx, input: ZCheckInput.parse(input) as TCheckInput, now });
  const record = (ctx: ServiceCtx, input: Record<string, unknown>, now = new Date()) =>
    recordEvent({ ctx, input: ZRecordInput.parse({ timestamp: now.toISOString(), ...input }) as TRecordInput, now });
  const open = async (ctx: ServiceCtx, now: Date) =>
    database.db
      .select()
      .from(reservations)
      .where(and(eq(reservations.workspaceId, ctx.workspaceId), gt(reservations.expiresAt, now)));

  it("M7: with redaction on and payload logging off, the text kept for the labeller holds no e-mail address", async () => {
    const ctx = await workspace();
    await database.db.update(workspaces).set({ payloadLogging: false, redactPayloads: true }).where(eq(workspaces.id, ctx.workspaceId));
    forgetWorkspaceState(ctx.workspaceId);
    const r = await record(ctx, {
      userId: "u",
      model: "gpt-4o-mini",
      usage,
      input: "my email is jane.doe@example.com, help",
      output: "Sure, jane.doe@example.com",
    });
    const [kept] = await database.db.select().from(eventTexts).where(eq(eventTexts.eventId, r.id));
    expect(kept!.input).not.toContain("jane.doe@example.com");
    expect(kept!.output).not.toContain("jane.doe@example.com");
    expect(kept!.input).toContain("help");
  });

  it("M9: a check whose call never records ages out on its own; later records settle their own checks", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "Two a day", scope: "user", metric: "requests", window: "day", limit: 3 } });
    const t0 = new Date(Math.floor(Date.now() / MIN) * MIN - 60 * MIN);
    const at = (m: number) => new Date(t0.getTime() + m * MIN);
    const leaked = await check(ctx, { userId: "u" }, at(0)); // the provider call failed: no record
    for (const m of [1, 9]) {
      const d = await check(ctx, { userId: "u" }, at(m));
      expect((await record(ctx, { userId: "u", model: "gpt-4o-mini", usage }, at(m))).settledCheckId).toBe(d.checkId);
    }
    expect((await open(ctx, at(9.5))).map((r) => r.id)).toEqual([leaked.checkId]);
    // Two calls used, the leak expired at +10 min: the third of three is allowed.
    expect((await check(ctx, { userId: "u" }, at(11))).allowed).toBe(true);
  });

  it("M9: a record of another feature does not release a check still in flight", async () => {
    const ctx = await workspace();
    const now = new Date();
    const inFlight = await check(ctx, { userId: "u", feature: "x" }, now);
    await check(ctx, { userId: "u", feature: "y" }, now);
    const r = await record(ctx, { userId: "u", feature: "y", model: "gpt-4o-mini", usage }, now);
    expect(r.settledCheckId).not.toBe(inFlight.checkId);
    expect((await open(ctx, now)).map((row) => row.id)).toEqual([inFlight.checkId]);
  });

  it("L8: a lone surrogate in a userId is stored as U+FFFD: the block matches and the record settles the check", async () => {
    const ctx = await workspace();
    await createBlock({ ctx, input: { userId: "blocked\ud800" } });
    expect(await check(ctx, { userId: "blocked\ud800" })).toMatchObject({ allowed: false, reason: "blocked" });
    expect(await check(ctx, { userId: "blocked\ufffd" })).toMatchObject({ allowed: false, reason: "blocked" });
    const d = await check(ctx, { userId: "free\udfff" });
    expect((await record(ctx, { userId: "free\udfff", model: "gpt-4o-mini", usage })).settledCheckId).toBe(d.checkId);
    expect(await open(ctx, new Date())).toEqual([]);
  });

  it("L9: a check holds its counters in one sorted order, whatever order the rules load in", async () => {
    const ctx = await workspace();
    for (const [name, scope, match] of [
      ["w", "workspace", null],
      ["u", "user", null],
      ["f", "feature", "f"],
      ["o", "org", null],
    ] as const) {
      await createRule({ ctx, input: { name, scope, match, metric: "requests", window: "day", limit: 100 } });
    }
    await check(ctx, { userId: "u", orgId: "o", feature: "f" });
    const [row] = await open(ctx, new Date());
    expect(row!.subjects).toEqual([...row!.subjects].sort());
    expect(row!.subjects).toHaveLength(4);
  });

  it("M10: a workspace holds at most its cap of label policies; one more is a 400 naming the cap, and nothing is added", async () => {
    const ctx = await workspace();
    const max = WORKSPACE_CAPS.labelPolicies.max;
    const have = (await listLabelPolicies({ ctx })).length;
    for (let i = have; i < max; i++) {
      await createLabelPolicy({ ctx, input: { name: `p${i}`, label: "frustration", minCount: 3, windowSeconds: 3600, action: "alert" } });
    }
    await expect(
      createLabelPolicy({ ctx, input: { name: "one too many", label: "frustration", minCount: 3, windowSeconds: 3600, action: "alert" } }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(`at most ${max} label policies`),
    });
    expect(await listLabelPolicies({ ctx })).toHaveLength(max);
  });
});
