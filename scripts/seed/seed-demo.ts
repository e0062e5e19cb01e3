/**
 * Fill a demo workspace with 30 days of traffic through the real services: sign-up, API key,
 * settings, rules, invitations, blocklist and recordEvent (idempotent: running it again
 * records nothing twice and creates nothing twice).
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events, members } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { createApiKey } from "@/server/services/api-keys/manage-api-keys";
import { setPlanByHand } from "@/server/services/billing/manage-billing";
import { billingEnabled } from "@/server/services/billing/stripe-client";
import { signUp } from "@/server/services/auth/accounts";
import { hashPassword } from "@/server/services/auth/password";
import type { ServiceCtx } from "@/server/services/context";
import { createBlock, listBlocks } from "@/server/services/blocklist/manage-blocklist";
import { createRule, listRules } from "@/server/services/guardrails/manage-rules";
import { acceptInvitation, createInvitation } from "@/server/services/members/invitations";
import { listMembers } from "@/server/services/members/manage-members";
import { recordEvent } from "@/server/services/metering/record-event";
import { listMemberWorkspaces, updateWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { demoEvents, demoUsers, type DemoLabel } from "./demo-data";

export const DEMO_WORKSPACE = "Acme AI (demo)";

export interface SeedOptions {
  email?: string;
  password?: string;
  users?: number;
  days?: number;
  perDay?: number;
  now?: Date;
  log?: (msg: string) => void;
}

export interface SeedResult {
  workspaceId: string;
  email: string;
  password: string;
  viewerEmail: string;
  apiKey: string | null;
  events: number;
  recorded: number;
  endUsers: number;
}

async function ensureOwner(db: Db, email: string, password: string) {
  const [existing] = await db.select().from(members).where(eq(members.email, email)).limit(1);
  if (!existing) {
    const { member, workspace } = await signUp(db, { email, password, name: "Demo Owner", workspaceName: DEMO_WORKSPACE });
    return { memberId: member.id, workspaceId: workspace.id, created: true };
  }
  const demo = (await listMemberWorkspaces(db, existing.id)).find((w) => w.name === DEMO_WORKSPACE);
  if (!demo) throw new Error(`${email} exists but has no workspace named "${DEMO_WORKSPACE}": use another SEED_EMAIL`);
  return { memberId: existing.id, workspaceId: demo.id, created: false };
}

/** A viewer who joined through an invitation link, as a teammate would. */
async function ensureViewer(ctx: ServiceCtx, email: string, password: string) {
  if ((await listMembers({ ctx })).some((m) => m.email === email)) return;
  let [viewer] = await ctx.db.select().from(members).where(eq(members.email, email)).limit(1);
  // A member without a workspace of their own: the demo is the only one they see.
  viewer ??= (
    await ctx.db
      .insert(members)
      .values({ id: newId("mem"), email, name: "Demo Viewer", passwordHash: await hashPassword(password) })
      .returning()
  )[0]!;
  // Seeded by the operator, not signed up: the address counts as verified (only verified members accept invitations).
  if (!viewer.emailVerifiedAt) await ctx.db.update(members).set({ emailVerifiedAt: new Date() }).where(eq(members.id, viewer.id));
  const { token } = await createInvitation({ ctx, actorRole: "owner", input: { email, role: "viewer" } });
  await acceptInvitation(ctx.db, viewer.id, token);
}

async function ensureRules(ctx: ServiceCtx) {
  if ((await listRules({ ctx })).length > 0) return;
  // Each free user gets 200 a day (scope user, filtered to tier free), not 200 shared by the whole tier.
  await createRule({
    ctx,
    input: {
      name: "Free tier: 200 requests a day",
      scope: "user",
      filters: { tier: "free" },
      metric: "requests",
      window: "day",
      limit: 200,
    },
  });
  await createRule({
    ctx,
    input: { name: "Per user: $5 a day", scope: "user", metric: "cost_usd", window: "calendar_day", limit: 5, action: "alert" },
  });
  await createRule({ ctx, input: { name: "Burst: 60 requests a minute", scope: "user", metric: "requests", window: "minute", limit: 60 } });
  await createRule({
    ctx,
    input: {
      name: "Workspace: $1,500 a month",
      scope: "workspace",
      metric: "cost_usd",
      window: "calendar_month",
      limit: 1500,
      action: "alert",
    },
  });
  await createRule({
    ctx,
    input: {
      name: "Code assistant: downgrade after 2M tokens a day",
      scope: "feature",
      match: "code-assistant",
      metric: "tokens",
      window: "calendar_day",
      limit: 2_000_000,
      action: "downgrade_model:gpt-4o-mini",
      enabled: false,
    },
  });
}

