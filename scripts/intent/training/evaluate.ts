// Scores a classifier on labelled rows: per-label precision/recall/F1, false positives on safe
// rows and per-prompt latency. Shared by scripts/intent/train.ts and eval.ts.
import type { IntentClassifier, TClassifyOptions } from "@/server/services/intent/create-classifier";
import { labelMetrics, percentile, type TLabelMetrics } from "./metrics";

export interface TEvalRow {
  text: string;
  label: string;
}

export interface TEvalReport {
  n: number;
  labels: Record<string, TLabelMetrics>;
  /** Share of gold-safe rows that got the jailbreak label. */
  jailbreakFprOnSafe: number;
  /** Share of gold-safe rows that got any label other than safe. */
  fprSafe: number;
  latencyMs: { p50: number; p99: number; max: number };
}

const BUILT_IN = ["safe", "jailbreak", "frustration", "win", "tos_breach"];
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function evaluate(classifier: IntentClassifier, rows: TEvalRow[], opts: TClassifyOptions = {}): TEvalReport {
  // Warm the JIT and the lazily decoded weights so the timings describe the steady state.
  for (let i = 0; i < Math.min(rows.length, 200); i++) classifier.classifyText(rows[i].text, opts);
  const gold = rows.map((r) => (r.label === "neutral" ? "safe" : r.label));
  const predicted: string[][] = [];
  const times: number[] = [];
  for (const row of rows) {
    const t0 = performance.now();
    const { labels } = classifier.classifyText(row.text, opts);
    times.push(performance.now() - t0);
    predicted.push(labels);
  }
  const names = [...new Set([...BUILT_IN.filter((l) => l !== "tos_breach" || gold.includes(l)), ...gold])];
  const labels: Record<string, TLabelMetrics> = {};
  for (const name of names) labels[name] = labelMetrics(gold, predicted, name);
  let safe = 0;
  let safeJb = 0;
  let safeAny = 0;
  gold.forEach((g, i) => {
    if (g !== "safe") return;
    safe++;
    if (predicted[i].includes("jailbreak")) safeJb++;
    if (!(predicted[i].length === 1 && predicted[i][0] === "safe")) safeAny++;
  });
  times.sort((a, b) => a - b);
  return {
    n: rows.length,
    labels,
    jailbreakFprOnSafe: safe ? r4(safeJb / safe) : 0,
    fprSafe: safe ? r4(safeAny / safe) : 0,
    latencyMs: { p50: r4(percentile(times, 0.5)), p99: r4(percentile(times, 0.99)), max: r4(times[times.length - 1] ?? 0) },
  };
}

/** Jailbreak recall and false-positive rate of a set of rows, for per-source tables. */
export function jailbreakRates(classifier: IntentClassifier, rows: TEvalRow[]): { n: number; flagged: number; rate: number } {
  let flagged = 0;
  for (const row of rows) if (classifier.classifyText(row.text).labels.includes("jailbreak")) flagged++;
  return { n: rows.length, flagged, rate: rows.length ? r4(flagged / rows.length) : 0 };
}
