// Fitting the three intent models with a threshold picked on out-of-fold scores.
import {
  DENSE_FEATURES,
  LM_FEATURES,
  normalizeText,
  prepareText,
  textForModel,
  vectorOf,
  windowBounds,
  type FeatureVector,
} from "@/server/services/intent/features";
import { encodeLinearModel, type TLinearModelJson } from "@/server/services/intent/linear";
import { kFolds, type TRow } from "./data";
import { floatScore, trainLogistic, type TFloatModel, type TSparse } from "./logistic";
import { thresholdAtWeightedFpr, thresholdBestF1 } from "./metrics";

export const JAILBREAK_BITS = 18;
export const SENTIMENT_BITS = 16;
/** Out-of-fold false-positive rate the jailbreak threshold is set to: below the 3% target. */
export const TARGET_FPR = Number(process.env.INTENT_TARGET_FPR ?? 0.02);
/** Experiments: dense features to zero (comma-separated indices into DENSE_FEATURES), e.g. "3,4,5". */
const DENSE_OFF = (process.env.INTENT_DENSE_OFF ?? "")
  .split(",")
  .filter((x) => x.trim())
  .map(Number);
const TRAIN = {
  epochs: Number(process.env.INTENT_EPOCHS ?? 6),
  learningRate: Number(process.env.INTENT_LR ?? 0.2),
  l2: Number(process.env.INTENT_L2 ?? 1e-5),
  seed: 1,
};
const FOLDS = 4;
/** Experiments: "source" picks the jailbreak threshold on folds of whole sources instead of rows. */
const THRESHOLD_FOLDS = process.env.INTENT_THRESHOLD_FOLDS ?? "rows";

/** k folds of whole sources (groups), largest first into the smallest fold: a dev split of sources. */
function sourceFolds(rows: TRow[], indices: number[], k: number): number[][] {
  const byGroup = new Map<string, number[]>();
  for (const i of indices) byGroup.set(rows[i].group, [...(byGroup.get(rows[i].group) ?? []), i]);
  const groups = [...byGroup.entries()].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
  const folds: number[][] = Array.from({ length: k }, () => []);
  for (const [, idx] of groups) {
    let smallest = 0;
    for (let f = 1; f < k; f++) if (folds[f].length < folds[smallest].length) smallest = f;
    folds[smallest].push(...idx);
  }
  return folds;
}

export interface TExamples {
  rows: TRow[];
  whole: TSparse[];
  /** Window vectors of each row (empty for short rows), as scored by the classifier. */
  windows: TSparse[][];
  /** For rows with a spliced-in injection: which window holds it (-1: the whole text). */
  injectionWindow: number[];
  /** The suffix head's input: the whole text's dense features only. */
  head: TSparse[];
}

/**
 * Dense features the linear models do not get: the character-LM ones (they learned "fluent
 * English = jailbreak, unusual text = safe" from long role-play prompts against code and other
 * languages, and raised false positives on unseen sources; the suffix head uses them instead) and
 * the bare harm-word count (it flagged benign security requests; harmInFrame keeps the
 * combination with a frame).
 */
const LINEAR_OFF = [...LM_FEATURES, DENSE_FEATURES.indexOf("harmWords")];
/** What the suffix head reads: every dense feature but the harm and framing lexicons. */
const HEAD_OFF = ["harmWords", "framingWords", "harmInFrame"].map((n) => DENSE_FEATURES.indexOf(n as (typeof DENSE_FEATURES)[number]));
export const HEAD_FPR = Number(process.env.INTENT_HEAD_FPR ?? 0.005);

const copy = (fv: FeatureVector): TSparse => {
  const dense = fv.dense.slice();
  for (const k of [...LINEAR_OFF, ...DENSE_OFF]) dense[k] = 0;
  return { idx: fv.idx.slice(0, fv.n), val: fv.val.slice(0, fv.n), dense };
};
const headCopy = (fv: FeatureVector): TSparse => {
  const dense = fv.dense.slice();
  for (const k of [...HEAD_OFF, ...DENSE_OFF]) dense[k] = 0;
  return { idx: new Int32Array(0), val: new Float32Array(0), dense };
};

/** Feature vectors of every row; `lmFor(i)` is the character LM table row i is scored with (char-lm.ts). */
export function buildExamples(rows: TRow[], lmFor?: (i: number) => Uint8Array): TExamples {
  const whole: TSparse[] = [];
  const windows: TSparse[][] = [];
  const injectionWindow: number[] = [];
  const head: TSparse[] = [];
  for (const [i, row] of rows.entries()) {
    const t = textForModel(row.text);
    prepareText(t, lmFor?.(i));
    const fv = vectorOf(0, t.length);
    head.push(headCopy(fv));
    whole.push(copy(fv));
    const b = windowBounds(t);
    const w: TSparse[] = [];
    for (let k = 0; k < b.length; k += 2) w.push(copy(vectorOf(b[k], b[k + 1])));
    windows.push(w);
    let at = -1;
    if (row.injection && b.length > 0) {
      const pos = t.indexOf(normalizeText(row.injection));
      at = 0;
      while (at + 1 < w.length && b[2 * at + 1] <= pos) at++;
    }
    injectionWindow.push(at);
  }
  return { rows, whole, windows, injectionWindow, head };
}

