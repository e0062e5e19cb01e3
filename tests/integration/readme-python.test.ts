import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";

/** The README's Python example, extracted as printed, run with the machine's python3 against the app. */
describe("the README's Python snippet", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ driver: process.env.TEST_DATABASE_URL ? "postgres" : "pglite" });
  }, 120_000);
  afterAll(() => app?.dispose());

  it("creates a rule and reads usage", async () => {
    await callApi(app, "/sdk/record", {
      body: { userId: "py", model: "gpt-4o-mini", usage: { prompt_tokens: 1000, completion_tokens: 100 } },
    });
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const code = /<!-- python-example -->\s*```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeTruthy();
    const out = execFileSync("python3", ["-c", code!], {
      env: { PATH: process.env.PATH, TOKENIST_BASE_URL: app.baseUrl, TOKENIST_API_KEY: app.apiKey, NODE_ENV: "test" } as NodeJS.ProcessEnv,
      encoding: "utf8",
    });
    expect(out).toMatch(/^created rul_\w+ Daily cost 5\n/);
    // 1,000 input + 100 output tokens of gpt-4o-mini = 150,000 + 60,000 nano-dollars.
    expect(out).toContain("requests 1 cost 0.00021");
    const rules = await callApi(app, "/api/v1/rules");
    expect(rules.body.data).toEqual([expect.objectContaining({ name: "Daily cost", metric: "cost_usd", limit: 5 })]);
  });
});
