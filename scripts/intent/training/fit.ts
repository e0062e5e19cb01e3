// Fitting the three intent models with a threshold picked on out-of-fold scores.
import { normalizeText, prepareText, textForModel, vectorOf, windowBounds, type FeatureVector } from "@/server/services/intent/features";
import { encodeLinearModel, type TLinearModelJson } from "@/server/services/intent/linear";
import { kFolds, type TRow } from "./data";
import { floatScore, trainLogistic, type TFloatModel, type TSparse } from "./logistic";
import { thresholdAtWeightedFpr, thresholdBestF1 } from "./metrics";

export const JAILBREAK_BITS = 18;
export const SENTIMENT_BITS = 16;
/** Out-of-fold false-positive rate the jailbreak threshold is set to: below the 3% target. */
export const TARGET_FPR = 0.02;
const TRAIN = { epochs: 6, learningRate: 0.2, l2: 1e-5, seed: 1 };
const FOLDS = 4;

export interface TExamples {
  rows: TRow[];
  whole: TSparse[];
  /** Window vectors of each row (empty for short rows), as scored by the classifier. */
  windows: TSparse[][];
  /** For rows with a spliced-in injection: which window holds it (-1: the whole text). */
  injectionWindow: number[];
}

const copy = (fv: FeatureVector): TSparse => ({
  idx: fv.idx.slice(0, fv.n),
  val: fv.val.slice(0, fv.n),
  dense: fv.dense.slice(),
});

export function buildExamples(rows: TRow[]): TExamples {
  const whole: TSparse[] = [];
  const windows: TSparse[][] = [];
  const injectionWindow: number[] = [];
  for (const row of rows) {
    const t = textForModel(row.text);
    prepareText(t);
    whole.push(copy(vectorOf(0, t.length)));
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
  return { rows, whole, windows, injectionWindow };
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
  return trainLogistic(ex.whole, ys, indices, { bits: SENTIMENT_BITS, ...TRAIN, weights });
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
  const folds = kFolds(ex.rows, indices, FOLDS, seed);
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
    for (const i of fold) (ex.rows[i].label === label ? pos : neg).push(floatScore(m, ex.whole[i]));
  });
  return { model: trainSentiment(ex, indices, label), threshold: thresholdBestF1(pos, neg) };
}

export function encode(fitted: TFitted): TLinearModelJson {
  const { model, threshold } = fitted;
  return encodeLinearModel(model.w, model.b - threshold, model.d, model.bits);
}
