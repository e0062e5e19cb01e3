import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows, type Queryable } from "@/db/client";
import { llmLabellingUsage } from "@/db/schema";
import { log } from "@/server/lib/log";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { nanosToUsd, priceCall } from "../core/pricing";
import { parseUsage } from "../core/usage";
import { llmConfigured, llmModel, type TLlmCall } from "./llm-labeller";

const MAX_RANGE_MS = 366 * 86_400_000;

/** One call's tokens and price: the bundled catalog only (the key is the operator's, not the workspace's). */
export function priceLlmCall(call: TLlmCall) {
  let parsed: ReturnType<typeof parseUsage>;
  try {
    parsed = parseUsage(call.usage, { requestType: "chat", provider: "openai" });
  } catch {
    // A compatible server that sends no usage: the call counts, its tokens and price are unknown.
    return { promptTokens: 0, completionTokens: 0, costNanos: 0n, priced: false };
  }
  const price = priceCall({ model: call.model, tokens: parsed.tokens, detail: parsed.detail, at: call.at });
  return { promptTokens: parsed.tokens.input, completionTokens: parsed.tokens.output, costNanos: price.costNanos, priced: price.priced };
}

/**
 * Add the labeller's calls to the workspace's per-day, per-model totals. Called right after the
 * calls, before the labels are written: a call is paid for whether or not its labels ever land.
 * Never throws: losing a cost line must not make the event be labelled (and paid for) again.
 */
export async function recordLlmCalls(db: Queryable, workspaceId: string, calls: readonly TLlmCall[]): Promise<void> {
  for (const call of calls) {
    const p = priceLlmCall(call);
    try {
      await db
        .insert(llmLabellingUsage)
        .values({
          workspaceId,
          day: call.at.toISOString().slice(0, 10),
          model: call.model,
          calls: 1,
          promptTokens: p.promptTokens,
          completionTokens: p.completionTokens,
          costNanos: p.costNanos,
          unpricedCalls: p.priced ? 0 : 1,
        })
        .onConflictDoUpdate({
          target: [llmLabellingUsage.workspaceId, llmLabellingUsage.day, llmLabellingUsage.model],
          set: {
            calls: sql`${llmLabellingUsage.calls} + excluded.calls`,
            promptTokens: sql`${llmLabellingUsage.promptTokens} + excluded.prompt_tokens`,
            completionTokens: sql`${llmLabellingUsage.completionTokens} + excluded.completion_tokens`,
            costNanos: sql`${llmLabellingUsage.costNanos} + excluded.cost_nanos`,
            unpricedCalls: sql`${llmLabellingUsage.unpricedCalls} + excluded.unpriced_calls`,
            updatedAt: sql`now()`,
          },
        });
    } catch (err) {
      log.warn("could not record the LLM labeller's cost", { err, workspaceId, model: call.model });
    }
  }
}

export const ZLlmLabellingCost = z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() });

/**
 * What the LLM labeller cost the workspace in [from, to) (UTC days; by default this calendar
 * month so far): calls, tokens and nano-dollars, in total and per model. `configured` says
 * whether an LLM labels at all (without one the built-in classifier labels, at no cost).
 */
export async function getLlmLabellingCost({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: ServiceCtx;
  input?: z.input<typeof ZLlmLabellingCost>;
  now?: Date;
}) {
  const q = ZLlmLabellingCost.parse(input ?? {});
  const from = q.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = q.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  if (to <= from) throw new InvalidInputError("to must be after from");
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new InvalidInputError("The range is at most 366 days");
  // Whole UTC days: from's day up to, not including, to's day.
  const rows = resultRows<{ model: string; calls: number; prompt: string; completion: string; cost: string; unpriced: number }>(
    await ctx.db.execute(sql`select model, sum(calls)::int as calls, sum(prompt_tokens)::text as prompt,
        sum(completion_tokens)::text as completion, sum(cost_nanos)::text as cost, sum(unpriced_calls)::int as unpriced
      from llm_labelling_usage
      where workspace_id = ${ctx.workspaceId}
        and day >= (${from.toISOString()}::timestamptz at time zone 'UTC')::date
        and day < (${to.toISOString()}::timestamptz at time zone 'UTC')::date
      group by model order by sum(cost_nanos) desc, model`),
  );
  const byModel = rows.map((r) => {
    const costNanos = BigInt(r.cost);
    const promptTokens = Number(r.prompt);
    const completionTokens = Number(r.completion);
    return {
      model: r.model,
      calls: Number(r.calls),
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      costNanos: costNanos.toString(),
      costUsd: nanosToUsd(costNanos),
      unpricedCalls: Number(r.unpriced),
    };
  });
  const costNanos = rows.reduce((n, r) => n + BigInt(r.cost), 0n);
  const sum = (key: "calls" | "promptTokens" | "completionTokens" | "totalTokens" | "unpricedCalls") =>
    byModel.reduce((n, m) => n + m[key], 0);
  return {
    configured: llmConfigured(),
    model: llmModel(),
    from: from.toISOString(),
    to: to.toISOString(),
    calls: sum("calls"),
    promptTokens: sum("promptTokens"),
    completionTokens: sum("completionTokens"),
    totalTokens: sum("totalTokens"),
    costNanos: costNanos.toString(),
    costUsd: nanosToUsd(costNanos),
    unpricedCalls: sum("unpricedCalls"),
    byModel,
  };
}
