// Threshold choice and label metrics for the intent models.

/**
 * The lowest logit threshold whose weighted false-positive rate on `neg` is at most `maxFpr`
 * (equal weights give the plain rate; 1/n per row of a source of n rows, the rate averaged
 * over sources).
 */
export function thresholdAtWeightedFpr(neg: number[], weights: number[], maxFpr: number): number {
  const order = neg.map((s, i) => ({ s, w: weights[i] })).sort((a, b) => b.s - a.s);
  const total = order.reduce((sum, x) => sum + x.w, 0);
  let above = 0;
  for (let k = 0; k < order.length; k++) {
    // Putting the threshold below order[k] makes it a false positive too.
    if ((above + order[k].w) / total > maxFpr) return k === 0 ? order[0].s + 1e-6 : (order[k].s + order[k - 1].s) / 2;
    above += order[k].w;
  }
  return -Infinity;
}

/** The logit threshold with the best F1 on out-of-fold scores. */
export function thresholdBestF1(pos: number[], neg: number[]): number {
  const all = [...pos.map((s) => ({ s, y: 1 })), ...neg.map((s) => ({ s, y: 0 }))].sort((a, b) => b.s - a.s);
  let tp = 0;
  let fp = 0;
  let best = { f1: -1, t: 0 };
  for (let i = 0; i < all.length; i++) {
    if (all[i].y) tp++;
    else fp++;
    if (i + 1 < all.length && all[i + 1].s === all[i].s) continue;
    const f1 = (2 * tp) / (2 * tp + fp + (pos.length - tp));
    const t = i + 1 < all.length ? (all[i].s + all[i + 1].s) / 2 : all[i].s - 1e-6;
    if (f1 > best.f1) best = { f1, t };
  }
  return best.t;
}

export interface TLabelMetrics {
  support: number;
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
}

export function labelMetrics(gold: string[], predicted: string[][], label: string): TLabelMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < gold.length; i++) {
    const hit = predicted[i].includes(label);
    if (gold[i] === label && hit) tp++;
    else if (hit) fp++;
    else if (gold[i] === label) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { support: tp + fn, predicted: tp + fp, precision: r(precision), recall: r(recall), f1: r(f1) };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
