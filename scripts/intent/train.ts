// npm run train:intent [-- --shared <train.jsonl>] [--skip-source-holdout] [--with-candidates] [--out <model.json>]
// Trains the built-in intent models (jailbreak, frustration, win) deterministically, writes
// server/services/intent/model.json, the random held-out split to data/intent/test.jsonl and
// the figures to data/intent/report.json, and prints them (the summary JSON is the last line).
import fs from "node:fs";
import path from "node:path";
import { createClassifier, type TIntentModelJson } from "@/server/services/intent/create-classifier";
import { HASH_BITS, MAX_CHARS, WINDOW_CHARS } from "@/server/services/intent/features";
import { bytesToBase64 } from "@/server/services/intent/linear";
import { dedupe, readJsonl, stratifiedSplit, type TRow } from "./training/data";
import { evaluate, jailbreakRates } from "./training/evaluate";
import { charLms } from "./training/char-lm";
import { buildExamples, encode, fitJailbreak, fitSuffixHead, fitSentiment, TARGET_FPR, type TExamples } from "./training/fit";

const root = path.resolve(__dirname, "../..");
const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sharedFile = flag("--shared") ?? process.env.INTENT_SHARED_DATA ?? path.resolve(root, "../shared/data/intent/train.jsonl");
const TEST_FRACTION = 0.2;
const SPLIT_SEED = 7;

// Sources held out one experiment at a time: the model is trained on every other row (random
// test split included) and scored on rows of a source it never saw.
const SOURCE_HOLDOUTS: { name: string; groups: string[]; sentiment?: boolean }[] = [
  { name: "BIPIA code_attack (jailbreak) + PIGuard NotInject (safe)", groups: ["microsoft/BIPIA", "leolee99/PIGuard NotInject"] },
  { name: "verazuo/jailbreak_llms (jailbreak)", groups: ["verazuo/jailbreak_llms"] },
  { name: "f/awesome-chatgpt-prompts (role-play, safe)", groups: ["f/awesome-chatgpt-prompts"] },
  { name: "google IFEval (safe)", groups: ["Podtech-AI/IFEval"] },
  { name: "self-instruct (safe)", groups: ["yizhongw/self-instruct"] },
  { name: "tokenist hand-written (all labels)", groups: ["tokenist:hand-written"], sentiment: true },
  { name: "GoEmotions (frustration / win / neutral)", groups: ["google-research/google-research"], sentiment: true },
  { name: "tokenist templated docs + injections spliced into them", groups: ["tokenist:templated-docs", "tokenist:templated-injection"] },
  { name: "AgentDojo + pallms injections (jailbreak)", groups: ["lindsey98/agentdojo", "mik0w/pallms"] },
  { name: "PyRIT jailbreak templates (jailbreak)", groups: ["Azure/PyRIT"] },
  { name: "OASST + Arena-Hard real user prompts (safe)", groups: ["Open-Assistant/oasst-model-eval", "lmarena/arena-hard-auto"] },
  { name: "MT-Eval + StructFlowBench follow-up turns (safe)", groups: ["KwanWaiChung/MT-Eval", "MLGroupJLU/StructFlowBench"] },
  { name: "GPTeacher role-play (safe)", groups: ["teknium1/GPTeacher"] },
  { name: "HarmBench runs: GCG, AutoDAN, PAIR, PAP (jailbreak)", groups: ["Wendy-1222/SLM_Jailbreak"] },
  { name: "DeepInception + PAP examples (jailbreak)", groups: ["tmlr-group/DeepInception", "CHATS-lab/persuasive_jailbreaker"] },
  // Sources of data/intent/candidates/ (only with --with-candidates).
  { name: "FlipAttack (jailbreak)", groups: ["yueliu1999/FlipAttack"] },
  { name: "ReNeLLM nesting + ArtPrompt masking (jailbreak)", groups: ["NJUNLP/ReNeLLM", "uw-nsl/ArtPrompt"] },
  { name: "GCG / nanoGCG demo suffixes (jailbreak)", groups: ["ronitios96/AdverserialAttacksOnLLMs"] },
  {
    name: "PromptWall + injection payload lists, bare and in carriers (jailbreak, safe)",
    groups: ["djpark0402/prompt-injection-dataset", "PerryLink/Prompt-Injection-Payloads", "danielmiessler/SecLists", "protectai/rebuff"],
  },
  {
    name: "coding-agent system prompts + npm security docs (safe)",
    groups: ["npm:claude-cli-advanced-starter-pack", "npm security packages (docs)"],
  },
  {
    name: "promptbench task and role instructions (safe)",
    groups: ["microsoft/promptbench"],
  },
];

