// Chromium for the e2e tests. Playwright cannot download browsers here, so playwright.config.ts
// launches Debian's package (CHROMIUM_PATH or /usr/bin/chromium); npm test makes sure it exists
// before spending minutes on the other steps.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
export const INSTALL_COMMANDS = ["apt-get update -qq", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium"];

/**
 * What to do about Chromium (pure, so the decision is unit-tested). `custom`: CHROMIUM_PATH is
 * set — installing Debian's package would not put a browser there, so it is never installed then.
 */
export function chromiumPlan({ path = DEFAULT_CHROMIUM, custom = false, exists, isRoot, hasApt }) {
  if (exists) return { action: "ok" };
  if (custom)
    return {
      action: "stop",
      message: `CHROMIUM_PATH is "${path}", which does not exist: point it at a Chromium binary, or unset it to use ${DEFAULT_CHROMIUM}.`,
    };
  if (isRoot && hasApt) return { action: "install", commands: INSTALL_COMMANDS };
  const fix = hasApt ? "sudo apt-get install chromium" : "install Chromium and set CHROMIUM_PATH=/path/to/chromium";
  return {
    action: "stop",
    message: `Chromium is missing (${DEFAULT_CHROMIUM}); the e2e tests need it. Run:\n  ${fix}\n(or set CHROMIUM_PATH to an installed Chromium).`,
  };
}

const hasCommand = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;

/** Checks, and as root on Debian installs, Chromium. Returns false (having said why) when it is still missing. */
export function ensureChromium({ env = process.env, log = console.log, error = console.error } = {}) {
  const custom = env.CHROMIUM_PATH !== undefined; // same rule as playwright.config.ts (`??`)
  const path = env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  const plan = chromiumPlan({ path, custom, exists: fs.existsSync(path), isRoot: process.getuid?.() === 0, hasApt: hasCommand("apt-get") });
  if (plan.action === "ok") return true;
  if (plan.action === "stop") {
    error(plan.message);
    return false;
  }
  log(`Chromium is missing (${path}): installing Debian's package (Playwright cannot download browsers here).`);
  for (const command of plan.commands) {
    log(`$ ${command}`);
    if (spawnSync("sh", ["-c", command], { stdio: "inherit" }).status !== 0) {
      error(`"${command}" failed; install Chromium yourself (apt-get install chromium) or set CHROMIUM_PATH.`);
      return false;
    }
  }
  if (fs.existsSync(path)) return true;
  error(`apt-get installed chromium but ${path} still does not exist; set CHROMIUM_PATH to the binary.`);
  return false;
}
