import { and, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { endUsers, events, modelPrices, outbox, usageRollups, workspaces, type Dimension } from "@/db/schema";
import type { TRecordInput, TRecordResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { floorToMinute } from "./time";
import { parseUsage, type ParsedUsage } from "./usage";
import { nanosToUsd, priceCall, type CustomPrice } from "./pricing";
import { storePayload } from "./log-payload";

const MAX_FUTURE_MS = 5 * 60_000;
const MAX_PAST_MS = 35 * 24 * 3600_000;

type Tokens = ParsedUsage["tokens"];

/**
 * Record one LLM call: tokens, cost, rollups, end user and the outbox entry, in one
 * transaction. Idempotent on (workspace, requestId): a retry answers `duplicate: true`
 * and counts nothing.
 */
export async function recordEvent({
  ctx,
  input,
  idempotencyKey,
  now = new Date(),
}: {
  ctx: ServiceCtx;
  input: TRecordInput;
  idempotencyKey?: string | null;
  now?: Date;
}): Promise<TRecordResult> {
  const requestId = input.requestId ?? idempotencyKey ?? newId("req");
  const { tokens, format, detail } = parseUsage(input.usage, { requestType: input.requestType, provider: input.provider });
  const occurredAt = input.timestamp ? new Date(input.timestamp) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_MS || occurredAt.getTime() < now.getTime() - MAX_PAST_MS) {
    throw new InvalidInputError("timestamp must be within the last 35 days and at most 5 minutes in the future");
  }
  const [workspace] = await ctx.db
    .select({ payloadLogging: workspaces.payloadLogging, redactPayloads: workspaces.redactPayloads })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId))
    .limit(1);
  if (!workspace) throw new NotFoundError("Workspace not found");

  const price = priceCall({
    model: input.model,
    provider: input.provider ?? null,
    tokens,
    detail,
    at: occurredAt,
    customPrices: await loadCustomPrice(ctx.db, ctx.workspaceId, input.model),
  });
  const warnings = price.priced ? [] : ["unknown_model_price"];
  const id = newId("evt", occurredAt.getTime());
  const output = input.output ?? input.sentiment ?? null;

  return ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(events)
      .values({
        id,
        workspaceId: ctx.workspaceId,
        requestId,
        userId: input.userId ?? null,
        orgId: input.orgId ?? null,
        feature: input.feature ?? null,
        tier: input.tier ?? null,
        model: input.model,
        provider: price.provider,
        requestType: input.requestType ?? null,
        conversationId: input.conversationId ?? null,
        latencyMs: input.latencyMs ?? null,
        metadata: input.metadata ?? null,
        usageFormat: format,
        inputTokens: tokens.input,
        cachedInputTokens: tokens.cachedInput,
        cacheWriteTokens: tokens.cacheWrite,
        outputTokens: tokens.output,
        reasoningTokens: tokens.reasoning,
        audioInputTokens: tokens.audioInput,
        audioOutputTokens: tokens.audioOutput,
        totalTokens: tokens.total,
        costNanos: price.costNanos,
        priced: price.priced,
        priceSource: price.source,
        occurredAt,
      })
      .onConflictDoNothing({ target: [events.workspaceId, events.requestId] })
      .returning({ id: events.id });
    if (!inserted) return answerDuplicate(tx, ctx.workspaceId, requestId);

    if (input.userId) await settleReservation(tx, ctx.workspaceId, input.userId);
    const subject = { ...input, model: input.model.toLowerCase() };
    await addToRollups(tx, ctx.workspaceId, subject, occurredAt, tokens, price.costNanos, price.priced);
    if (input.userId) {
      await touchEndUser(tx, ctx.workspaceId, input, occurredAt, tokens.total, price.costNanos, price.priced);
    }
    await tx.insert(outbox).values({
      workspaceId: ctx.workspaceId,
      name: "tokenist/event.recorded",
      payload: {
        eventId: id,
        requestId,
        userId: input.userId ?? null,
        conversationId: input.conversationId ?? null,
        hasText: Boolean(input.input || output),
      },
    });
    if (workspace.payloadLogging && (input.input || output)) {
      await storePayload(tx, ctx.workspaceId, workspace.redactPayloads, {
        requestId,
        userId: input.userId ?? null,
        feature: input.feature ?? null,
        source: "record",
        request: { input: input.input ?? null },
        response: { output },
        metadata: input.metadata ?? null,
      });
    }
    return {
      id,
      duplicate: false,
      costUsd: nanosToUsd(price.costNanos),
      costNanos: price.costNanos.toString(),
      tokens,
      warnings,
    };
  });
}

/**
 * An allowed check reserved capacity for this call; the event now counts instead. Settle the
 * user's oldest open reservation (skip locked: concurrent records settle different ones).
 */
