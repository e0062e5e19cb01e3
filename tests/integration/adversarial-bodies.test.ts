// 1 MB adversarial bodies at the three SDK doors of the production server, with payload logging
// and redaction on and a workspace that has a usage policy and 20 custom labels: each is answered
// (never a 5xx), and /sdk/check probes sent alongside are all answered (H1, H5). Before the fixes
// a body took seconds to minutes, so a regression runs into the test's timeout; how long each
// answer takes is a figure of `npm run bench -- adversarial`, not a bound here (timed tests
// flake on a shared machine).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deepJson, LABELS, TEXTS, USAGE_POLICY } from "../helpers/adversarial-bodies";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";

describe("1 MB adversarial bodies against the running app", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ env: { TOKENIST_INIT_PLAN: "growth" } });
    const settings = await callApi(app, "/api/v1/workspace", {
      method: "PATCH",
      body: { payloadLogging: true, redactPayloads: true, usagePolicy: USAGE_POLICY },
    });
    expect(settings.status).toBe(200);
    for (const label of LABELS) expect((await callApi(app, "/api/v1/custom-labels", { body: label })).status).toBe(201);
  }, 120_000);
  afterAll(() => app?.dispose());

  const send = async (route: string, body: unknown) => {
    const payload = JSON.stringify(body);
    expect(Buffer.byteLength(payload)).toBeLessThan(1_048_576);
    return callApi(app, route, { body: payload, headers: { "idempotency-key": `adv-${route}-${Math.random()}` } });
  };

  it.each(Object.keys(TEXTS))("%s: /sdk/check, /sdk/record and /sdk/log each answer 200", async (name) => {
    const text = TEXTS[name]!;
    const half = text.slice(0, text.length / 2);
    const results = {
      check: await send("/sdk/check", { userId: "adversary", model: "gpt-4o", input: text }),
      record: await send("/sdk/record", {
        userId: "adversary",
        model: "gpt-4o",
        input: half,
        output: half,
        usage: { prompt_tokens: 10, completion_tokens: 1 },
      }),
      log: await send("/sdk/log", { userId: "adversary", request: { messages: [{ role: "user", content: text }] } }),
    };
    for (const [door, r] of Object.entries(results)) expect(r.status, door).toBe(200);
    expect(typeof results.check.body.allowed).toBe("boolean");
    expect(results.check.body.labels.length).toBeGreaterThan(0);
  });

  it("deep JSON (200,000 levels) is a 400 naming the depth, never a 5xx", async () => {
    for (const route of ["/sdk/check", "/sdk/record", "/sdk/log"]) {
      const res = await callApi(app, route, { body: `{"userId":"adversary","input":${deepJson(200_000)},"request":${deepJson(200_000)}}` });
      expect(res.status, route).toBe(400);
      expect(res.body.error.message).toMatch(/nested deeper than 256 levels/);
    }
    // Nesting a provider request really has (tool schemas) is kept, redacted where too deep to walk.
    const log = await callApi(app, "/sdk/log", { body: `{"userId":"adversary","request":${deepJson(100)}}` });
    expect(log.status).toBe(200);
  });

  it("/sdk/check probes sent while 1 MB bodies are processed are all answered", async () => {
    let probes = 0;
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
    while (flooding || probes < 100) {
      const res = await callApi(app, "/sdk/check", {
        body: { userId: `probe_${probes % 50}`, model: "gpt-4o-mini", input: "What is the capital of France?" },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ allowed: true, labels: ["safe"] });
      probes++;
    }
    await flood;
    expect(probes).toBeGreaterThanOrEqual(100);
  });
});
