// npm run eval:intent -- --file <jsonl> [--policy <policy.txt>]
// Scores the built-in classifier on lines {"text": ..., "label": ...} (labels: safe | neutral,
// jailbreak, frustration, win, tos_breach). Prints per-label precision/recall/F1, the
// false-positive rates on safe rows and p50/p99 classification time; the last line is one JSON
// object with all of it.
import fs from "node:fs";
import { createClassifier, type TIntentModelJson } from "@/server/services/intent/create-classifier";
import modelJson from "@/server/services/intent/model.json";
import { evaluate, type TEvalRow } from "@/server/services/intent/training/evaluate";

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const file = flag("--file");
if (!file) {
  process.stderr.write("usage: npm run eval:intent -- --file <jsonl> [--policy <policy.txt>]\n");
  process.exit(2);
}
const policyFile = flag("--policy");
const policy = policyFile ? fs.readFileSync(policyFile, "utf8") : undefined;

const rows: TEvalRow[] = [];
fs.readFileSync(file, "utf8")
  .split("\n")
  .forEach((line, n) => {
    if (!line.trim()) return;
    const r = JSON.parse(line) as { text?: unknown; label?: unknown };
    if (typeof r.text !== "string" || typeof r.label !== "string") throw new Error(`${file}:${n + 1}: need string "text" and "label"`);
    rows.push({ text: r.text, label: r.label });
  });

const report = evaluate(createClassifier(modelJson as TIntentModelJson), rows, { policy });
process.stdout.write(`${rows.length} rows from ${file}\n`);
for (const [label, m] of Object.entries(report.labels)) {
  process.stdout.write(`  ${label.padEnd(12)} support ${String(m.support).padStart(5)}  precision ${m.precision.toFixed(3)}  recall ${m.recall.toFixed(3)}  f1 ${m.f1.toFixed(3)}\n`);
}
process.stdout.write(`  safe rows flagged jailbreak: ${report.jailbreakFprOnSafe}; flagged anything: ${report.fprSafe}\n`);
process.stdout.write(`  latency per prompt: p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms\n`);
process.stdout.write(`${JSON.stringify({ file, ...report })}\n`);
