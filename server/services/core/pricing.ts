/**
 * Exact cost of one LLM call in integer nano-dollars (1e-9 USD, bigint): floats drift
 * when summed over millions of events, and micro-dollars are too coarse for embeddings.
 * Prices come from a workspace's own list first, then from @pydantic/genai-prices'
 * bundled catalog. We let the library pick the model and the price in force at the
 * call's time (history, provider fallbacks), then redo its arithmetic in integers.
 * Pure: no database, no network (the bundled catalog is never auto-updated here).
 */
import { calcPrice, type ModelPrice } from "@pydantic/genai-prices";
import { UsageError, estimateCachedAudioInput, type UsageDetail, type UsageTokens } from "./usage";

/** A workspace's own price for one model, in nano-dollars per million tokens. */
export type CustomPrice = {
  model: string;
  inputPerMTokNanos: bigint;
  cachedInputPerMTokNanos?: bigint | null;
  cacheWritePerMTokNanos?: bigint | null;
  outputPerMTokNanos: bigint;
  reasoningPerMTokNanos?: bigint | null;
  audioInputPerMTokNanos?: bigint | null;
  audioOutputPerMTokNanos?: bigint | null;
};

/** Nano-dollars per billed component; they add up to costNanos. */
export type CostBreakdown = {
  input: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  audioInput: bigint;
  output: bigint;
  reasoning: bigint;
  audioOutput: bigint;
  requests: bigint;
};

export type PriceCallInput = {
  model: string;
  provider?: string | null;
  tokens: UsageTokens;
  /** From parseUsage; when absent, cached audio is estimated the same way parseUsage does. */
  detail?: Partial<UsageDetail> | null;
  at: Date;
  customPrices?: readonly CustomPrice[] | null;
};

export type PriceCallResult = {
  costNanos: bigint;
  priced: boolean;
  source: "custom" | "catalog" | null;
  matchedModel: string | null;
  provider: string | null;
  breakdown: CostBreakdown;
};

const NANOS_PER_USD = 1_000_000_000n;
const MTOK = 1_000_000n;

/**
 * The token units we can count, with the dimensions genai-prices gives them: a unit
 * whose dimensions include another's is a part of it (cache_read is part of input).
 * Each token is billed once, at the most specific unit that has a price.
 */
type Unit =
  | "input"
  | "cache_read"
  | "cache_audio_read"
  | "cache_write"
  | "cache_write_1h"
  | "input_audio"
  | "output"
  | "output_reasoning"
  | "output_audio";

const UNITS: Record<Unit, { priceKey: string; dims: string[]; bucket: keyof CostBreakdown }> = {
  input: { priceKey: "input_mtok", dims: ["in"], bucket: "input" },
  cache_read: { priceKey: "cache_read_mtok", dims: ["in", "cache_read"], bucket: "cachedInput" },
  cache_audio_read: { priceKey: "cache_audio_read_mtok", dims: ["in", "cache_read", "audio"], bucket: "cachedInput" },
  cache_write: { priceKey: "cache_write_mtok", dims: ["in", "cache_write"], bucket: "cacheWrite" },
  cache_write_1h: { priceKey: "cache_write_1h_mtok", dims: ["in", "cache_write", "1h"], bucket: "cacheWrite" },
  input_audio: { priceKey: "input_audio_mtok", dims: ["in", "audio"], bucket: "audioInput" },
  output: { priceKey: "output_mtok", dims: ["out"], bucket: "output" },
  output_reasoning: { priceKey: "output_reasoning_mtok", dims: ["out", "reasoning"], bucket: "reasoning" },
  output_audio: { priceKey: "output_audio_mtok", dims: ["out", "audio"], bucket: "audioOutput" },
};
const UNIT_NAMES = Object.keys(UNITS) as Unit[];

/** Nano-dollars per million tokens; tiered rates switch on the call's total input tokens. */
type Rate = bigint | { base: bigint; tiers: { start: number; price: bigint }[] };
type RateTable = { units: Partial<Record<Unit, Rate>>; perKRequestsNanos: bigint | null };

/**
 * Dollars (as the catalog's float) → nano-dollars, rounded half up. Goes through the
 * shortest decimal spelling of the float, so 1.1 gives 1_100_000_000n, not ...0000002.
 */
export function usdToNanos(usd: number): bigint {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`not a price: ${usd}`);
  const [mantissa = "0", exponent = "0"] = String(usd).toLowerCase().split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  const scale = Number(exponent) + 9 - fraction.length;
  const digits = BigInt(whole + fraction);
  if (scale >= 0) return digits * 10n ** BigInt(scale);
  return divideRoundHalfUp(digits, 10n ** BigInt(-scale));
}

function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Exact decimal USD: 183000n → "0.000183", 5_000_000_000n → "5". */
export function formatNanos(n: bigint): string {
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  const fraction = (abs % NANOS_PER_USD).toString().padStart(9, "0").replace(/0+$/, "");
  return `${sign}${abs / NANOS_PER_USD}${fraction ? `.${fraction}` : ""}`;
}