async function settleReservation(tx: Queryable, workspaceId: string, userId: string) {
  await tx.execute(sql`delete from reservations where id = (
    select id from reservations where workspace_id = ${workspaceId} and user_id = ${userId} and expires_at > now()
    order by created_at limit 1 for update skip locked)`);
}

async function loadCustomPrice(db: Queryable, workspaceId: string, model: string): Promise<CustomPrice[]> {
  const rows = await db
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.workspaceId, workspaceId), eq(modelPrices.model, model.toLowerCase())))
    .limit(1);
  return rows;
}

async function answerDuplicate(tx: Queryable, workspaceId: string, requestId: string): Promise<TRecordResult> {
  const [e] = await tx
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.requestId, requestId)))
    .limit(1);
  if (!e) throw new Error(`event ${requestId} vanished after a conflict`);
  return {
    id: e.id,
    duplicate: true,
    costUsd: nanosToUsd(e.costNanos),
    costNanos: e.costNanos.toString(),
    tokens: {
      input: e.inputTokens,
      cachedInput: e.cachedInputTokens,
      cacheWrite: e.cacheWriteTokens,
      output: e.outputTokens,
      reasoning: e.reasoningTokens,
      audioInput: e.audioInputTokens,
      audioOutput: e.audioOutputTokens,
      total: e.totalTokens,
    },
    warnings: e.priced ? [] : ["unknown_model_price"],
  };
}

/** The rollup keys one event counts towards, in a fixed order (a fixed lock order: no deadlocks). */
export function rollupKeys(subject: {
  userId?: string | null;
  orgId?: string | null;
  feature?: string | null;
  model?: string | null;
  tier?: string | null;
}): Array<[Dimension, string]> {
  const keys: Array<[Dimension, string]> = [["workspace", ""]];
  if (subject.userId) keys.push(["user", subject.userId]);
  if (subject.orgId) keys.push(["org", subject.orgId]);
  if (subject.feature) keys.push(["feature", subject.feature]);
  if (subject.model) keys.push(["model", subject.model]);
  if (subject.tier) keys.push(["tier", subject.tier]);
  return keys;
}

async function addToRollups(
  tx: Queryable,
  workspaceId: string,
  subject: Parameters<typeof rollupKeys>[0],
  at: Date,
  tokens: Tokens,
  costNanos: bigint,
  priced: boolean,
) {
  const bucket = floorToMinute(at);
  const rows = rollupKeys(subject).map(([dimension, key]) => ({
    workspaceId,
    dimension,
    key,
    granularity: "minute" as const,
    bucket,
    requests: 1,
    inputTokens: tokens.input,
    cachedInputTokens: tokens.cachedInput,
    outputTokens: tokens.output,
    reasoningTokens: tokens.reasoning,
    totalTokens: tokens.total,
    costNanos,
    unpricedRequests: priced ? 0 : 1,
  }));
  const add = (column: string) => sql.raw(`usage_rollups.${column} + excluded.${column}`);
  await tx
    .insert(usageRollups)
    .values(rows)
    .onConflictDoUpdate({
      target: [usageRollups.workspaceId, usageRollups.dimension, usageRollups.key, usageRollups.granularity, usageRollups.bucket],
      set: {
        requests: add("requests"),
        inputTokens: add("input_tokens"),
        cachedInputTokens: add("cached_input_tokens"),
        outputTokens: add("output_tokens"),
        reasoningTokens: add("reasoning_tokens"),
        totalTokens: add("total_tokens"),
        costNanos: add("cost_nanos"),
        unpricedRequests: add("unpriced_requests"),
      },
    });
}

async function touchEndUser(
  tx: Queryable,
  workspaceId: string,
  input: TRecordInput,
  at: Date,
  totalTokens: number,
  costNanos: bigint,
  priced: boolean,
) {
  await tx
    .insert(endUsers)
    .values({
      workspaceId,
      userId: input.userId!,
      orgId: input.orgId ?? null,
      tier: input.tier ?? null,
      firstSeenAt: at,
      lastSeenAt: at,
      requests: 1,
      totalTokens,
      costNanos,
      unpricedRequests: priced ? 0 : 1,
    })
    .onConflictDoUpdate({
      target: [endUsers.workspaceId, endUsers.userId],
      set: {
        orgId: sql`coalesce(excluded.org_id, end_users.org_id)`,
        tier: sql`coalesce(excluded.tier, end_users.tier)`,
        firstSeenAt: sql`least(end_users.first_seen_at, excluded.first_seen_at)`,
        lastSeenAt: sql`greatest(end_users.last_seen_at, excluded.last_seen_at)`,
        requests: sql`end_users.requests + 1`,
        totalTokens: sql`end_users.total_tokens + excluded.total_tokens`,
        costNanos: sql`end_users.cost_nanos + excluded.cost_nanos`,
        unpricedRequests: sql`end_users.unpriced_requests + excluded.unpriced_requests`,
      },
    });
}
