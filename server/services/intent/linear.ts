// A hashed linear model as stored in model.json: int8 weights (base64) times one scale, a bias
// and dense weights. The decision threshold is folded into the bias at training time, so
// sigmoid(score) >= 0.5 means "label fires" for every model.
import { DENSE_FEATURES, type FeatureVector } from "./features";

export interface TLinearModelJson {
  /** log2 of the number of weight buckets; feature buckets are folded with `& (2^bits - 1)`. */
  bits: number;
  scale: number;
  bias: number;
  dense: number[];
  /** base64 of 2^bits signed bytes. */
  weights: string;
}

export interface LinearModel {
  mask: number;
  scale: number;
  bias: number;
  dense: Float32Array;
  weights: Int8Array;
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function decodeLinearModel(json: TLinearModelJson): LinearModel {
  const bytes = base64ToBytes(json.weights);
  if (bytes.length !== 1 << json.bits) throw new Error(`intent model: expected ${1 << json.bits} weights, got ${bytes.length}`);
  // A model trained before later dense features existed gives them weight 0.
  if (json.dense.length > DENSE_FEATURES.length) throw new Error("intent model: dense feature count mismatch");
  const dense = new Float32Array(DENSE_FEATURES.length);
  dense.set(json.dense);
  return {
    mask: (1 << json.bits) - 1,
    scale: json.scale,
    bias: json.bias,
    dense,
    weights: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length),
  };
}

/** Quantises float weights to int8 with one scale (max |w| maps to 127). */
export function encodeLinearModel(weights: Float64Array, bias: number, dense: ArrayLike<number>, bits: number): TLinearModelJson {
  let max = 0;
  for (let i = 0; i < weights.length; i++) max = Math.max(max, Math.abs(weights[i]));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i] / scale);
  const round = (x: number) => Number(x.toPrecision(7));
  return {
    bits,
    scale: round(scale),
    bias: round(bias),
    dense: Array.from(dense, round),
    weights: bytesToBase64(new Uint8Array(q.buffer)),
  };
}

/** The model's logit for a feature vector. */
export function linearScore(model: LinearModel, fv: FeatureVector): number {
  const { weights, mask } = model;
  let dot = 0;
  for (let i = 0; i < fv.n; i++) dot += weights[fv.idx[i] & mask] * fv.val[i];
  let z = model.bias + model.scale * dot;
  for (let k = 0; k < model.dense.length; k++) z += model.dense[k] * fv.dense[k];
  return z;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