function log(line = "") {
  process.stdout.write(`${line}\n`);
}

function modelJsonOf(ex: TExamples, indices: number[], charLm: Uint8Array, sentimentFrom?: TIntentModelJson): TIntentModelJson {
  // The suffix head reads every training row; the main models not those only the LM and the head read.
  const suffix = process.env.INTENT_NO_HEAD ? undefined : fitSuffixHead(ex, indices);
  const main = indices.filter((i) => !ex.rows[i].lmAndHeadsOnly);
  return {
    version: 2,
    features: { hashBits: HASH_BITS, maxChars: MAX_CHARS, windowChars: WINDOW_CHARS },
    models: {
      jailbreak: encode(fitJailbreak(ex, main)),
      frustration: sentimentFrom?.models.frustration ?? encode(fitSentiment(ex, main, "frustration")),
      win: sentimentFrom?.models.win ?? encode(fitSentiment(ex, main, "win")),
    },
    charLm: bytesToBase64(charLm),
    ...(suffix ? { suffix } : {}),
  };
}

function rowsByGroupLabel(rows: TRow[]): Map<string, TRow[]> {
  const m = new Map<string, TRow[]>();
  for (const r of rows) {
    const key = `${r.group} | ${r.label}`;
    m.set(key, [...(m.get(key) ?? []), r]);
  }
  return new Map([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const started = performance.now();
if (!fs.existsSync(sharedFile)) {
  process.stderr.write(`train:intent: ${sharedFile} not found; pass --shared <train.jsonl> or set INTENT_SHARED_DATA\n`);
  process.exit(2);
}
// Rows of public datasets collected for this repo (data/intent/external/README.md), one file a source.
const externalDir = path.join(root, "data/intent/external");
const externalFiles = fs.existsSync(externalDir)
  ? fs
      .readdirSync(externalDir)
      .filter((f) => f.endsWith(".jsonl") && !(process.env.INTENT_SKIP_EXTERNAL ?? "").split(",").includes(f))
      .sort()
  : [];
// --with-candidates: also the rows collected and measured but not trained on by the shipped model
// (data/intent/candidates/README.md says why), for experiments with them.
const candidatesDir = path.join(root, "data/intent/candidates");
const candidateFiles = args.includes("--with-candidates")
  ? fs
      .readdirSync(candidatesDir)
      .filter((f) => f.endsWith(".jsonl") && !(process.env.INTENT_SKIP_EXTERNAL ?? "").split(",").includes(f))
      .sort()
  : [];
const allRows = dedupe([
  ...readJsonl(sharedFile),
  ...readJsonl(path.join(root, "data/intent/hand-written.jsonl")),
  ...readJsonl(path.join(root, "data/intent/templated.jsonl")),
  ...externalFiles.flatMap((f) => readJsonl(path.join(externalDir, f))),
  ...candidateFiles.flatMap((f) => readJsonl(path.join(candidatesDir, f))),
]);
// Rows only the character LM and the suffix head read (TRow.lmAndHeadsOnly) go last, always on the
// training side: the other rows, their indices and the random split are what they are without them.
const mainRows = allRows.filter((r) => !r.lmAndHeadsOnly);
const rows = [...mainRows, ...allRows.filter((r) => r.lmAndHeadsOnly)];
log(`intent: ${rows.length} rows (${rows.length - mainRows.length} read only by the character LM and the suffix head)`);
for (const [key, rs] of rowsByGroupLabel(rows)) log(`  ${String(rs.length).padStart(5)}  ${key}`);
const split = stratifiedSplit(mainRows, TEST_FRACTION, SPLIT_SEED);
const train = [...split.train, ...rows.flatMap((_, i) => (i >= mainRows.length ? [i] : []))];
const testRows = split.test.map((i) => rows[i]);
/** The character LM and the examples scored with it, for a model trained on `indices`. */
function examplesFor(indices: number[]): { ex: TExamples; lm: Uint8Array } {
  const lms = charLms(rows, indices);
  return { ex: buildExamples(rows, lms.forRow), lm: lms.full };
}

// 1. The shipped model: everything but the random held-out split.
const main = examplesFor(train);
const shipped = modelJsonOf(main.ex, train, main.lm);
const classifier = createClassifier(shipped);
const heldOut = evaluate(classifier, testRows);
const perSource: Record<string, string> = {};
for (const [key, rs] of rowsByGroupLabel(testRows)) {
  const r = jailbreakRates(classifier, rs);
  perSource[key] = `${r.flagged}/${r.n} flagged jailbreak`;
}
log(`\nrandom held-out split (${testRows.length} rows, ${TEST_FRACTION * 100}% stratified by source and label):`);
log(JSON.stringify(heldOut, null, 2));
for (const [k, v] of Object.entries(perSource)) log(`  ${k}: ${v}`);

// 2. Source held out.
const sourceHeldOut: Record<string, unknown>[] = [];
if (!args.includes("--skip-source-holdout")) {
  log("\nsource held out (trained on all other rows, threshold from its own out-of-fold scores):");
  for (const exp of SOURCE_HOLDOUTS) {
    const held = new Set(exp.groups);
    const indices = rows.flatMap((r, i) => (held.has(r.group) ? [] : [i]));
    const heldRows = rows.filter((r) => held.has(r.group));
    if (heldRows.length === 0) continue; // a candidates-only source, without --with-candidates
    const heldEx = examplesFor(indices);
    const c = createClassifier(modelJsonOf(heldEx.ex, indices, heldEx.lm, exp.sentiment ? undefined : shipped));
    const jb = jailbreakRates(
      c,
      heldRows.filter((r) => r.label === "jailbreak"),
    );
    const notJb = jailbreakRates(
      c,
      heldRows.filter((r) => r.label !== "jailbreak"),
    );
    // Recall per attack method inside the held-out source (e.g. HarmBench's GCG vs PAIR runs).
    const byMethod = new Map<string, TRow[]>();
    for (const r of heldRows) {
      if (r.label !== "jailbreak") continue;
      const method = /results\/([^/]+)\//.exec(r.source)?.[1] ?? r.source.split(":")[0];
      byMethod.set(method, [...(byMethod.get(method) ?? []), r]);
    }
    const recallByMethod = Object.fromEntries(
      [...byMethod.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, rs]) => [k, jailbreakRates(c, rs).rate]),
    );
    const result: Record<string, unknown> = {
      heldOut: exp.name,
      jailbreakRecall: jb.n ? jb.rate : null,
      jailbreakRows: jb.n,
      ...(byMethod.size > 1 ? { recallByMethod } : {}),
      jailbreakFpr: notJb.n ? notJb.rate : null,
      nonJailbreakRows: notJb.n,
    };
    if (exp.sentiment) {
      const report = evaluate(c, heldRows);
      result.frustration = report.labels.frustration;
      result.win = report.labels.win;
    }
    sourceHeldOut.push(result);
    log(`  ${JSON.stringify(result)}`);
  }
}

// --out <file>: an experiment's model goes there (its report beside it), the repo's files stay.
const outFile = flag("--out");
const modelFile = outFile ? path.resolve(outFile) : path.join(root, "server/services/intent/model.json");
const reportFile = outFile ? `${modelFile}.report.json` : path.join(root, "data/intent/report.json");
fs.writeFileSync(modelFile, `${JSON.stringify(shipped)}\n`);
if (!outFile) {
  fs.writeFileSync(
    path.join(root, "data/intent/test.jsonl"),
    testRows.map((r) => JSON.stringify({ text: r.text, label: r.label, source: r.source })).join("\n") + "\n",
  );
}
const summary = {
  rows: rows.length,
  trainRows: train.length,
  testRows: testRows.length,
  targetOutOfFoldFpr: TARGET_FPR,
  randomHeldOut: heldOut,
  randomHeldOutBySource: perSource,
  sourceHeldOut,
  modelBytes: fs.statSync(modelFile).size,
  trainSeconds: Math.round((performance.now() - started) / 100) / 10,
};
fs.writeFileSync(reportFile, `${JSON.stringify(summary, null, 2)}\n`);
log(
  `\nwrote ${path.relative(root, modelFile)} (${summary.modelBytes} bytes), ${path.relative(root, reportFile)} in ${summary.trainSeconds}s`,
);
log(JSON.stringify(summary));
