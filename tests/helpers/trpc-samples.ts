import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events, members } from "@/db/schema";
import { appRouter, createCaller } from "@/server/api/root";
import type { ProcedureMeta } from "@/server/api/trpc";
import { newId } from "@/server/lib/ids";
import { listLabelPolicies } from "@/server/services/intent/manage-label-policies";
import { hashPassword } from "@/server/services/auth/password";
import { createBlock } from "@/server/services/blocklist/manage-blocklist";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { createSegment } from "@/server/services/segments/manage-segments";
import { acceptInvitation, createInvitation } from "@/server/services/members/invitations";
import { recordEvent } from "@/server/services/metering/record-event";
import { updateWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { createTestWorkspace } from "./fixtures";

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[]; meta?: ProcedureMeta } };

/** Every procedure of the app router by path ("rules.update"), with its kind. */
export function allProcedures() {
  const record = (appRouter as unknown as { _def: { procedures: Record<string, AnyProcedure> } })._def.procedures;
  return Object.entries(record).map(([path, p]) => ({
    path,
    type: p._def.type,
    // On the ladder at workspaceProcedure or above: one of its inputs has a workspaceId.
    workspaceScoped: p._def.inputs.some((i) => Boolean((i as { shape?: Record<string, unknown> })?.shape?.workspaceId)),
    /** The permission it declares (server/services/core/permissions.ts), or "public" / "signedIn". */
    access: p._def.meta?.access,
  }));
}

