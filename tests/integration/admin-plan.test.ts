import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { openDatabase, type Db } from "@/db/client";
import { auditLogs, events, outbox, workspaces } from "@/db/schema";
import { signUp } from "@/server/services/auth/accounts";
import { setupCatalogue } from "@/server/services/billing/catalogue";
import { createCheckoutSession } from "@/server/services/billing/checkout";
import { getBillingOverview } from "@/server/services/billing/manage-billing";
import { getStripe } from "@/server/services/billing/stripe-client";
import { OPERATOR_PLAN_ACTION } from "@/server/services/billing/operator-plan";
import { flushTrackedRequests, resetTrackedRequests, trackRequest } from "@/server/services/billing/tracked-requests";
import { handleStripeWebhook } from "@/server/services/billing/webhooks";
import { SYSTEM } from "@/server/services/context";
import { floorToHour } from "@/server/services/core/time";
import { insertWorkspace } from "@/server/services/workspaces/workspaces";
import { forgetWorkspaceState } from "@/server/services/core/workspace-state";
import { runRetention } from "@/server/services/maintenance/retention";
import { recordEvent } from "@/server/services/metering/record-event";
import { runAdmin } from "@/scripts/admin/commands";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { useStripeStandIn } from "../helpers/stripe-standin";

const SECRET = "whsec_admin_plan";
const DAY = 86_400_000;
const ROOT = path.resolve(__dirname, "..", "..");
const run = promisify(execFile);

async function row(db: Db, id: string) {
  const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return ws!;
}

async function operatorAudits(db: Db, id: string) {
  return db
    .select({ actorType: auditLogs.actorType, actorId: auditLogs.actorId, targetId: auditLogs.targetId, data: auditLogs.data })
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, id), eq(auditLogs.action, OPERATOR_PLAN_ACTION)));
}