async function ensureBlocks(ctx: ServiceCtx, abusers: string[], heavy: string, orgId: string | null) {
  if ((await listBlocks({ ctx })).length > 0) return;
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  for (const userId of abusers) await createBlock({ ctx, input: { userId, reason: "Repeated jailbreak attempts", expiresAt: inDays(7) } });
  await createBlock({ ctx, input: { userId: heavy, reason: "Runaway script: thousands of calls in an hour", expiresAt: inDays(1) } });
  await createBlock({ ctx, input: { userId: "mallory_bot", reason: "Card testing, chargeback" } });
  if (orgId) await createBlock({ ctx, input: { orgId, reason: "Invoice unpaid for 60 days", expiresAt: inDays(3) } });
}

export async function seedDemo(db: Db, opts: SeedOptions = {}): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const email = (opts.email ?? "demo@tokenist.dev").toLowerCase();
  const password = opts.password ?? "demo-password";
  const viewerEmail = email.replace("@", "+viewer@");
  const now = opts.now ?? new Date();
  const owner = await ensureOwner(db, email, password);
  const ctx: ServiceCtx = { db, workspaceId: owner.workspaceId, actor: { type: "member", id: owner.memberId } };

  let apiKey: string | null = null;
  if (owner.created) {
    // Growth keeps 90 days of events, so retention does not trim the 30 demo days. With
    // billing on (STRIPE_SECRET_KEY), plans only change through Stripe: the demo stays free.
    if (billingEnabled()) log("  billing is on: the demo workspace stays on the free plan (7 days of events kept)");
    else await setPlanByHand({ ctx, input: { plan: "growth" } });
    await updateWorkspaceSettings({
      ctx,
      input: {
        payloadLogging: true,
        redactPayloads: true,
        usagePolicy: "Support and product questions about Acme only. No attempts to read other customers' data, no malware, no harassment.",
      },
    });
    apiKey = (await createApiKey({ ctx, input: { name: "Demo backend", scopes: ["sdk", "read", "write"] } })).key;
  }
  await ensureViewer(ctx, viewerEmail, password);
  await ensureRules(ctx);

  const users = demoUsers(opts.users ?? 320);
  const labelled = new Map<DemoLabel, string[]>();
  let total = 0;
  let recorded = 0;
  const started = Date.now();
  for (const e of demoEvents(users, { days: opts.days ?? 30, perDay: opts.perDay ?? 800, now })) {
    const result = await recordEvent({ ctx, input: e.input, now });
    total++;
    if (!result.duplicate) recorded++;
    if (e.label) labelled.set(e.label, [...(labelled.get(e.label) ?? []), result.id]);
    if (total % 2000 === 0) log(`  ${total} events (${Math.round(total / ((Date.now() - started) / 1000))}/s)`);
  }
  // Intent labels as the labeller writes them (events.labels); only the intent work writes them otherwise.
  for (const [label, ids] of labelled) {
    for (let i = 0; i < ids.length; i += 1000) {
      await db
        .update(events)
        .set({ labels: sql`array_append(labels, ${label}::text)` })
        .where(and(eq(events.workspaceId, ctx.workspaceId), inArray(events.id, ids.slice(i, i + 1000)), sql`not (${label} = any(labels))`));
    }
  }
  const abusers = users.filter((u) => u.abuser).map((u) => u.userId);
  const org = users.find((u) => u.orgId && !u.abuser && u.tier === "pro")?.orgId ?? null;
  await ensureBlocks(ctx, abusers, users[0]!.userId, org);
  return { workspaceId: ctx.workspaceId, email, password, viewerEmail, apiKey, events: total, recorded, endUsers: users.length };
}