/** Call a procedure by its path through a caller. */
export function callPath(caller: ReturnType<typeof createCaller>, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

/** A workspace with something of every kind: events (labelled, with payloads), a rule, a block, a key, a member, an invitation. */
export async function populatedWorkspace(db: Db, name: string) {
  const ws = await createTestWorkspace(db, name);
  const ctx = ws.ctx;
  await updateWorkspaceSettings({ ctx, input: { payloadLogging: true } });
  const usage = { prompt_tokens: 120, completion_tokens: 30 };
  const tag = name.toLowerCase().replace(/\W+/g, "-");
  const first = await recordEvent({
    ctx,
    input: {
      userId: `${tag}-user`,
      orgId: `${tag}-org`,
      feature: `${tag}-feature`,
      model: "gpt-4o-mini",
      usage,
      input: `secret prompt of ${name}`,
      output: "answer",
    },
  });
  await recordEvent({ ctx, input: { userId: `${tag}-user`, feature: `${tag}-feature`, model: "gpt-4o", usage } });
  await db.update(events).set({ labels: sql`array['jailbreak']::text[]` }).where(eq(events.id, first.id));
  const rule = await createRule({ ctx, input: { name: `${name} rule`, scope: "user", metric: "requests", window: "day", limit: 50 } });
  const block = await createBlock({ ctx, input: { userId: `${tag}-blocked`, reason: `${name} block` } });
  const segment = await createSegment({ ctx, input: { name: `${name} segment`, filter: { feature: `${tag}-feature` } } });
  const [policy] = await listLabelPolicies({ ctx }); // the shipped defaults
  const [viewer] = await db
    .insert(members)
    .values({
      id: newId("mem"),
      email: `viewer-${tag}-${Date.now()}@example.com`,
      passwordHash: await hashPassword("correct horse battery"),
      emailVerifiedAt: new Date(),
    })
    .returning();
  const { token } = await createInvitation({ ctx, actorRole: "owner", input: { email: viewer!.email, role: "viewer" } });
  await acceptInvitation(db, viewer!.id, token);
  const pending = await createInvitation({ ctx, actorRole: "owner", input: { email: `pending-${tag}@example.com`, role: "admin" } });
  const keys = await createCaller({ db, memberId: ws.member.id }).apiKeys.list({ workspaceId: ws.workspace.id });
  return {
    ...ws,
    workspaceId: ws.workspace.id,
    ownerId: ws.member.id,
    viewerId: viewer!.id,
    userId: `${tag}-user`,
    blockedUser: `${tag}-blocked`,
    eventId: first.id,
    ruleId: rule.id,
    blockId: block.id,
    segmentId: segment.id,
    policyId: policy!.id,
    keyId: keys[0]!.id,
    invitationId: pending.id,
    invitationToken: pending.token,
  };
}
export type Populated = Awaited<ReturnType<typeof populatedWorkspace>>;

const DAY = 86_400_000;

/** The objects of a workspace the sample inputs name. */
export type SampleIds = Pick<
  Populated,
  "userId" | "blockedUser" | "eventId" | "ruleId" | "blockId" | "segmentId" | "policyId" | "keyId" | "viewerId" | "invitationId"
>;

/** A valid input for each workspace procedure, naming the given workspace's own objects. */
export function sampleInputs(w: SampleIds): Record<string, Record<string, unknown>> {
  const range = { from: new Date(Date.now() - 30 * DAY), to: new Date(Date.now() + DAY) };
  return {
    "workspace.get": {},
    "workspace.rename": { name: "renamed" },
    "apiKeys.list": {},
    "apiKeys.create": { name: "another" },
    "apiKeys.revoke": { id: w.keyId },
    "usage.query": { ...range, dimension: "user", key: w.userId },
    "usage.top": { ...range, dimension: "user" },
    "usage.exportCsv": range,
    "rules.list": {},
    "rules.create": { name: "new", scope: "user", metric: "requests", window: "day", limit: 1 },
    "rules.update": { id: w.ruleId, patch: { limit: 1000 } },
    "rules.delete": { id: w.ruleId },
    "rules.shadow": { id: w.ruleId, from: range.from, to: range.to },
    "rules.preview": { rule: { name: "preview", scope: "user", metric: "requests", window: "day", limit: 1, mode: "shadow" } },
    "blocklist.list": {},
    "blocklist.create": { userId: "someone" },
    "blocklist.delete": { id: w.blockId },
    "blocklist.unblock": { subjectType: "user", subjectId: w.blockedUser },
    "dashboard.overview": range,
    "cohorts.table": { period: "week", metric: "active_users", periods: 4 },
    "dashboard.activeUsers": range,
    "endUsers.list": { search: w.userId },
    "endUsers.get": { userId: w.userId },
    "endUsers.setTier": { userId: w.userId, tier: null },
    "events.list": { userId: w.userId },
    "events.get": { id: w.eventId },
    "events.labelCounts": range,
    "events.exportCsv": { userId: w.userId },
    "members.list": {},
    "members.invitations": {},
    "members.invite": { email: "new-member@example.com", role: "viewer" },
    "members.revokeInvitation": { id: w.invitationId },
    "members.changeRole": { memberId: w.viewerId, role: "admin" },
    "members.remove": { memberId: w.viewerId },
    "settings.get": {},
    "settings.update": { payloadLogging: false, llmLabelRawText: false },
    "billing.overview": {},
    "billing.quota": {},
    "billing.setPlan": { plan: "growth" },
    "billing.checkout": { plan: "starter" },
    "billing.portal": {},
    "sso.get": {},
    // Refused below Enterprise (the sample workspaces are on Growth): past the permission check, a 403 of the plan.
    "sso.put": {
      config: { protocol: "oidc", issuer: "https://idp.example.com", clientId: "c", clientSecret: "s", domains: ["example.com"] },
    },
    "sso.delete": {},
    "alerts.list": {},
    "alerts.channels": {},
    "alerts.deliveries": {},
    "alerts.create": { alert: { name: "spend", scope: "workspace", metric: "cost_usd", window: "calendar_month", values: [100] } },
    "alerts.delete": { id: "alr_missing" },
    "alerts.createChannel": { channel: { type: "email", name: "ops", to: ["ops@example.com"] } },
    "alerts.setChannelEnabled": { id: "chn_missing", enabled: false },
    "alerts.deleteChannel": { id: "chn_missing" },
    "alerts.testChannel": { id: "chn_missing" },
    "labels.perDay": range,
    "labels.endUser": { userId: w.userId },
    "labels.conversation": { conversationId: "conv_1" },
    "labels.llmCost": {},
    "segments.list": {},
    "segments.get": { id: w.segmentId },
    "segments.count": { filter: { tier: "pro" } },
    "segments.create": { name: "Pro users", filter: { tier: "pro" } },
    "segments.update": { id: w.segmentId, patch: { name: "renamed" } },
    "segments.delete": { id: w.segmentId },
    "auditLogs.list": { action: "rule.*", limit: 10 },
    "auditLogs.facets": {},
    "auditLogs.exportCsv": { targetType: "rule" },
    "labels.custom.list": {},
    "labels.custom.create": { name: "refund_request", description: "the user asks for a refund" },
    "labels.custom.update": { id: "lbl_missing", description: "changed" },
    "labels.custom.delete": { id: "lbl_missing" },
    "labels.policies.list": {},
    "labels.policies.templates": {},
    "labels.policies.create": { name: "Alert", label: "jailbreak", minCount: 2, windowSeconds: 3600, action: "alert" },
    "labels.policies.update": { id: "pol_missing", patch: { enabled: true } },
    "labels.policies.delete": { id: "pol_missing" },
    "labels.policies.shadow": { id: w.policyId, ...range },
    "modelPrices.list": {},
    "modelPrices.resolve": { model: "gpt-4o-mini" },
    "modelPrices.unpriced": range,
    "modelPrices.set": { model: "acme-llm-1", inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 },
    "modelPrices.delete": { model: "acme-llm-1" },
  };
}