/**
 * The jailbreak training set for some rows: the whole text of each row, except that a spliced-in
 * injection is learned from its window only (the rest of its text is benign), plus every window
 * of every non-jailbreak row as a further safe example. Rows are weighted by groupWeights.
 */
function jailbreakSet(ex: TExamples, indices: number[]): { xs: TSparse[]; ys: number[]; weights: number[] } {
  const xs: TSparse[] = [];
  const ys: number[] = [];
  const weights: number[] = [];
  const rowWeight = groupWeights(ex.rows, indices, (r) => r.label === "jailbreak");
  for (const i of indices) {
    const positive = ex.rows[i].label === "jailbreak";
    const add = (x: TSparse, y: number) => {
      xs.push(x);
      ys.push(y);
      weights.push(rowWeight.get(i)!);
    };
    add(positive && ex.injectionWindow[i] >= 0 ? ex.windows[i][ex.injectionWindow[i]] : ex.whole[i], positive ? 1 : 0);
    if (!positive) for (const w of ex.windows[i]) add(w, 0);
  }
  return { xs, ys, weights };
}

/**
 * Row weights that give every source the same say: each row of a group with n rows (positive
 * and negative rows counted apart) weighs 1/n, so the 1,036 DAN-style prompts of one
 * source do not decide what every jailbreak looks like, nor 554 templated rows what safe looks
 * like. Balanced class weights are applied on top (logistic.ts).
 */
function groupWeights(rows: TRow[], indices: number[], positive: (r: TRow) => boolean): Map<number, number> {
  const size = new Map<string, number>();
  const key = (r: TRow) => `${r.group}|${positive(r)}`;
  for (const i of indices) size.set(key(rows[i]), (size.get(key(rows[i])) ?? 0) + 1);
  const w = new Map<number, number>();
  for (const i of indices) w.set(i, 1 / size.get(key(rows[i]))!);
  return w;
}

/** The classifier's jailbreak logit: the highest of the whole text and its windows. */
export function jailbreakLogit(m: TFloatModel, ex: TExamples, i: number): number {
  let z = floatScore(m, ex.whole[i]);
  for (const w of ex.windows[i]) z = Math.max(z, floatScore(m, w));
  return z;
}

function trainJailbreak(ex: TExamples, indices: number[]): TFloatModel {
  const { xs, ys, weights } = jailbreakSet(ex, indices);
  return trainLogistic(
    xs,
    ys,
    xs.map((_, k) => k),
    { bits: JAILBREAK_BITS, ...TRAIN, weights },
  );
}

function trainSentiment(ex: TExamples, indices: number[], label: string): TFloatModel {
  const ys = ex.rows.map((r) => (r.label === label ? 1 : 0));
  const rowWeight = groupWeights(ex.rows, indices, (r) => r.label === label);
  const weights = ex.rows.map((_, i) => rowWeight.get(i) ?? 0);
  return trainLogistic(sentimentInputs(ex), ys, indices, { bits: SENTIMENT_BITS, ...TRAIN, weights });
}

/** Frustration and win read the n-grams and the first three dense ratios only (the attack features are not theirs). */
const SENTIMENT_DENSE = 3;
const sentimentCache = new WeakMap<TExamples, TSparse[]>();
function sentimentInputs(ex: TExamples): TSparse[] {
  let xs = sentimentCache.get(ex);
  if (!xs) {
    xs = ex.whole.map((x) => {
      const dense = new Float32Array(x.dense.length);
      dense.set(x.dense.subarray(0, SENTIMENT_DENSE));
      return { idx: x.idx, val: x.val, dense };
    });
    sentimentCache.set(ex, xs);
  }
  return xs;
}

export interface TFitted {
  model: TFloatModel;
  /** Logit threshold; encode() folds it into the bias. */
  threshold: number;
}

