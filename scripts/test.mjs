// npm test: the whole set-up and check on a fresh machine — Chromium (installed as root on
// Debian), type-check, lint (Biome), unit and integration tests (vitest), then e2e (Playwright
// in Debian's Chromium). Prints one closing line "tests: N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildIfNeeded } from "./build-if-needed.mjs";
import { ensureChromium } from "./lib/chromium.mjs";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
fs.mkdirSync(path.join(root, "test-results"), { recursive: true });
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, TOKENIST_LOG: "silent", ...env } }).status ?? 1;

// A fresh clone (or a pull that added a tool): install from the lock file first.
if (!["tsc", "biome", "next", "vitest", "playwright"].every((name) => fs.existsSync(bin(name)))) {
  console.log("== npm install (node_modules is missing or incomplete)");
  if (run("npm", ["install", "--no-audit", "--no-fund"]) !== 0) process.exit(1);
}

// Before the other steps, so a machine without a browser stops at once.
console.log("== chromium");
if (!ensureChromium()) process.exit(1);

const failedSteps = [];
console.log("== typecheck");
if (run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]) !== 0) failedSteps.push("typecheck");

console.log("== lint");
if (run(bin("biome"), ["ci", "."]) !== 0) failedSteps.push("lint");

console.log("== build");
buildIfNeeded();

console.log("== vitest (unit + integration)");
const vitestReport = path.join(root, "test-results", "vitest.json");
if (run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`]) !== 0)
  failedSteps.push("vitest");

console.log("== playwright (e2e)");
if (run(bin("playwright"), ["test"]) !== 0) failedSteps.push("e2e");

let passed = 0;
let failed = 0;
try {
  const v = JSON.parse(fs.readFileSync(vitestReport, "utf8"));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
} catch {}
try {
  const e = JSON.parse(fs.readFileSync(path.join(root, "test-results", "e2e.json"), "utf8"));
  passed += e.stats.expected + (e.stats.flaky ?? 0);
  failed += e.stats.unexpected;
} catch {}
if (failedSteps.length) console.log(`failed steps: ${failedSteps.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
