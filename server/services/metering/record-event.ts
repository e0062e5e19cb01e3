import { and, eq } from "drizzle-orm";
import { executePrepared, type Queryable } from "@/db/client";
import { events } from "@/db/schema";
import type { TRecordInput, TRecordResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { getWorkspaceState } from "../workspaces/workspace-state";
import { floorToMinute } from "./time";
import { parseUsage } from "./usage";
import { nanosToUsd, priceCall } from "./pricing";
import { storePayload } from "./log-payload";
import { insertEventStatement } from "./insert-event-sql";
import { LABEL_TEXT_TTL_MS, labelTextOf } from "../intent/label-text";

const MAX_FUTURE_MS = 5 * 60_000;
const MAX_PAST_MS = 35 * 24 * 3600_000;

/**
 * Record one LLM call: event, rollups, end user, reservation settlement and the outbox
 * entry in ONE statement (one round trip, committed before we answer). Idempotent on
 * (workspace, requestId): a retry answers `duplicate: true` and counts nothing.
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
  const workspace = await getWorkspaceState(ctx.db, ctx.workspaceId, now.getTime());
  const custom = workspace.customPrices.get(input.model.toLowerCase());
  const price = priceCall({
    model: input.model,
    provider: input.provider ?? null,
    tokens,
    detail,
    at: occurredAt,
    customPrices: custom ? [custom] : [],
  });
  const output = input.output ?? input.sentiment ?? null;
  const text = labelTextOf(input.input, output);
  const event = {
    id: newId("evt", occurredAt.getTime()),
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
    tokens,
    costNanos: price.costNanos,
    priced: price.priced,
    priceSource: price.source,
    occurredAt,
    bucket: floorToMinute(occurredAt),
    hasText: text !== null,
    // Labelled whatever the payload-logging setting; kept only until labelled (or 24 h).
    labelText: text && { ...text, expiresAt: new Date(now.getTime() + LABEL_TEXT_TTL_MS) },
  };
  const statement = insertEventStatement(event);
  const storeText = workspace.payloadLogging && Boolean(input.input || output);
  const insertedId = await (storeText
    ? ctx.db.transaction(async (tx) => {
        const id = await runInsert(tx, statement);
        if (id) {
          await storePayload(tx, ctx.workspaceId, workspace.redactPayloads, {
            requestId,
            userId: event.userId,
            feature: event.feature,
            source: "record",
            request: { input: input.input ?? null },
            response: { output },
            metadata: event.metadata,
          });
        }
        return id;
      })
    : runInsert(ctx.db, statement));
  if (!insertedId) return answerDuplicate(ctx.db, ctx.workspaceId, requestId);
  return {
    id: insertedId,
    duplicate: false,
    costUsd: nanosToUsd(price.costNanos),
    costNanos: price.costNanos.toString(),
    tokens,
    warnings: price.priced ? [] : ["unknown_model_price"],
  };
}

async function runInsert(db: Queryable, statement: ReturnType<typeof insertEventStatement>): Promise<string | null> {
  const rows = await executePrepared<{ id: string }>(db, statement);
  return rows[0]?.id ?? null;
}

async function answerDuplicate(db: Queryable, workspaceId: string, requestId: string): Promise<TRecordResult> {
  const [e] = await db
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

