// L2-regularised logistic regression on hashed sparse vectors, trained with AdaGrad SGD in a
// seeded order so a run is reproducible bit for bit.
import { mulberry32, shuffleInPlace } from "./data";

export interface TSparse {
  idx: Int32Array;
  val: Float32Array;
  dense: Float32Array;
}

export interface TFloatModel {
  bits: number;
  w: Float64Array;
  b: number;
  d: Float64Array;
}

export interface TTrainOptions {
  bits: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Per-example weight (default 1), on top of the balanced class weights. */
  weights?: ArrayLike<number>;
}

export function trainLogistic(xs: TSparse[], ys: ArrayLike<number>, indices: number[], opts: TTrainOptions): TFloatModel {
  const size = 1 << opts.bits;
  const mask = size - 1;
  const nDense = xs[0]?.dense.length ?? 0;
  const w = new Float64Array(size);
  const g2 = new Float64Array(size);
  const d = new Float64Array(nDense);
  const d2 = new Float64Array(nDense);
  let b = 0;
  let b2 = 0;
  // Balanced class weights: each class contributes half of the loss.
  const weightOf = (i: number) => opts.weights?.[i] ?? 1;
  let pos = 0;
  let neg = 0;
  for (const i of indices) {
    if (ys[i]) pos += weightOf(i);
    else neg += weightOf(i);
  }
  const total = pos + neg;
  const wPos = total / (2 * Math.max(1e-9, pos));
  const wNeg = total / (2 * Math.max(1e-9, neg));
  const rand = mulberry32(opts.seed);
  const order = [...indices];
  const eps = 1e-8;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, rand);
    for (const i of order) {
      const x = xs[i];
      let z = b;
      for (let k = 0; k < x.idx.length; k++) z += w[x.idx[k] & mask] * x.val[k];
      for (let k = 0; k < nDense; k++) z += d[k] * x.dense[k];
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - ys[i]) * (ys[i] ? wPos : wNeg) * weightOf(i);
      for (let k = 0; k < x.idx.length; k++) {
        const j = x.idx[k] & mask;
        const g = err * x.val[k] + opts.l2 * w[j];
        g2[j] += g * g;
        w[j] -= (opts.learningRate * g) / Math.sqrt(g2[j] + eps);
      }
      for (let k = 0; k < nDense; k++) {
        const g = err * x.dense[k] + opts.l2 * d[k];
        d2[k] += g * g;
        d[k] -= (opts.learningRate * g) / Math.sqrt(d2[k] + eps);
      }
      b2 += err * err;
      b -= (opts.learningRate * err) / Math.sqrt(b2 + eps);
    }
  }
  return { bits: opts.bits, w, b, d };
}

export function floatScore(m: TFloatModel, x: TSparse): number {
  const mask = (1 << m.bits) - 1;
  let z = m.b;
  for (let k = 0; k < x.idx.length; k++) z += m.w[x.idx[k] & mask] * x.val[k];
  for (let k = 0; k < m.d.length; k++) z += m.d[k] * x.dense[k];
  return z;
}
