// npm run eval:intent -- --file <jsonl> [--file <jsonl> ...] [--policy <policy.txt>] [--model <model.json>]
// Scores the built-in classifier on lines {"text": ..., "label": ..., "source"?: ...} (labels:
// safe | neutral, jailbreak, frustration, win, tos_breach). Prints per-label precision/recall/F1,
// the false-positive rates on safe rows, p50/p99 classification time and, when rows name their
// source, the jailbreak rate per source; the last line is one JSON object with all of it.
import fs from "node:fs";
import { createClassifier, type TIntentModelJson } from "@/server/services/intent/create-classifier";
import builtInModel from "@/server/services/intent/model.json";
import { sourceGroup } from "./training/data";
import { familyOf } from "./training/families";
import { evaluate, jailbreakRates, type TEvalRow } from "./training/evaluate";

const args = process.argv.slice(2);
const values = (name: string) => args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));
const files = values("--file");
if (files.length === 0) {
  process.stderr.write(
    "usage: npm run eval:intent -- --file <jsonl> [--file <jsonl> ...] [--policy <policy.txt>] [--model <model.json>]\n",
  );
  process.exit(2);
}
const policyFile = values("--policy")[0];
const policy = policyFile ? fs.readFileSync(policyFile, "utf8") : undefined;
const modelFile = values("--model")[0];
const modelJson = (modelFile ? JSON.parse(fs.readFileSync(modelFile, "utf8")) : builtInModel) as TIntentModelJson;

const rows: (TEvalRow & { source?: string; family?: string })[] = [];
for (const file of files) {
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, n) => {
      if (!line.trim()) return;
      const r = JSON.parse(line) as { text?: unknown; label?: unknown; source?: unknown; family?: unknown };
      if (typeof r.text !== "string" || typeof r.label !== "string") throw new Error(`${file}:${n + 1}: need string "text" and "label"`);
      rows.push({
        text: r.text,
        label: r.label,
        ...(typeof r.source === "string" ? { source: r.source } : {}),
        ...(typeof r.family === "string" ? { family: r.family } : {}),
      });
    });
}

const classifier = createClassifier(modelJson);
const report = evaluate(classifier, rows, { policy });
const bySource: Record<string, string> = {};
const groups = new Map<string, TEvalRow[]>();
for (const r of rows) {
  if (!r.source) continue;
  const key = `${sourceGroup(r.source)} | ${r.label === "neutral" ? "safe" : r.label}`;
  groups.set(key, [...(groups.get(key) ?? []), r]);
}
for (const key of [...groups.keys()].sort()) {
  const { n, flagged } = jailbreakRates(classifier, groups.get(key)!);
  bySource[key] = `${flagged}/${n} flagged jailbreak`;
}

// Jailbreak recall per attack family: the row's own `family` when it names one (blind-3), else
// read from its source (training/families.ts).
const byFamily: Record<string, string> = {};
const families = new Map<string, TEvalRow[]>();
for (const r of rows) {
  if (r.label !== "jailbreak") continue;
  const f = r.family ?? familyOf(r.source);
  families.set(f, [...(families.get(f) ?? []), r]);
}
for (const key of [...families.keys()].sort()) {
  const { n, flagged, rate } = jailbreakRates(classifier, families.get(key)!);
  byFamily[key] = `${flagged}/${n} (${rate})`;
}

// Recall at 1% / 3% false positives on safe rows with the threshold put there after the fact
// (an "oracle" threshold: how well the scores rank, apart from where the shipped threshold sits).
const pos: number[] = [];
const neg: number[] = [];
for (const r of rows) {
  const s = classifier.classifyText(r.text).scores.jailbreak;
  if (r.label === "jailbreak") pos.push(s);
  else if (r.label === "safe" || r.label === "neutral") neg.push(s);
}
neg.sort((a, b) => b - a);
const recallAtFpr = (fpr: number) => {
  if (!pos.length || !neg.length) return null;
  const t = neg[Math.floor(fpr * neg.length)] ?? -1;
  return Math.round((pos.filter((s) => s > t).length / pos.length) * 1e3) / 1e3;
};
const oracle = { recallAt1pctFpr: recallAtFpr(0.01), recallAt3pctFpr: recallAtFpr(0.03) };

const out = (line: string) => process.stdout.write(`${line}\n`);
out(`${rows.length} rows from ${files.join(", ")}`);
for (const [label, m] of Object.entries(report.labels)) {
  out(
    `  ${label.padEnd(12)} support ${String(m.support).padStart(5)}  precision ${m.precision.toFixed(3)}  recall ${m.recall.toFixed(3)}  f1 ${m.f1.toFixed(3)}`,
  );
}
out(`  safe rows flagged jailbreak: ${report.jailbreakFprOnSafe}; flagged anything: ${report.fprSafe}`);
out(`  oracle threshold: recall at 1% FPR ${oracle.recallAt1pctFpr}, at 3% FPR ${oracle.recallAt3pctFpr}`);
out(`  latency per prompt: p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms`);
for (const [key, v] of Object.entries(bySource)) out(`  ${key}: ${v}`);
for (const [key, v] of Object.entries(byFamily)) out(`  family ${key}: ${v} caught`);
out(JSON.stringify({ files, ...report, oracle, ...(Object.keys(bySource).length ? { bySource, byFamily } : {}) }));
