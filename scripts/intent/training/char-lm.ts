// The character language model of features.ts: order-3 counts over its 63-symbol alphabet,
// Witten–Bell smoothed (trigram → bigram → unigram), stored as −log2 P × LM_STEPS_PER_BIT in one
// byte per (context, symbol). Trained on the benign (non-jailbreak) training rows only.
//
// Cross-fitting: a benign row's LM features are computed with a table that has not seen the
// row's own source (all benign rows of the other sources), so the model learns what a benign text
// from an unseen source scores, not what a memorised one does. Jailbreak rows and rows outside
// the training indices are scored with the full table, which never saw them either.
import { LM_STEPS_PER_BIT, LM_SYMBOLS, LM_TABLE_SIZE, lmSymbolsOf, textForModel } from "@/server/services/intent/features";
import type { TRow } from "./data";

function countInto(counts: Float64Array, text: string): void {
  const syms = lmSymbolsOf(textForModel(text));
  let a = 0;
  let b = 0;
  for (let i = 0; i < syms.length; i++) {
    const c = syms[i];
    counts[(a << 12) | (b << 6) | c]++;
    a = b;
    b = c;
  }
}

/** The byte table of smoothed trigram counts. */
export function lmTable(tri: Float64Array): Uint8Array {
  const S = LM_SYMBOLS;
  const uni = new Float64Array(S);
  const bi = new Float64Array(S * S);
  for (let k = 0; k < LM_TABLE_SIZE; k++) {
    if (tri[k] === 0) continue;
    bi[k & (S * S - 1)] += tri[k];
    uni[k & (S - 1)] += tri[k];
  }
  let n = 0;
  for (let c = 0; c < S; c++) n += uni[c];
  const p1 = new Float64Array(S);
  for (let c = 0; c < S; c++) p1[c] = (uni[c] + 0.5) / (n + 0.5 * S);
  const p2 = new Float64Array(S * S);
  for (let b = 0; b < S; b++) {
    let total = 0;
    let types = 0;
    for (let c = 0; c < S; c++) {
      total += bi[b * S + c];
      if (bi[b * S + c] > 0) types++;
    }
    for (let c = 0; c < S; c++) p2[b * S + c] = total > 0 ? (bi[b * S + c] + types * p1[c]) / (total + types) : p1[c];
  }
  const table = new Uint8Array(LM_TABLE_SIZE);
  for (let ab = 0; ab < S * S; ab++) {
    let total = 0;
    let types = 0;
    for (let c = 0; c < S; c++) {
      total += tri[ab * S + c];
      if (tri[ab * S + c] > 0) types++;
    }
    const b = ab & (S - 1);
    for (let c = 0; c < S; c++) {
      const p = total > 0 ? (tri[ab * S + c] + types * p2[b * S + c]) / (total + types) : p2[b * S + c];
      table[ab * S + c] = Math.min(255, Math.round(-Math.log2(p) * LM_STEPS_PER_BIT));
    }
  }
  return table;
}

/** A table trained on some texts (tests, experiments). */
export function lmTableFromTexts(texts: string[]): Uint8Array {
  const counts = new Float64Array(LM_TABLE_SIZE);
  for (const t of texts) countInto(counts, t);
  return lmTable(counts);
}

export interface TCharLms {
  /** The table trained on every benign row of `indices` (the one shipped). */
  full: Uint8Array;
  /** The table to compute row i's features with (cross-fitted by source for benign training rows). */
  forRow: (i: number) => Uint8Array;
}

export function charLms(rows: TRow[], indices: number[]): TCharLms {
  const byGroup = new Map<string, Float64Array>();
  const total = new Float64Array(LM_TABLE_SIZE);
  for (const i of indices) {
    const r = rows[i];
    if (r.label === "jailbreak") continue;
    let g = byGroup.get(r.group);
    if (!g) byGroup.set(r.group, (g = new Float64Array(LM_TABLE_SIZE)));
    countInto(g, r.text);
  }
  for (const g of byGroup.values()) for (let k = 0; k < LM_TABLE_SIZE; k++) total[k] += g[k];
  const full = lmTable(total);
  const without = new Map<string, Uint8Array>();
  for (const [group, g] of [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rest = new Float64Array(LM_TABLE_SIZE);
    for (let k = 0; k < LM_TABLE_SIZE; k++) rest[k] = total[k] - g[k];
    without.set(group, lmTable(rest));
  }
  const inTraining = new Set(indices);
  return {
    full,
    forRow: (i) => (inTraining.has(i) && rows[i].label !== "jailbreak" ? without.get(rows[i].group)! : full),
  };
}