/**
 * For JSON answers: the double nearest the exact amount. Below $1,000,000 (15 significant
 * digits) its shortest spelling is the exact amount; up to ~$9e6 (2^53 nanos) it is off by
 * less than a nano-dollar. Store and add the bigint, never this.
 */
export function nanosToUsd(n: bigint): number {
  return Number(formatNanos(n));
}

function toRate(value: unknown): Rate | undefined {
  if (typeof value === "number") return usdToNanos(value);
  if (typeof value === "object" && value !== null && "base" in value && "tiers" in value) {
    const { base, tiers } = value as { base: number; tiers: { start: number; price: number }[] };
    return {
      base: usdToNanos(base),
      tiers: [...tiers].sort((a, b) => a.start - b.start).map((t) => ({ start: t.start, price: usdToNanos(t.price) })),
    };
  }
  return undefined;
}

// Catalog price objects are shared and immutable, so their conversion is done once.
const catalogTables = new WeakMap<ModelPrice, RateTable>();

function tableFromCatalog(price: ModelPrice): RateTable {
  let table = catalogTables.get(price);
  if (!table) {
    const units: RateTable["units"] = {};
    for (const unit of UNIT_NAMES) {
      const rate = toRate(price[UNITS[unit].priceKey]);
      if (rate !== undefined) units[unit] = rate;
    }
    // Keys we hold no usage for (web searches, images, seconds...) cost nothing here.
    const perK = price.requests_kcount;
    table = { units, perKRequestsNanos: typeof perK === "number" ? usdToNanos(perK) : null };
    catalogTables.set(price, table);
  }
  return table;
}

/** A missing rate is simply not in the table, so those tokens fall to the plain input/output rate. */
function tableFromCustom(p: CustomPrice): RateTable {
  const units: RateTable["units"] = { input: p.inputPerMTokNanos, output: p.outputPerMTokNanos };
  const optional: [Unit, bigint | null | undefined][] = [
    ["cache_read", p.cachedInputPerMTokNanos],
    ["cache_write", p.cacheWritePerMTokNanos],
    ["input_audio", p.audioInputPerMTokNanos],
    ["output_reasoning", p.reasoningPerMTokNanos],
    ["output_audio", p.audioOutputPerMTokNanos],
  ];
  for (const [unit, rate] of optional) if (rate !== null && rate !== undefined) units[unit] = rate;
  // Cached audio is a cache read first: the cache discount is what the customer set it for.
  if (units.cache_read !== undefined && units.input_audio !== undefined) units.cache_audio_read = units.cache_read;
  for (const rate of Object.values(units)) {
    if (typeof rate === "bigint" && rate < 0n) throw new RangeError(`custom price for ${p.model} is negative`);
  }
  return { units, perKRequestsNanos: null };
}

/** Same rule as genai-prices: the tier whose start the total input tokens exceed. */
function rateFor(rate: Rate, totalInput: number): bigint {
  if (typeof rate === "bigint") return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (totalInput > tier.start) price = tier.price;
  return price;
}

function unitCounts(tokens: UsageTokens, detail: Partial<UsageDetail> | null | undefined): Record<Unit, number> {
  return {
    input: tokens.input,
    cache_read: tokens.cachedInput,
    cache_audio_read: detail?.cachedAudioInput ?? estimateCachedAudioInput(tokens),
    cache_write: tokens.cacheWrite,
    cache_write_1h: detail?.cacheWrite1h ?? 0,
    input_audio: tokens.audioInput,
    output: tokens.output,
    output_reasoning: tokens.reasoning,
    output_audio: tokens.audioOutput,
  };
}

const isPartOf = (part: Unit, whole: Unit) => part !== whole && UNITS[whole].dims.every((d) => UNITS[part].dims.includes(d));

/**
 * Splits the counts so that each token lands on exactly one priced unit (the most
 * specific one), then bills each unit: round-half-up(tokens × rate / 1e6).
 */
function costFromTable(table: RateTable, counts: Record<Unit, number>): CostBreakdown {
  const breakdown = zeroBreakdown();
  const priced = UNIT_NAMES.filter((u) => table.units[u] !== undefined).sort((a, b) => UNITS[b].dims.length - UNITS[a].dims.length);
  const own: Partial<Record<Unit, number>> = {};
  for (const unit of priced) {
    const taken = priced.filter((p) => isPartOf(p, unit)).reduce((acc, p) => acc + (own[p] ?? 0), 0);
    const left = counts[unit] - taken;
    if (left < 0) {
      throw new UsageError(`token counts contradict each other (${unit})`, [{ path: [unit], message: "its parts add up to more than it" }]);
    }
    own[unit] = left;
    const rate = rateFor(table.units[unit]!, counts.input);
    breakdown[UNITS[unit].bucket] += divideRoundHalfUp(BigInt(left) * rate, MTOK);
  }
  // A per-request fee, as genai-prices bills it: one request per recorded call.
  if (table.perKRequestsNanos !== null) breakdown.requests = divideRoundHalfUp(table.perKRequestsNanos, 1000n);
  return breakdown;
}