/** `npm run admin -- …` as an operator runs it: tsx in a child process, on the given database. */
async function adminProcess(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TOKENIST_") && k !== "DATABASE_URL"));
  try {
    const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/admin.ts", ...args], {
      cwd: ROOT,
      env: { ...clean, ...env } as NodeJS.ProcessEnv,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe.each(TEST_DRIVERS)("npm run admin -- plan, with Stripe billing on, on %s", (driver) => {
  const suite = useStripeStandIn(driver, SECRET, resetTrackedRequests);

  async function signed(event: Record<string, unknown>) {
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    return handleStripeWebhook(suite.database.db, payload, header);
  }

  /** A SaaS customer on Growth through Checkout: the subscription as Stripe's webhook leaves it. */
  async function growthCustomer() {
    await setupCatalogue(getStripe());
    const w = await createTestWorkspace(suite.database.db);
    const sub = `sub_${w.ctx.workspaceId}`;
    const base = { customer: `cus_${w.ctx.workspaceId}`, metadata: { workspaceId: w.ctx.workspaceId } };
    suite.stripeApi.putSubscription({
      id: sub,
      status: "active",
      ...base,
      priceLookupKeys: ["tokenist_growth_monthly", "tokenist_growth_overage"],
    });
    await signed({
      id: `evt_${sub}_created`,
      object: "event",
      type: "customer.subscription.created",
      created: 1,
      data: { object: { object: "subscription", id: sub, customer: base.customer } },
    });
    expect(await row(suite.database.db, w.ctx.workspaceId)).toMatchObject({ plan: "growth", subscriptionStatus: "active" });
    return { ...w, sub, base };
  }

  it("puts a paying workspace on Enterprise with its volume and retention, audited; Stripe's later events do not undo it", async () => {
    const db = suite.database.db;
    const w = await growthCustomer();
    const ws = w.ctx.workspaceId;
    const result = await runAdmin(db, ["plan", w.email, "enterprise", "--requests", "5,000,000", "--retention-days", "400"]);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain(`Workspace ${ws} "Test workspace" (owner: ${w.email})`);
    expect(result.out).toContain("plan:      growth (self_serve, Stripe active) → enterprise (operator)");
    expect(result.out).toContain("requests:  750,000 requests a month → 5,000,000 requests a month (custom)");
    expect(result.out).toContain("retention: 90 days → 400 days (custom)");
    expect(result.out).toContain(`Warning: Stripe subscription ${w.sub} is still active: cancel it in Stripe`);

    expect(await row(db, ws)).toMatchObject({
      plan: "enterprise",
      planSource: "operator",
      includedRequests: 5_000_000,
      retentionDays: 400,
      subscriptionStatus: null,
      graceUntil: null,
    });
    expect(await operatorAudits(db, ws)).toEqual([
      {
        actorType: "system",
        actorId: null,
        targetId: ws,
        data: expect.objectContaining({
          from: expect.objectContaining({ plan: "growth", planSource: "self_serve", includedRequests: 750_000, retentionDays: 90 }),
          to: expect.objectContaining({
            plan: "enterprise",
            planSource: "operator",
            includedRequests: 5_000_000,
            customIncludedRequests: 5_000_000,
            retentionDays: 400,
            customRetentionDays: 400,
          }),
          billingEnabled: true,
          stripeSubscriptionId: w.sub,
        }),
      },
    ]);

    // The old subscription is canceled, then comes back active (a retry, a portal click): neither changes the plan.
    suite.stripeApi.putSubscription({ id: w.sub, status: "canceled", ...w.base, priceLookupKeys: ["tokenist_growth_monthly"] });
    const canceled = await signed({
      id: `evt_${w.sub}_deleted`,
      object: "event",
      type: "customer.subscription.deleted",
      created: 2,
      data: { object: { object: "subscription", id: w.sub, customer: w.base.customer } },
    });
    expect(canceled).toMatchObject({ duplicate: false, workspaceId: ws, ignored: true });
    suite.stripeApi.putSubscription({ id: w.sub, status: "past_due", ...w.base, priceLookupKeys: ["tokenist_starter_monthly"] });
    await signed({
      id: `evt_${w.sub}_failed`,
      object: "event",
      type: "invoice.payment_failed",
      created: 3,
      data: { object: { object: "invoice", id: `in_${ws}`, customer: w.base.customer, subscription: w.sub } },
    });
    expect(await row(db, ws)).toMatchObject({
      plan: "enterprise",
      planSource: "operator",
      includedRequests: 5_000_000,
      retentionDays: 400,
      subscriptionStatus: null,
      graceUntil: null,
      droppedToFreeAt: null,
    });
    // Each event is still recorded and audited, marked as left alone.
    const webhookAudits = await db
      .select({ action: auditLogs.action, data: auditLogs.data })
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws), eq(auditLogs.targetType, "stripe_event")));
    expect(
      webhookAudits.filter((a) => (a.data as { ignored?: string } | null)?.ignored === "plan set by operator").map((a) => a.action),
    ).toEqual(["billing.customer.subscription.deleted", "billing.invoice.payment_failed"]);
    // And Checkout is refused: Stripe would charge for a plan its events cannot set.
    await expect(createCheckoutSession({ ctx: w.ctx, input: { plan: "starter" } })).rejects.toThrow(
      /set by Tokenist under a sales agreement/,
    );

    // The Billing page and the usage notices measure against the custom volume.
    forgetWorkspaceState(ws);
    const overview = await getBillingOverview({ ctx: w.ctx });
    expect(overview).toMatchObject({ plan: "enterprise", effectivePlan: "enterprise", planSource: "operator" });
    expect(overview.usage.included).toBe(5_000_000);
    const now = new Date();
    await db.execute(
      sql`insert into request_counters (workspace_id, hour, count) values (${ws}, ${floorToHour(now).toISOString()}::timestamptz, 3999999)`,
    );
    trackRequest(ws, now);
    await flushTrackedRequests(db, now);
    const notices = await db
      .select({ payload: outbox.payload })
      .from(outbox)
      .where(and(eq(outbox.workspaceId, ws), eq(outbox.name, "tokenist/quota.crossed")));
    expect(notices.map((n) => [n.payload.threshold, n.payload.limit, n.payload.used])).toEqual([["80%", 5_000_000, 4_000_000]]);
  });

  it("keeps data for the workspace's own retention days (400), past Enterprise's default 365", async () => {
    const db = suite.database.db;
    const now = new Date();
    const custom = await createTestWorkspace(db);
    const plain = await createTestWorkspace(db);
    expect((await runAdmin(db, ["plan", custom.ctx.workspaceId, "enterprise", "--retention-days", "400"])).code).toBe(0);
    expect((await runAdmin(db, ["plan", plain.ctx.workspaceId, "enterprise"])).code).toBe(0);
    for (const w of [custom, plain]) {
      for (const daysAgo of [420, 380, 3]) {
        const requestId = `ret-${daysAgo}`;
        await recordEvent({
          ctx: w.ctx,
          now,
          input: { userId: "u", model: "gpt-4o-mini", requestId, usage: { prompt_tokens: 5, completion_tokens: 1 } },
        });
        // Records take timestamps of the last 35 days only: age the event by hand.
        await db
          .update(events)
          .set({ occurredAt: new Date(now.getTime() - daysAgo * DAY) })
          .where(and(eq(events.workspaceId, w.ctx.workspaceId), eq(events.requestId, requestId)));
      }
    }
    await runRetention(db, now);
    const left = async (id: string) =>
      (await db.select({ r: events.requestId }).from(events).where(eq(events.workspaceId, id))).map((e) => e.r).sort();
    expect(await left(custom.ctx.workspaceId)).toEqual(["ret-3", "ret-380"]);
    expect(await left(plain.ctx.workspaceId)).toEqual(["ret-3"]);
  });

  it("free hands the workspace back to self-serve billing: Stripe's events apply again", async () => {
    const db = suite.database.db;
    const w = await growthCustomer();
    const ws = w.ctx.workspaceId;
    expect((await runAdmin(db, ["plan", ws, "enterprise", "--requests", "2000000"])).code).toBe(0);
    const back = await runAdmin(db, ["plan", ws, "free"]);
    expect(back.code, back.out).toBe(0);
    expect(back.out).toContain("plan:      enterprise (operator) → free (self_serve)");
    expect(await row(db, ws)).toMatchObject({ plan: "free", planSource: "self_serve", includedRequests: null, retentionDays: null });
    suite.stripeApi.putSubscription({ id: w.sub, status: "active", ...w.base, priceLookupKeys: ["tokenist_starter_monthly"] });
    await signed({
      id: `evt_${w.sub}_back`,
      object: "event",
      type: "customer.subscription.updated",
      created: 5,
      data: { object: { object: "subscription", id: w.sub, customer: w.base.customer } },
    });
    expect(await row(db, ws)).toMatchObject({ plan: "starter", planSource: "self_serve", subscriptionStatus: "active" });
    expect((await operatorAudits(db, ws)).map((a) => (a.data as { to: { plan: string } }).to.plan)).toEqual(["enterprise", "free"]);
  });

  it("refuses bad input with a clear message and a non-zero exit, changing nothing", async () => {
    const db = suite.database.db;
    const w = await createTestWorkspace(db);
    const ws = w.ctx.workspaceId;
    // A second workspace owned by the same member: the e-mail no longer names one.
    const twice = await createTestWorkspace(db);
    await db.transaction((tx) => insertWorkspace(tx, { name: "Second", ownerId: twice.member.id, actor: SYSTEM }));
    const cases: Array<[string[], number, RegExp]> = [
      [["plan", "ws_nonexistent00000000000000", "enterprise"], 1, /No workspace ws_nonexistent00000000000000/],
      [["plan", "nobody@example.com", "enterprise"], 1, /No member with the e-mail nobody@example.com/],
      [
        ["plan", twice.email, "growth"],
        1,
        new RegExp(`${twice.email} owns 2 workspaces \\(.*${twice.ctx.workspaceId}.*\\): give the workspace id`),
      ],
      [["plan", ws, "platinum"], 2, /Unknown plan "platinum": one of free, starter, growth, enterprise/],
      [["plan", ws, "growth", "--requests", "1000000"], 2, /--requests applies only to the enterprise plan \(not growth\)/],
      [["plan", ws, "starter", "--retention-days", "30"], 2, /--retention-days applies only to the enterprise plan \(not starter\)/],
      [["plan", ws, "enterprise", "--requests", "lots"], 2, /--requests must be a whole number above 0 \(got "lots"\)/],
      [["plan", ws, "enterprise", "--retention-days", "0"], 2, /--retention-days must be a whole number above 0/],
      [["plan", ws, "enterprise", "--retention-days", "99999"], 2, /less than or equal to 3650|<=3650/],
      [["plan", ws, "enterprise", "--volume", "5"], 2, /Unknown option '--volume'/],
      [["plan", ws], 2, /plan needs a workspace \(id or owner e-mail\) and a plan/],
      [["plan", ws, "enterprise", "extra"], 2, /Unexpected argument: extra/],
      [["upgrade", ws], 2, /Unknown command "upgrade"/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runAdmin(db, args);
      expect(result.code, args.join(" ")).toBe(code);
      expect(result.out, args.join(" ")).toMatch(message);
    }
    expect(await row(db, ws)).toMatchObject({ plan: "free", planSource: "self_serve", includedRequests: null, retentionDays: null });
    expect(await operatorAudits(db, ws)).toEqual([]);
    expect(await operatorAudits(db, twice.ctx.workspaceId)).toEqual([]);
  });
});

