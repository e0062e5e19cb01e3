import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { ZodError } from "zod";
import { ZLabelPolicy, ZRule } from "@/server/contract/api-v1";
import { createCaller } from "@/server/api/root";
import { toHttpError } from "@/server/http/errors";
import { resetEnvCache } from "@/server/env";
import { getQuota } from "@/server/services/billing/manage-billing";
import { flushTrackedRequests, resetTrackedRequests, trackRequest } from "@/server/services/billing/tracked-requests";
import type { ServiceCtx } from "@/server/services/context";
import { InvalidInputError } from "@/server/services/errors";
import { createRule, getRule, listRules, updateRule } from "@/server/services/guardrails/manage-rules";
import { createLabelPolicy, getLabelPolicy, listLabelPolicies, updateLabelPolicy } from "@/server/services/intent/manage-label-policies";
import { getWorkspaceState } from "@/server/services/core/workspace-state";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

/** What the REST door would answer for an error thrown by a service. */
async function restError(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").not.toBeNull();
  const res = toHttpError(err);
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
}

const base = { name: "Free users", scope: "user", metric: "requests", window: "day", limit: 200 } as const;

describe.each(TEST_DRIVERS)("rule filters and label policy stages on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  const workspace = () => createTestWorkspace(database.db);

  describe("rule filters", () => {
    let ctx: ServiceCtx;
    beforeAll(async () => {
      ctx = (await workspace()).ctx;
    });

    it("are stored as given (trimmed), read back by get and list, and fit the REST contract", async () => {
      const rule = await createRule({ ctx, input: { ...base, filters: { tier: " free ", model: "gpt-4o" } } });
      expect(rule.filters).toEqual({ tier: "free", model: "gpt-4o" });
      expect((await getRule({ ctx, id: rule.id })).filters).toEqual({ tier: "free", model: "gpt-4o" });
      expect((await listRules({ ctx })).find((r) => r.id === rule.id)?.filters).toEqual({ tier: "free", model: "gpt-4o" });
      expect(ZRule.parse(rule)).toEqual(rule);
      // check-access reads rules from the workspace state: whole rows, filters included.
      const state = await getWorkspaceState(database.db, ctx.workspaceId, Date.now());
      expect(state.rules.find((r) => r.id === rule.id)?.filters).toEqual({ tier: "free", model: "gpt-4o" });
    });

    it("default to null (every call); an empty object is stored as null too", async () => {
      expect((await createRule({ ctx, input: base })).filters).toBeNull();
      expect((await createRule({ ctx, input: { ...base, filters: {} } })).filters).toBeNull();
      expect((await createRule({ ctx, input: { ...base, filters: null } })).filters).toBeNull();
      // SQL NULL, never a JSON null: "filters is null" means every call, in SQL as in code.
      const rows = resultRows<{ n: number }>(
        await database.db.execute(
          sql`select count(*)::int as n from rules where workspace_id = ${ctx.workspaceId} and jsonb_typeof(filters) = 'null'`,
        ),
      );
      expect(rows[0]!.n).toBe(0);
    });

    it("refuse an unknown key with a 400 naming it, and create nothing", async () => {
      const before = (await listRules({ ctx })).length;
      const bad = await restError(createRule({ ctx, input: { ...base, filters: { tier: "free", tierr: "pro" } as never } }));
      expect(bad).toEqual({
        status: 400,
        body: { error: expect.objectContaining({ code: "invalid_request", message: 'Unknown field "filters.tierr"' }) },
      });
      const top = await restError(createRule({ ctx, input: { ...base, limitt: 5 } as never }));
      expect(top.status).toBe(400);
      expect(top.body.error.message).toBe('Unknown field "limitt"');
      expect((await listRules({ ctx })).length).toBe(before);
    });

    it("refuse a segment that is not an id or not the workspace's, empty values and non-strings", async () => {
      const segment = await restError(createRule({ ctx, input: { ...base, filters: { segment: "whales" } } }));
      expect(segment.status).toBe(400);
      expect(segment.body.error.message).toMatch(/^filters\.segment: segment must be a segment id/);
      const unknown = await restError(createRule({ ctx, input: { ...base, filters: { segment: "seg_unknown" } } }));
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe("filters.segment: seg_unknown is not a segment of this workspace");
      for (const filters of [{ tier: "" }, { tier: "   " }, { model: 4 }, { orgId: null }, "free", ["tier"]]) {
        const res = await restError(createRule({ ctx, input: { ...base, filters: filters as never } }));
        expect(res.status, JSON.stringify(filters)).toBe(400);
        expect(res.body.error.message, JSON.stringify(filters)).toMatch(/^filters/);
      }
    });

    it("refuse a filter that contradicts the scope's match (the rule would never apply)", async () => {
      const err = await createRule({ ctx, input: { ...base, scope: "tier", match: "free", filters: { tier: "pro" } } }).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toMatch(/filters\.tier "pro" contradicts match "free"/);
      // Agreeing with the match, or filtering another key, is fine.
      await expect(
        createRule({ ctx, input: { ...base, scope: "tier", match: "free", filters: { tier: "free", model: "gpt-4o" } } }),
      ).resolves.toBeDefined();
      await expect(
        createRule({ ctx, input: { ...base, scope: "org", match: "org_1", filters: { feature: "chat" } } }),
      ).resolves.toBeDefined();
    });

    it("PATCH sets, replaces and clears them; other patches leave them as they are", async () => {
      const rule = await createRule({ ctx, input: base });
      expect((await updateRule({ ctx, id: rule.id, input: { filters: { feature: "chat" } } })).filters).toEqual({ feature: "chat" });
      expect((await updateRule({ ctx, id: rule.id, input: { limit: 300 } })).filters).toEqual({ feature: "chat" });
      expect((await updateRule({ ctx, id: rule.id, input: { filters: { orgId: "org_9", tier: "free" } } })).filters).toEqual({
        orgId: "org_9",
        tier: "free",
      });
      expect((await updateRule({ ctx, id: rule.id, input: { filters: {} } })).filters).toBeNull();
      await updateRule({ ctx, id: rule.id, input: { filters: { tier: "free" } } });
      expect((await updateRule({ ctx, id: rule.id, input: { filters: null } })).filters).toBeNull();
      const bad = await restError(updateRule({ ctx, id: rule.id, input: { filters: { modle: "gpt-4o" } } as never }));
      expect(bad.body.error.message).toBe('Unknown field "filters.modle"');
      const contradiction = await updateRule({
        ctx,
        id: rule.id,
        input: { scope: "feature", match: "chat", filters: { feature: "search" } },
      }).catch((e) => e);
      expect(contradiction).toBeInstanceOf(InvalidInputError);
      expect((await getRule({ ctx, id: rule.id })).filters).toBeNull();
    });
  });

  describe("label policy stage", () => {
    it("defaults to record, round-trips check, and PATCH changes it", async () => {
      const { ctx } = await createTestWorkspace(database.db, "Stages", "growth"); // enabled block policy: Growth
      expect((await listLabelPolicies({ ctx })).every((p) => p.stage === "record")).toBe(true);
      const byDefault = await createLabelPolicy({
        ctx,
        input: { name: "Later", label: "jailbreak", minCount: 3, windowSeconds: 3600, action: "alert" },
      });
      expect(byDefault.stage).toBe("record");
      const atCheck = await createLabelPolicy({
        ctx,
        input: {
          name: "At once",
          label: "jailbreak",
          minCount: 1,
          windowSeconds: 3600,
          action: "block",
          durationSeconds: 600,
          stage: "check",
        },
      });
      expect(atCheck.stage).toBe("check");
      expect((await getLabelPolicy({ ctx, id: atCheck.id })).stage).toBe("check");
      expect(ZLabelPolicy.parse(atCheck)).toEqual(atCheck);
      expect((await updateLabelPolicy({ ctx, id: byDefault.id, input: { stage: "check" } })).stage).toBe("check");
      expect((await updateLabelPolicy({ ctx, id: byDefault.id, input: { enabled: false } })).stage).toBe("check");
      expect((await updateLabelPolicy({ ctx, id: byDefault.id, input: { stage: "record" } })).stage).toBe("record");
      const state = await getWorkspaceState(database.db, ctx.workspaceId, Date.now());
      expect(state.labelPolicies.find((p) => p.id === atCheck.id)?.stage).toBe("check");
    });

    it("refuses an unknown stage or field with a 400", async () => {
      const { ctx } = await workspace();
      const input = { name: "x", label: "jailbreak", minCount: 1, windowSeconds: 3600, action: "alert" } as const;
      const stage = await restError(createLabelPolicy({ ctx, input: { ...input, stage: "later" as never } }));
      expect(stage.status).toBe(400);
      expect(stage.body.error.message).toMatch(/^stage:/);
      const unknown = await restError(createLabelPolicy({ ctx, input: { ...input, stag: "check" } as never }));
      expect(unknown.body.error.message).toBe('Unknown field "stag"');
    });
  });

  describe("the Free plan cap banner's reading (billing.quota)", () => {
    beforeAll(() => {
      process.env.TOKENIST_FREE_REQUESTS = "3";
      resetEnvCache();
      resetTrackedRequests();
    });
    afterAll(() => {
      delete process.env.TOKENIST_FREE_REQUESTS;
      resetEnvCache();
      resetTrackedRequests();
    });

    it("is exceeded once the month's tracked requests reach the cap, until the 1st (UTC); paid plans never", async () => {
      const { ctx } = await workspace();
      const now = new Date(Date.UTC(2026, 10, 30, 22, 0)); // 30 November 2026
      for (let i = 0; i < 2; i++) trackRequest(ctx.workspaceId, now);
      await flushTrackedRequests(database.db, now);
      expect(await getQuota({ ctx, now })).toEqual({ exceeded: false, resetsAt: "2026-12-01T00:00:00.000Z", used: 2, limit: 3 });
      trackRequest(ctx.workspaceId, now);
      await flushTrackedRequests(database.db, now);
      expect(await getQuota({ ctx, now })).toEqual({ exceeded: true, resetsAt: "2026-12-01T00:00:00.000Z", used: 3, limit: 3 });
      expect((await getQuota({ ctx, now: new Date(Date.UTC(2026, 11, 1, 0, 1)) })).exceeded).toBe(false);
      const paid = (await createTestWorkspace(database.db, "Paid", "starter")).ctx;
      for (let i = 0; i < 5; i++) trackRequest(paid.workspaceId, now);
      await flushTrackedRequests(database.db, now);
      expect(await getQuota({ ctx: paid, now })).toMatchObject({ exceeded: false, limit: null });
    });
  });

  describe("the dashboard's tRPC doors (strict bodies next to workspaceId)", () => {
    it("create with workspaceId and the body, and refuse an unknown field", async () => {
      const { member, workspace: ws } = await workspace();
      const caller = createCaller({ db: database.db, memberId: member.id });
      const inWs = { workspaceId: ws.id };
      const rule = await caller.rules.create({ ...inWs, ...base, filters: { tier: "free" } });
      expect(rule.filters).toEqual({ tier: "free" });
      expect((await caller.rules.update({ ...inWs, id: rule.id, patch: { filters: { tier: "free", model: "gpt-4o" } } })).filters).toEqual({
        tier: "free",
        model: "gpt-4o",
      });
      const policy = await caller.labels.policies.create({
        ...inWs,
        name: "At once",
        label: "jailbreak",
        minCount: 1,
        windowSeconds: 3600,
        action: "alert",
        stage: "check",
      });
      expect(policy.stage).toBe("check");
      expect((await caller.labels.policies.update({ ...inWs, id: policy.id, patch: { stage: "record" } })).stage).toBe("record");
      await expect(caller.blocklist.create({ ...inWs, userId: "someone" })).resolves.toMatchObject({ userId: "someone" });
      await expect(
        caller.labels.custom.create({ ...inWs, name: "refund_request", description: "asks for a refund" }),
      ).resolves.toMatchObject({ name: "refund_request" });
      await expect(caller.apiKeys.create({ ...inWs, name: "ci", scopes: ["read"] })).resolves.toMatchObject({ scopes: ["read"] });
      await expect(caller.settings.update({ ...inWs, payloadLogging: true })).resolves.toMatchObject({ payloadLogging: true });
      await expect(caller.billing.quota(inWs)).resolves.toMatchObject({ exceeded: false, limit: expect.any(Number) });

      const refused = await caller.rules.create({ ...inWs, ...base, limitt: 5 } as never).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TRPCError);
      expect((refused as TRPCError).code).toBe("BAD_REQUEST");
      expect((refused as TRPCError).cause).toBeInstanceOf(ZodError);
      expect(JSON.stringify(((refused as TRPCError).cause as ZodError).issues)).toContain("limitt");
      await expect(caller.settings.update({ ...inWs, payloadLoging: true } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
      expect((await caller.rules.list(inWs)).map((r) => r.name)).toEqual([base.name]);
    });
  });
});
