import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { modelPrices } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";
import { findCatalogPrice, nanosToUsd, usdToNanos } from "../core/pricing";

/** Far above any model sold today ($600 per million is the dearest): a bigger number is a typo. */
export const MAX_USD_PER_MILLION = 100_000;

/**
 * A model as stored and matched: control characters dropped, trimmed, lower-cased (the record
 * path looks prices up by `model.toLowerCase()`), 1–256 characters.
 */
export const ZModelName = z
  .string()
  .transform((m) =>
    m
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
      .trim()
      .toLowerCase(),
  )
  .pipe(z.string().min(1, "model must not be empty").max(256, "model must be at most 256 characters"));

const ZUsd = z.number().min(0).max(MAX_USD_PER_MILLION);

// Strict: an unknown field is a 400 naming it. Input and output are required; the rest fall back to them.
export const ZModelPriceInput = z.strictObject({
  inputPerMillionUsd: ZUsd.describe("USD per million input tokens"),
  outputPerMillionUsd: ZUsd.describe("USD per million output tokens"),
  cachedInputPerMillionUsd: ZUsd.nullish().describe("cache reads; absent or null → the input price"),
  cacheWritePerMillionUsd: ZUsd.nullish().describe("cache writes; absent or null → the input price"),
  reasoningPerMillionUsd: ZUsd.nullish().describe("reasoning tokens; absent or null → the output price"),
  audioInputPerMillionUsd: ZUsd.nullish().describe("audio input; absent or null → the input price"),
  audioOutputPerMillionUsd: ZUsd.nullish().describe("audio output; absent or null → the output price"),
});
export type TModelPriceInput = z.input<typeof ZModelPriceInput>;

type Row = typeof modelPrices.$inferSelect;
const usd = (n: bigint | null) => (n === null ? null : nanosToUsd(n));
const nanos = (v: number | null | undefined) => (v === null || v === undefined ? null : usdToNanos(v));

function toModelPrice(r: Row) {
  return {
    model: r.model,
    inputPerMillionUsd: nanosToUsd(r.inputPerMTokNanos),
    outputPerMillionUsd: nanosToUsd(r.outputPerMTokNanos),
    cachedInputPerMillionUsd: usd(r.cachedInputPerMTokNanos),
    cacheWritePerMillionUsd: usd(r.cacheWritePerMTokNanos),
    reasoningPerMillionUsd: usd(r.reasoningPerMTokNanos),
    audioInputPerMillionUsd: usd(r.audioInputPerMTokNanos),
    audioOutputPerMillionUsd: usd(r.audioOutputPerMTokNanos),
    updatedAt: r.updatedAt.toISOString(),
  };
}
export type TModelPrice = ReturnType<typeof toModelPrice>;

