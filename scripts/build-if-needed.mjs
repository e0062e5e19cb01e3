// Runs `next build` when there is no build yet or a source file is newer than it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = [
  "app",
  "lib",
  "server",
  "db",
  "inngest",
  "public",
  "next.config.ts",
  "package-lock.json",
  "postcss.config.mjs",
  "instrumentation.ts",
];

function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIfNeeded({ quiet = false } = {}) {
  const marker = path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (built && built >= newest) return;
  if (!quiet) console.log(built ? "Sources changed since the last build: building…" : "No build yet: building (about a minute)…");
  const result = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build"], {
    cwd: root,
    stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) {
    console.error("next build failed");
    process.exit(result.status ?? 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) buildIfNeeded();
