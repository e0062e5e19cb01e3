import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { eventKeys, events } from "@/db/schema";
import type { TRecordInput, TRecordResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { quotaExceededError, quotaState, trackRequest, uncappedQuota } from "../billing/tracked-requests";
import { reservationsWritten } from "../guardrails/fast-path";
import { filteredRuleKeys, hasFilters } from "../guardrails/rule-subject";
import { getWorkspaceState } from "../core/workspace-state";
import { floorToMinute } from "../core/time";
import { parseUsage } from "../core/usage";
import { nanosToUsd, priceCall } from "../core/pricing";
import { storePayload } from "./log-payload";
import { redactPayloadInTurns, redactText, redactValue } from "@/server/lib/redact";
import type { EventToInsert } from "./insert-event-sql";
import { groupCommitFor, writeEvents } from "./group-commit";
import { estimatedUsage, findOpenCheck, type OpenCheck } from "./open-checks";
import { LABEL_TEXT_TTL_MS, labelTextOf } from "../intent/label-text";

/** The model name an event is stored under when neither the record nor its check named one. */
export const UNKNOWN_MODEL = "unknown";

const MAX_FUTURE_MS = 5 * 60_000;
const MAX_PAST_MS = 35 * 24 * 3600_000;

/**
 * Record one LLM call: event, rollups, end user, settlement of its check and the outbox entry
 * in ONE statement, shared with the records arriving meanwhile (group-commit.ts), committed
 * before we answer. Idempotent on (workspace, requestId), through event_keys: a retry answers
 * `duplicate: true` and counts nothing. What the record leaves out (model, feature, tier, org,
 * even usage) comes from its check: the one named by `checkId`, else the user's latest open check
 * (of the same feature, when given). Past the Free plan's cap only a record that settles an
 * admitted check is stored; others are refused (402).
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
  const occurredAt = input.timestamp ? new Date(input.timestamp) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_MS || occurredAt.getTime() < now.getTime() - MAX_PAST_MS) {
    throw new InvalidInputError("timestamp must be within the last 35 days and at most 5 minutes in the future");
  }
  const workspace = await getWorkspaceState(ctx.db, ctx.workspaceId, now.getTime());
  const quota = uncappedQuota(workspace, now) ?? (await quotaState(ctx.db, ctx.workspaceId, now));
  const output = input.output ?? input.sentiment ?? null;
  const warnings: string[] = [];
  // Read the check first only when the record needs something from it; otherwise the one
  // statement below settles the user's latest open check itself (the usual, cheapest path).
  const filtered = workspace.rules.some((r) => hasFilters(r.filters));
  const needsCheck =
    Boolean(input.checkId) ||
    !input.model ||
    !input.usage ||
    quota.exceeded ||
    (filtered && (!input.tier || !input.orgId || !input.feature));
  // A check of this process may still have its reservation in a write-behind: wait for it, so the
  // record finds (and settles) the check it follows.
  if (input.checkId || input.userId) await reservationsWritten(ctx.db);
  let check: OpenCheck | null = null;
  if (needsCheck && (input.checkId || input.userId)) {
    check = await findOpenCheck(ctx.db, ctx.workspaceId, { checkId: input.checkId, userId: input.userId, feature: input.feature, now });
    if (input.checkId && !check) warnings.push("check_not_found");
  }
  if (quota.exceeded && !check) throw quotaExceededError(quota);

  const usageModel = typeof input.usage?.model === "string" && input.usage.model.trim() ? input.usage.model.trim() : null;
  const model = input.model ?? check?.model ?? usageModel;
  if (!model) warnings.push("model_missing");
  const call = {
    userId: input.userId ?? null,
    orgId: input.orgId ?? check?.orgId ?? null,
    feature: input.feature ?? check?.feature ?? null,
    // A tier Tokenist assigned (set_tier) wins, as on the check: the call counts toward that tier's rules.
    tier: (input.userId ? workspace.signals.get(input.userId)?.tier : null) ?? input.tier ?? check?.tier ?? null,
    model: model ?? UNKNOWN_MODEL,
  };
  const requestType = input.requestType ?? (check?.requestType as TRecordInput["requestType"]) ?? null;
  let parsed;
  if (input.usage) {
    parsed = parseUsage(input.usage, { requestType, provider: input.provider });
  } else {
    // A stream left early, a provider that sent no usage: the check's estimate and the text seen.
    parsed = { ...parseUsage(estimatedUsage(check, input.input, output)), format: "estimated" };
    warnings.push("usage_estimated");
  }
  const { tokens, format, detail } = parsed;
  const custom = model ? workspace.customPrices.get(model.toLowerCase()) : undefined;
  const price = model
    ? priceCall({ model, provider: input.provider ?? null, tokens, detail, at: occurredAt, customPrices: custom ? [custom] : [] })
    : { costNanos: 0n, priced: false, provider: input.provider ?? null, source: null };
  if (model && !price.priced) warnings.push("unknown_model_price");
  // Kept for the labeller (and sent to the LLM): redacted first when the workspace redacts (M7).
  const text = labelTextOf(input.input, output, workspace.redactPayloads ? redactText : undefined);
  const event: EventToInsert = {
    id: newId("evt", occurredAt.getTime()),
    workspaceId: ctx.workspaceId,
    requestId,
    ...call,
    provider: price.provider,
    requestType,
    conversationId: input.conversationId ?? null,
    latencyMs: input.latencyMs ?? null,
    // The caller's metadata is stored with every event: redacted like payloads when the workspace redacts (L7).
    metadata:
      input.metadata && workspace.redactPayloads ? (redactValue(input.metadata) as Record<string, unknown>) : (input.metadata ?? null),
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
    ruleKeys: filtered ? filteredRuleKeys(workspace.rules, call) : [],
    // The check found above (a checkId that matched nothing settles nothing), else the latest open one.
    settle: check ? { checkId: check.id } : input.checkId ? null : { latestOf: { feature: input.feature ?? null } },
  };
  const storeText = workspace.payloadLogging && Boolean(input.input || output);
  // Redacted before the transaction opens: CPU work never holds the rollup rows' locks (H1).
  const payloadParts = {
    requestId,
    userId: event.userId,
    feature: event.feature,
    source: "record" as const,
    request: { input: input.input ?? null },
    response: { output },
    metadata: event.metadata,
  };
  const payload = storeText ? (workspace.redactPayloads ? await redactPayloadInTurns(payloadParts) : payloadParts) : null;
  const inserted = payload
    ? await ctx.db.transaction(async (tx) => {
        const [row] = await writeEvents(tx, [event], ctx.db);
        if (row) await storePayload(tx, ctx.workspaceId, false, payload);
        return row ?? null;
      })
    : await groupCommitFor(ctx.db).write(event, settleKeyOf(event, check));
  if (!inserted) return answerDuplicate(ctx.db, ctx.workspaceId, requestId);
  // One LLM call, one tracked request: the check that this record settles was counted already.
  if (!inserted.settled) trackRequest(ctx.workspaceId, now);
  return {
    recorded: true,
    id: inserted.id,
    duplicate: false,
    costUsd: nanosToUsd(price.costNanos),
    costNanos: price.costNanos.toString(),
    tokens,
    model,
    settledCheckId: inserted.settled,
    warnings,
  };
}

/**
 * Which user's open checks a record settles, or null: two records with one key never share a
 * statement (each must see the check the other settled gone, as if written one after the other).
 */
function settleKeyOf(event: EventToInsert, check: OpenCheck | null): string | null {
  if (!event.settle) return null;
  if ("checkId" in event.settle) return `${event.workspaceId}|${check?.userId ?? event.settle.checkId}`;
  return event.userId ? `${event.workspaceId}|${event.userId}` : null;
}

/** The answer to a requestId recorded already: the event its key names (found by id and time). */
async function answerDuplicate(db: Queryable, workspaceId: string, requestId: string): Promise<TRecordResult> {
  const [row] = await db
    .select({ e: events })
    .from(eventKeys)
    .innerJoin(events, and(eq(events.id, eventKeys.eventId), eq(events.occurredAt, eventKeys.occurredAt)))
    .where(and(eq(eventKeys.workspaceId, workspaceId), eq(eventKeys.requestId, requestId)))
    .limit(1);
  const e = row?.e;
  if (!e) throw new Error(`event ${requestId} vanished after a conflict`);
  return {
    recorded: true,
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
    model: e.model === UNKNOWN_MODEL ? null : e.model,
    // The first answer said which check it settled; a replay does not settle or count again.
    settledCheckId: null,
    warnings: e.priced ? [] : [e.model === UNKNOWN_MODEL ? "model_missing" : "unknown_model_price"],
  };
}