describe.each(TEST_DRIVERS)("npm run admin -- plan as a process, billing off, on %s", (driver) => {
  let dataDir: string;
  let url: string | undefined;
  let database: Awaited<ReturnType<typeof openTestDatabase>> | null = null;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenist-admin-"));
    if (driver === "postgres") {
      database = await openTestDatabase("postgres");
      url = database.url;
    }
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The database the script opens: Postgres beside it, or PGlite's data folder (one process at a time). */
  async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (database) return fn(database.db);
    const local = await openDatabase({ dataDir: path.join(dataDir, "pglite") });
    try {
      return await fn(local.db);
    } finally {
      await local.close();
    }
  }
  const env = (): Record<string, string> => (url ? { DATABASE_URL: url, TOKENIST_DATA_DIR: dataDir } : { TOKENIST_DATA_DIR: dataDir });

  it("sets Enterprise with volume and retention, prints what it did, and exits 1 or 2 on bad input", async () => {
    const email = `ops-${driver}@example.com`;
    const ws = await withDb(
      async (db) => (await signUp(db, { email, password: "correct horse battery", workspaceName: "Acme" })).workspace.id,
    );

    const ok = await adminProcess(["plan", email, "enterprise", "--requests", "1000000", "--retention-days=730"], env());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Workspace ${ws} "Acme" (owner: ${email})`);
    expect(ok.stdout).toContain("plan:      free (self_serve) → enterprise (operator)");
    expect(ok.stdout).toContain("requests:  25,000 requests a month → 1,000,000 requests a month (custom)");
    expect(ok.stdout).toContain("retention: 7 days → 730 days (custom)");
    expect(ok.stdout).toContain("billing:   off; audited as billing.plan_set_by_operator (actor: system)");

    const unknown = await adminProcess(["plan", "ws_nope", "enterprise"], env());
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      "Error: No workspace ws_nope (give a workspace id ws_… or the owner's e-mail)",
    ]);
    const flags = await adminProcess(["plan", ws, "growth", "--requests", "5"], env());
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain("Error: --requests applies only to the enterprise plan (not growth)");
    expect(flags.stderr).toContain("Usage: npm run admin -- <command>");

    await withDb(async (db) => {
      expect(await row(db, ws)).toMatchObject({
        plan: "enterprise",
        planSource: "operator",
        includedRequests: 1_000_000,
        retentionDays: 730,
      });
      const audits = await operatorAudits(db, ws);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        actorType: "system",
        data: { billingEnabled: false, to: { plan: "enterprise", includedRequests: 1_000_000 } },
      });
    });
  });
});
