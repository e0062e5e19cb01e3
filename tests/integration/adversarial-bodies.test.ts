// 1 MB adversarial bodies at the three SDK doors of the production server, with payload logging
// and redaction on and a workspace that has a usage policy and 20 custom labels: each answer is
// quick, and a /sdk/check probe sent alongside stays quick (H1, H5; the issue's must-show 2).
// Every scan of end-user text is linear and bounded: these are not races against a slow
// machine but orders of magnitude (before the fixes: seconds to minutes per body).
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";

const MB = 1_000_000;
const TERMS = ["refund", "chargeback", "invoice", "cancel", "lawyer", "lawsuit", "password", "exploit", "weapon", "crypto"];
const LABELS = Array.from({ length: 20 }, (_, i) => ({
  name: `label_${i}`,
  description: `keywords: ${TERMS.map((t) => `${t}${i}`).join(", ")}, "${TERMS[i % TERMS.length]} request ${i}"`,
}));

/** ~1 MB strings an attacker would pick: no spaces, `a@` repeated, 10,000 custom-label-like terms. */
const TEXTS: Record<string, string> = {
  "no spaces": "a".repeat(MB - 200),
  "a@ repeated": "a@".repeat((MB - 200) / 2),
  "a.a@ repeated": "a.a@".repeat((MB - 200) / 4),
  "10,000 label-like terms": Array.from({ length: 10_000 }, (_, i) => `${TERMS[i % 10]}${i % 20} request ${i % 20}`)
    .join(" ")
    .slice(0, MB - 200),
};
/** Nested arrays as JSON text (JSON.stringify itself would overflow the stack at this depth). */
const deepJson = (depth: number) => "[".repeat(depth) + '"x"' + "]".repeat(depth);

describe("1 MB adversarial bodies against the running app", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ env: { TOKENIST_INIT_PLAN: "growth" } });
    const settings = await callApi(app, "/api/v1/workspace", {
      method: "PATCH",
      body: { payloadLogging: true, redactPayloads: true, usagePolicy: `No ${TERMS.join(", no ")}. Keywords: ${TERMS.join(", ")}.` },
    });
    expect(settings.status).toBe(200);
    for (const label of LABELS) expect((await callApi(app, "/api/v1/custom-labels", { body: label })).status).toBe(201);
  }, 120_000);
  afterAll(() => app?.dispose());

  /** The fastest of three tries: one slow try is the machine; three slow ones would be the code. */
  const timed = async (route: string, body: unknown) => {
    const payload = JSON.stringify(body);
    expect(Buffer.byteLength(payload)).toBeLessThan(1_048_576);
    let best = Infinity;
    let status = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await callApi(app, route, { body: payload, headers: { "idempotency-key": `adv-${route}-${i}-${Math.random()}` } });
      best = Math.min(best, performance.now() - started);
      status = res.status;
    }
    return { ms: best, status };
  };

  it.each(Object.keys(TEXTS))("%s: /sdk/check, /sdk/record and /sdk/log each answer within 200 ms", async (name) => {
    const text = TEXTS[name]!;
    const half = text.slice(0, text.length / 2);
    const results = {
      check: await timed("/sdk/check", { userId: "adversary", model: "gpt-4o", input: text }),
      record: await timed("/sdk/record", {
        userId: "adversary",
        model: "gpt-4o",
        input: half,
        output: half,
        usage: { prompt_tokens: 10, completion_tokens: 1 },
      }),
      log: await timed("/sdk/log", { userId: "adversary", request: { messages: [{ role: "user", content: text }] } }),
    };
    if (process.env.SHOW_TIMINGS)
      console.log(name, Object.fromEntries(Object.entries(results).map(([d, r]) => [d, `${r.ms.toFixed(1)} ms`])));
    for (const [door, r] of Object.entries(results)) {
      expect(r.status, door).toBe(200);
      expect(r.ms, `${door}: ${r.ms.toFixed(0)} ms`).toBeLessThan(200);
    }
  });

  it("deep JSON (200,000 levels) is a quick 400 naming the depth, never a 5xx", async () => {
    for (const route of ["/sdk/check", "/sdk/record", "/sdk/log"]) {
      const started = performance.now();
      const res = await callApi(app, route, { body: `{"userId":"adversary","input":${deepJson(200_000)},"request":${deepJson(200_000)}}` });
      expect(res.status, route).toBe(400);
      expect(res.body.error.message).toMatch(/nested deeper than 256 levels/);
      expect(performance.now() - started).toBeLessThan(200);
    }
    // Nesting a provider request really has (tool schemas) is kept, redacted where too deep to walk.
    const log = await callApi(app, "/sdk/log", { body: `{"userId":"adversary","request":${deepJson(100)}}` });
    expect(log.status).toBe(200);
  });

  it("a /sdk/check probe sent while 1 MB bodies are processed keeps p99 under 100 ms", async () => {
    const latencies: number[] = [];
    let flooding = true;
    const flood = (async () => {
      const bodies = Object.values(TEXTS);
      for (let i = 0; i < 24; i++) {
        const text = bodies[i % bodies.length]!;
        const route = ["/sdk/check", "/sdk/record", "/sdk/log"][i % 3]!;
        await callApi(app, route, {
          body: { userId: "adversary", model: "gpt-4o", input: text, request: text, usage: { prompt_tokens: 1, completion_tokens: 1 } },
        });
      }
      flooding = false;
    })();
    while (flooding || latencies.length < 100) {
      const started = performance.now();
      const res = await callApi(app, "/sdk/check", {
        body: { userId: `probe_${latencies.length % 50}`, model: "gpt-4o-mini", input: "What is the capital of France?" },
      });
      latencies.push(performance.now() - started);
      expect(res.status).toBe(200);
    }
    await flood;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    if (process.env.SHOW_TIMINGS)
      console.log(`probe: ${latencies.length} checks, p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    expect(p99, `p99 ${p99.toFixed(1)} ms over ${latencies.length} probes`).toBeLessThan(100);
  });
});