/** Jailbreak model on `indices`, thresholded at TARGET_FPR (averaged over sources) on out-of-fold non-jailbreak rows. */
export function fitJailbreak(ex: TExamples, indices: number[], seed = 3): TFitted {
  const neg: number[] = [];
  const negGroup: string[] = [];
  const folds = THRESHOLD_FOLDS === "source" ? sourceFolds(ex.rows, indices, FOLDS) : kFolds(ex.rows, indices, FOLDS, seed);
  folds.forEach((fold, f) => {
    const m = trainJailbreak(
      ex,
      folds.flatMap((x, j) => (j === f ? [] : x)),
    );
    for (const i of fold) {
      if (ex.rows[i].label === "jailbreak") continue;
      neg.push(jailbreakLogit(m, ex, i));
      negGroup.push(ex.rows[i].group);
    }
  });
  // The rate is averaged over sources (each source's rows weigh 1/n): a threshold that is fine on
  // hundreds of easy templated rows but flags 20% of one hard source is not fine.
  const n = new Map<string, number>();
  for (const g of negGroup) n.set(g, (n.get(g) ?? 0) + 1);
  const threshold = thresholdAtWeightedFpr(
    neg,
    negGroup.map((g) => 1 / n.get(g)!),
    TARGET_FPR,
  );
  if (process.env.INTENT_DEBUG) {
    const flagged = new Map<string, number>();
    neg.forEach((z, k) => z > threshold && flagged.set(negGroup[k], (flagged.get(negGroup[k]) ?? 0) + 1));
    for (const [g, c] of [...n].sort()) process.stderr.write(`oof fpr ${((flagged.get(g) ?? 0) / c).toFixed(3)} ${g}\n`);
  }
  return { model: trainJailbreak(ex, indices), threshold };
}

/** Frustration or win model on `indices`, thresholded at the best out-of-fold F1. */
export function fitSentiment(ex: TExamples, indices: number[], label: "frustration" | "win", seed = 3): TFitted {
  const pos: number[] = [];
  const neg: number[] = [];
  const folds = kFolds(ex.rows, indices, FOLDS, seed);
  folds.forEach((fold, f) => {
    const m = trainSentiment(
      ex,
      folds.flatMap((x, j) => (j === f ? [] : x)),
      label,
    );
    for (const i of fold) (ex.rows[i].label === label ? pos : neg).push(floatScore(m, sentimentInputs(ex)[i]));
  });
  return { model: trainSentiment(ex, indices, label), threshold: thresholdBestF1(pos, neg) };
}

export function encode(fitted: TFitted): TLinearModelJson {
  const { model, threshold } = fitted;
  return encodeLinearModel(model.w, model.b - threshold, model.d, model.bits);
}

/** Rows the suffix head learns as positives: attacks built from an optimised adversarial suffix (GCG runs and demos). */
export const isSuffixAttack = (r: TRow) => r.label === "jailbreak" && /\/GCG\/|GCG_Demo_Results/.test(r.source);

function trainHead(ex: TExamples, indices: number[]): TFloatModel {
  const use = indices.filter((i) => ex.rows[i].label !== "jailbreak" || isSuffixAttack(ex.rows[i]));
  const ys = ex.rows.map((r) => (isSuffixAttack(r) ? 1 : 0));
  const rowWeight = groupWeights(ex.rows, use, isSuffixAttack);
  const weights = ex.rows.map((_, i) => rowWeight.get(i) ?? 0);
  return trainLogistic(ex.head, ys, use, { bits: 0, epochs: 40, learningRate: 0.1, l2: 1e-4, seed: 5, weights });
}

/**
 * The optimised-suffix head on `indices` (none when they hold no suffix attack), its threshold
 * at HEAD_FPR averaged over sources on out-of-fold non-jailbreak rows (not those only the LM and
 * this head read): it adds to the main model's false positives, so it gets a small share.
 */
export function fitSuffixHead(ex: TExamples, indices: number[], seed = 3): { bias: number; dense: number[] } | undefined {
  if (!indices.some((i) => isSuffixAttack(ex.rows[i]))) return undefined;
  const neg: number[] = [];
  const negGroup: string[] = [];
  const folds = kFolds(ex.rows, indices, FOLDS, seed);
  folds.forEach((fold, f) => {
    const m = trainHead(
      ex,
      folds.flatMap((x, j) => (j === f ? [] : x)),
    );
    for (const i of fold) {
      // Rows only the LM and this head read teach it, but do not set its threshold: a source of easy
      // negatives would lower the false-positive rate averaged over sources, and the threshold with it.
      if (ex.rows[i].label === "jailbreak" || ex.rows[i].lmAndHeadsOnly) continue;
      neg.push(floatScore(m, ex.head[i]));
      negGroup.push(ex.rows[i].group);
    }
  });
  const n = new Map<string, number>();
  for (const g of negGroup) n.set(g, (n.get(g) ?? 0) + 1);
  const threshold = thresholdAtWeightedFpr(
    neg,
    negGroup.map((g) => 1 / n.get(g)!),
    HEAD_FPR,
  );
  const m = trainHead(ex, indices);
  const round = (x: number) => Number(x.toPrecision(7));
  return { bias: round(m.b - threshold), dense: Array.from(m.d, round) };
}
