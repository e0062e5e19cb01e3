// 1 MB adversarial bodies (H1, H5 of the security round): redaction CPU per 1 MB text in process,
// then the three SDK doors of the production server with payload logging, redaction, a usage
// policy and 20 custom labels on; against a plain check in the same server and run. The tests
// (tests/unit/redact.test.ts, tests/integration/adversarial-bodies.test.ts) prove what each
// answer is; this prints how long it takes.
import { performance } from "node:perf_hooks";
import { redactText, redactValue } from "@/server/lib/redact";
import { deepJson, LABELS, MB, TEXTS, USAGE_POLICY } from "@/tests/helpers/adversarial-bodies";
import { callApi, startApp, type RunningApp } from "@/tests/helpers/app-server";
import { fmt, percentile } from "./lib";

const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** Median CPU milliseconds of five calls (the first, cold one included in the five). */
function medianCpuMs(f: () => unknown): number {
  const times = Array.from({ length: 5 }, () => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  });
  return times.sort((a, b) => a - b)[2]!;
}

function redaction() {
  console.log("\n== adversarial: redactText / redactValue CPU per call (median of 5)");
  const texts: Record<string, string> = {
    "'a'": "a".repeat(MB),
    "'a@' repeated": fill("a@"),
    "'a.a@' repeated": fill("a.a@"),
    "'@'": "@".repeat(MB),
    "e-mails back to back": fill("a@a.aa "),
    digits: "1".repeat(MB),
    "'1 ' repeated": fill("1 "),
    "'12 345 ' repeated": fill("12 345 "),
    "'sk-' repeated": fill("sk-"),
    "'Bearer' and 1 MB of spaces": `Bearer${" ".repeat(MB)}`,
  };
  // The baseline: one linear pass over the same megabyte that any scan must at least make.
  const baseline = medianCpuMs(() => texts["'a@' repeated"]!.indexOf("\u0000"));
  const results: Record<string, number> = {};
  for (const [name, text] of Object.entries(texts)) results[name] = medianCpuMs(() => redactText(text));
  let deep: unknown = "jane@example.com";
  for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
  results["deep JSON (100,000 levels)"] = medianCpuMs(() => redactValue(deep));
  const wide = Array.from({ length: 12_000 }, (_, i) => ({ role: "user", content: `message ${i} from jane${i}@example.com` }));
  results["wide JSON (~1 MB)"] = medianCpuMs(() => redactValue(wide));
  for (const [name, ms] of Object.entries(results)) console.log(`${name.padEnd(30)} ${fmt(ms, 1)} ms`);
  console.log(`baseline: indexOf over 1 MB ${fmt(baseline, 2)} ms; worst redaction ${fmt(Math.max(...Object.values(results)), 1)} ms`);
  return { baselineMs: baseline, worstMs: Math.max(...Object.values(results)) };
}

async function timed(app: RunningApp, route: string, body: string) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await callApi(app, route, { body, headers: { "idempotency-key": `adv-${route}-${i}-${Math.random()}` } });
    best = Math.min(best, performance.now() - started);
    if (res.status >= 500) throw new Error(`${route} answered ${res.status}`);
  }
  return best;
}

async function doors() {
  const app = await startApp({ env: { TOKENIST_INIT_PLAN: "growth" } });
  try {
    await callApi(app, "/api/v1/workspace", {
      method: "PATCH",
      body: { payloadLogging: true, redactPayloads: true, usagePolicy: USAGE_POLICY },
    });
    for (const label of LABELS) await callApi(app, "/api/v1/custom-labels", { body: label });
    const plain = JSON.stringify({ userId: "adversary", model: "gpt-4o", input: "What is the capital of France?" });
    await timed(app, "/sdk/check", plain);
    const baseline = await timed(app, "/sdk/check", plain);
    console.log(`\n== adversarial: the three doors with 1 MB bodies (best of 3, ms); baseline: a short check ${fmt(baseline, 1)} ms`);
    let worst = 0;
    for (const [name, text] of Object.entries(TEXTS)) {
      const half = text.slice(0, text.length / 2);
      const check = await timed(app, "/sdk/check", JSON.stringify({ userId: "adversary", model: "gpt-4o", input: text }));
      const record = await timed(
        app,
        "/sdk/record",
        JSON.stringify({
          userId: "adversary",
          model: "gpt-4o",
          input: half,
          output: half,
          usage: { prompt_tokens: 10, completion_tokens: 1 },
        }),
      );
      const log = await timed(
        app,
        "/sdk/log",
        JSON.stringify({ userId: "adversary", request: { messages: [{ role: "user", content: text }] } }),
      );
      worst = Math.max(worst, check, record, log);
      console.log(`${name.padEnd(26)} check ${fmt(check, 1)} | record ${fmt(record, 1)} | log ${fmt(log, 1)}`);
    }
    const deep = `{"userId":"adversary","input":${deepJson(200_000)},"request":${deepJson(200_000)}}`;
    const deepMs = await timed(app, "/sdk/check", deep);
    console.log(`deep JSON (200,000 levels) → 400 in ${fmt(deepMs, 1)} ms`);

    // Probes while 1 MB bodies are processed alongside.
    const latencies: number[] = [];
    let flooding = true;
    const flood = (async () => {
      const bodies = Object.values(TEXTS);
      for (let i = 0; i < 24; i++) {
        const text = bodies[i % bodies.length]!;
        await callApi(app, ["/sdk/check", "/sdk/record", "/sdk/log"][i % 3]!, {
          body: { userId: "adversary", model: "gpt-4o", input: text, request: text, usage: { prompt_tokens: 1, completion_tokens: 1 } },
        });
      }
      flooding = false;
    })();
    while (flooding || latencies.length < 100) {
      const started = performance.now();
      await callApi(app, "/sdk/check", {
        body: { userId: `probe_${latencies.length % 50}`, model: "gpt-4o-mini", input: "What is the capital of France?" },
      });
      latencies.push(performance.now() - started);
    }
    await flood;
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`probe checks during the flood: ${latencies.length}, p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms`);
    return { shortCheckMs: baseline, worstDoorMs: worst, ratio: worst / baseline, deepJsonMs: deepMs, probeP50Ms: p50, probeP99Ms: p99 };
  } finally {
    await app.dispose();
  }
}

export async function main() {
  const redact = redaction();
  const http = await doors();
  const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(2))]));
  console.log(JSON.stringify({ bench: "adversarial", redact: round(redact), http: round(http) }));
}