/** The workspace's own prices, by model. */
export async function listModelPrices({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(modelPrices).where(eq(modelPrices.workspaceId, ctx.workspaceId)).orderBy(asc(modelPrices.model));
  return rows.map(toModelPrice);
}

/** Set (or replace) a model's price: calls recorded from now on use it; those recorded before keep their cost. */
export async function setModelPrice({ ctx, model, input }: { ctx: ServiceCtx; model: string; input: TModelPriceInput }) {
  const name = ZModelName.parse(model);
  const p = ZModelPriceInput.parse(input);
  const values = {
    inputPerMTokNanos: usdToNanos(p.inputPerMillionUsd),
    outputPerMTokNanos: usdToNanos(p.outputPerMillionUsd),
    cachedInputPerMTokNanos: nanos(p.cachedInputPerMillionUsd),
    cacheWritePerMTokNanos: nanos(p.cacheWritePerMillionUsd),
    reasoningPerMTokNanos: nanos(p.reasoningPerMillionUsd),
    audioInputPerMTokNanos: nanos(p.audioInputPerMillionUsd),
    audioOutputPerMTokNanos: nanos(p.audioOutputPerMillionUsd),
    updatedAt: new Date(),
  };
  const audit = (row: Row) => ({ action: "model_price.set", targetType: "model_price", targetId: name, data: toModelPrice(row) });
  const row = await changeConfig(ctx, audit, async (tx) => {
    const [saved] = await tx
      .insert(modelPrices)
      .values({ workspaceId: ctx.workspaceId, model: name, ...values })
      .onConflictDoUpdate({ target: [modelPrices.workspaceId, modelPrices.model], set: values })
      .returning();
    return saved!;
  });
  return toModelPrice(row);
}

/** Back to the catalogue (or unpriced) for calls recorded from now on. */
export async function deleteModelPrice({ ctx, model }: { ctx: ServiceCtx; model: string }) {
  const name = ZModelName.parse(model);
  const audit = (row: Row) => ({ action: "model_price.delete", targetType: "model_price", targetId: name, data: toModelPrice(row) });
  await changeConfig(ctx, audit, async (tx) => {
    const [gone] = await tx
      .delete(modelPrices)
      .where(and(eq(modelPrices.workspaceId, ctx.workspaceId), eq(modelPrices.model, name)))
      .returning();
    // Thrown inside the transaction: nothing is bumped or audited for a model that had no price.
    if (!gone) throw new NotFoundError(`No custom price for model ${name}`);
    return gone;
  });
  return { model: name, deleted: true as const };
}

type CatalogueRate = unknown;
/** A catalogue rate in USD per million: a number, or the base of a tiered price (tiered: true). */
function catalogueUsd(rate: CatalogueRate): { usd: number | null; tiered: boolean } {
  if (typeof rate === "number") return { usd: nanosToUsd(usdToNanos(rate)), tiered: false };
  if (typeof rate === "object" && rate !== null && "base" in rate && typeof rate.base === "number") {
    return { usd: nanosToUsd(usdToNanos(rate.base)), tiered: true };
  }
  return { usd: null, tiered: false };
}

/**
 * What a call to `model` recorded now would be priced at: the workspace's own price, else the
 * catalogue's (the model it matched and the provider), else unknown (recorded at $0, unpriced).
 */
export async function resolveModelPrice({ ctx, model, provider }: { ctx: ServiceCtx; model: string; provider?: string | null }) {
  const name = ZModelName.parse(model);
  const [row] = await ctx.db
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.workspaceId, ctx.workspaceId), eq(modelPrices.model, name)));
  if (row) {
    const { model: _, updatedAt, ...prices } = toModelPrice(row);
    return { model: name, source: "custom" as const, matchedModel: row.model, provider: null, tiered: false, ...prices, updatedAt };
  }
  const match = findCatalogPrice(name, provider?.trim() || null, new Date());
  const empty = {
    inputPerMillionUsd: null,
    outputPerMillionUsd: null,
    cachedInputPerMillionUsd: null,
    cacheWritePerMillionUsd: null,
    reasoningPerMillionUsd: null,
    audioInputPerMillionUsd: null,
    audioOutputPerMillionUsd: null,
  };
  if (!match)
    return { model: name, source: "unknown" as const, matchedModel: null, provider: null, tiered: false, ...empty, updatedAt: null };
  const p = match.price as Record<string, unknown>;
  const rates = {
    inputPerMillionUsd: catalogueUsd(p.input_mtok),
    outputPerMillionUsd: catalogueUsd(p.output_mtok),
    cachedInputPerMillionUsd: catalogueUsd(p.cache_read_mtok),
    cacheWritePerMillionUsd: catalogueUsd(p.cache_write_mtok),
    reasoningPerMillionUsd: catalogueUsd(p.output_reasoning_mtok),
    audioInputPerMillionUsd: catalogueUsd(p.input_audio_mtok),
    audioOutputPerMillionUsd: catalogueUsd(p.output_audio_mtok),
  };
  const prices = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v.usd])) as Record<keyof typeof empty, number | null>;
  return {
    model: name,
    source: "catalogue" as const,
    matchedModel: match.matchedModel,
    provider: match.provider,
    tiered: Object.values(rates).some((r) => r.tiered),
    ...prices,
    updatedAt: null,
  };
}

/** For doors whose path carries the model: a missing one is a 400, not a lookup of "undefined". */
export function modelFromPath(value: string | undefined): string {
  if (value === undefined) throw new InvalidInputError("model is required in the path");
  return value;
}
