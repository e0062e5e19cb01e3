// `npm pack` of sdk/, installed into a fresh project, imported as ESM and as CommonJS (and
// type-checked as both) and used against the real app: the package works as published.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type RunningApp } from "../helpers/app-server";

const SDK = path.resolve(import.meta.dirname, "..", "..", "sdk");
// npm_* variables of an outer `npm test` must not steer the inner npm commands.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env: { ...cleanEnv, ...env } as NodeJS.ProcessEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

const SCRIPT = (load: string, name: string) => `${load}
const main = async () => {
  const tk = createTokenist({ failOpen: false }); // TOKENIST_API_KEY / TOKENIST_BASE_URL from the environment
  const decision = await tk.check({ userId: "user_${name}", input: "hello" });
  const usage = { prompt_tokens: 100, completion_tokens: 20 };
  const first = await tk.record({ userId: "user_${name}", model: "gpt-4o-mini", usage, requestId: "req_pack_${name}" });
  const again = await tk.record({ userId: "user_${name}", model: "gpt-4o-mini", usage, requestId: "req_pack_${name}" });
  const bad = await createTokenist({ apiKey: "ug_wrong_key_0000000000000000000000", onError: null }).record({ model: "gpt-4o-mini", usage });
  const thrown = await createTokenist({ apiKey: "ug_wrong_key_0000000000000000000000" }).check({ userId: "u" }).catch((e) => e);
  console.log(JSON.stringify({ allowed: decision.allowed, degraded: decision.degraded === true, checkId: typeof decision.checkId,
    total: first.tokens.total, duplicates: [first.duplicate, again.duplicate], recorded: [first.recorded, bad.recorded],
    typed: bad.error instanceof TokenistError && thrown instanceof TokenistError, status: [bad.error.status, thrown.status],
    defaultClient: typeof tokenist.init }));
};
main().catch((e) => { console.error(e); process.exit(1); });
`;

const TYPES = `import { createTokenist, tokenist, TokenistError, TokenistReauthRequiredError, type CheckResult, type RecordOutcome, type RecordResult } from "@tokenist/guardrails";
const tk = createTokenist({ timeoutMs: 500, maxBodyBytes: 1_048_576 });
export const decision: Promise<CheckResult> = tk.check({ userId: "u" });
export const outcome: Promise<RecordOutcome> = tokenist.record({ model: "m", usage: { prompt_tokens: 1 } });
export const strict: Promise<RecordResult> = tokenist.record({ checkId: "chk_1" }, { throwOnError: true });
declare const completion: { usage?: { input_tokens: number }; response_text?: string | null };
export const snippet = tokenist.record({ userId: "user_abc123", feature: "voice-assistant", usage: completion.usage, sentiment: completion.response_text });
export const isError = (e: unknown): e is TokenistError | TokenistReauthRequiredError => e instanceof TokenistError || e instanceof TokenistReauthRequiredError;
// @ts-expect-error – userId is required
tk.check({});
`;

let app: RunningApp;
let project = "";
beforeAll(async () => {
  // sdk/ is an npm workspace: the root `npm install` puts its typescript in sdk/node_modules.
  if (!fs.existsSync(path.join(SDK, "node_modules", "typescript")))
    throw new Error("sdk/node_modules/typescript is missing: run `npm install` at the repository root");
  project = fs.mkdtempSync(path.join(os.tmpdir(), "tokenist-sdk-pack-"));
  app = await startApp();
}, 300_000);
afterAll(async () => {
  await app?.dispose();
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

it("packs, installs offline with no dependencies, and works from ESM and CommonJS", { timeout: 300_000 }, () => {
  // `prepare` builds dist/ (ESM + CJS + .d.ts) first.
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", project], SDK)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const files = packed!.files.map((f) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      "package.json",
      "README.md",
      "dist/esm/index.js",
      "dist/esm/index.d.ts",
      "dist/cjs/index.js",
      "dist/cjs/index.d.ts",
    ]),
  );
  expect(files.filter((f) => !f.startsWith("dist/") && f !== "package.json" && f !== "README.md")).toEqual([]);

  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "pack-probe", version: "1.0.0", private: true }));
  run("npm", ["install", path.join(project, packed!.filename), "--offline", "--no-audit", "--no-fund", "--no-package-lock"], project);
  const installed = path.join(project, "node_modules", "@tokenist", "guardrails");
  expect(JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"))).toMatchObject({
    name: "@tokenist/guardrails",
    version: "0.1.0",
  });
  // No runtime dependencies: nothing but the package itself was installed.
  expect(fs.readdirSync(path.join(project, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["@tokenist"]);
  expect(fs.existsSync(path.join(installed, "node_modules"))).toBe(false);

  fs.writeFileSync(
    path.join(project, "esm.mjs"),
    SCRIPT(`import { createTokenist, tokenist, TokenistError } from "@tokenist/guardrails";`, "esm"),
  );
  fs.writeFileSync(
    path.join(project, "cjs.cjs"),
    SCRIPT(`const { createTokenist, tokenist, TokenistError } = require("@tokenist/guardrails");`, "cjs"),
  );
  const env = { TOKENIST_API_KEY: app.apiKey, TOKENIST_BASE_URL: app.baseUrl };
  for (const script of ["esm.mjs", "cjs.cjs"]) {
    const out = JSON.parse(run(process.execPath, [script], project, env).trim());
    expect(out, script).toEqual({
      allowed: true,
      degraded: false,
      checkId: "string",
      total: 120,
      duplicates: [false, true],
      recorded: [true, false],
      typed: true,
      status: [401, 401],
      defaultClient: "function",
    });
  }

  // The published types resolve for both module systems (nodenext reads the `exports` map).
  fs.writeFileSync(path.join(project, "types.mts"), TYPES);
  fs.writeFileSync(path.join(project, "types.cts"), TYPES);
  const tsc = path.join(SDK, "node_modules", "typescript", "bin", "tsc");
  const flags = [
    "--noEmit",
    "--strict",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--target",
    "es2022",
    "--lib",
    "es2022,dom",
  ];
  run(process.execPath, [tsc, ...flags, "types.mts", "types.cts"], project);
});