/** Where the library's own model_match does not reach (embeddings, o-series spellings). */
function inferProvider(model: string): string | null {
  const m = model.toLowerCase();
  const openai = /^(gpt-|chatgpt|o1|o3|o4|text-embedding|omni-moderation|whisper|tts-|dall-e|davinci|babbage)/;
  if (openai.test(m)) return "openai";
  if (m.includes("claude")) return "anthropic";
  if (m.includes("gemini")) return "google";
  return null;
}

export type CatalogMatch = { price: ModelPrice; matchedModel: string; provider: string };

/** The catalog price in force at `at`, trying the caller's provider, the library's guess, then ours. */
/** Catalog lookups by (model, provider, minute): the hot paths price the same few models all day. */
const catalogCache = new Map<string, CatalogMatch | null>();
const CATALOG_CACHE_MAX = 2_000;

export function findCatalogPrice(model: string, provider: string | null, at: Date): CatalogMatch | null {
  const key = `${model}\u001f${provider ?? ""}\u001f${Math.floor(at.getTime() / 60_000)}`;
  const hit = catalogCache.get(key);
  if (hit !== undefined) return hit;
  const found = lookUpCatalogPrice(model, provider, at);
  if (catalogCache.size >= CATALOG_CACHE_MAX) catalogCache.clear();
  catalogCache.set(key, found);
  return found;
}

function lookUpCatalogPrice(model: string, provider: string | null, at: Date): CatalogMatch | null {
  const attempts: [string, string | undefined][] = [];
  if (provider) attempts.push([model, provider.toLowerCase()]);
  attempts.push([model, undefined]);
  const inferred = inferProvider(model);
  if (inferred) attempts.push([model, inferred]);
  // "openai/gpt-4o-mini" (gateway style): the prefix names the provider.
  const slash = model.indexOf("/");
  if (slash > 0) attempts.push([model.slice(slash + 1), model.slice(0, slash).toLowerCase()]);
  for (const [modelId, providerId] of attempts) {
    let found: ReturnType<typeof calcPrice> = null;
    try {
      // Empty usage: we only want the match; the arithmetic is ours.
      found = calcPrice({}, modelId, { providerId, timestamp: at });
    } catch {
      found = null; // A malformed catalog entry must not fail the recording of an event.
    }
    if (found) return { price: found.model_price, matchedModel: found.model.id, provider: found.provider.id };
  }
  return null;
}

function checkTokens(tokens: UsageTokens) {
  for (const [key, value] of Object.entries(tokens)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new UsageError(`tokens.${key} must be a non-negative integer`, [{ path: [key], message: "invalid count" }]);
    }
  }
}

function zeroBreakdown(): CostBreakdown {
  return {
    input: 0n,
    cachedInput: 0n,
    cacheWrite: 0n,
    audioInput: 0n,
    output: 0n,
    reasoning: 0n,
    audioOutput: 0n,
    requests: 0n,
  };
}

function sumBreakdown(b: CostBreakdown): bigint {
  return Object.values(b).reduce((acc: bigint, v: bigint) => acc + v, 0n);
}

/** Cost of one call. Unknown model: cost 0 and priced false (the caller warns `unknown_model_price`). */
export function priceCall(input: PriceCallInput): PriceCallResult {
  const { tokens, at } = input;
  if (Number.isNaN(at.getTime())) throw new RangeError("priceCall: `at` is not a valid date");
  checkTokens(tokens);
  const model = input.model.trim();
  const provider = input.provider?.trim() || null;
  const counts = unitCounts(tokens, input.detail);
  const custom = input.customPrices?.find((p) => p.model.trim().toLowerCase() === model.toLowerCase());
  if (custom) {
    const breakdown = costFromTable(tableFromCustom(custom), counts);
    return {
      costNanos: sumBreakdown(breakdown),
      priced: true,
      source: "custom",
      matchedModel: custom.model,
      provider: provider ?? inferProvider(model),
      breakdown,
    };
  }
  const match = findCatalogPrice(model, provider, at);
  if (!match) {
    return {
      costNanos: 0n,
      priced: false,
      source: null,
      matchedModel: null,
      provider: provider ?? inferProvider(model),
      breakdown: zeroBreakdown(),
    };
  }
  const breakdown = costFromTable(tableFromCatalog(match.price), counts);
  return {
    costNanos: sumBreakdown(breakdown),
    priced: true,
    source: "catalog",
    matchedModel: match.matchedModel,
    provider: match.provider,
    breakdown,
  };
}

/** The same counts under genai-prices' usage keys (to cross-check against its float maths). */
export function toCatalogUsage(tokens: UsageTokens, detail?: Partial<UsageDetail> | null): Record<string, number> {
  const counts = unitCounts(tokens, detail);
  return {
    input_tokens: counts.input,
    cache_read_tokens: counts.cache_read,
    cache_audio_read_tokens: counts.cache_audio_read,
    cache_write_tokens: counts.cache_write,
    cache_write_1h_tokens: counts.cache_write_1h,
    input_audio_tokens: counts.input_audio,
    output_tokens: counts.output,
    output_reasoning_tokens: counts.output_reasoning,
    output_audio_tokens: counts.output_audio,
  };
}
