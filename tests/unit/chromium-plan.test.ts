// npm test's first step: when Chromium is missing, install Debian's package only as root with
// apt-get, and otherwise stop with the one command to run.
import { describe, expect, it } from "vitest";
import { chromiumPlan, DEFAULT_CHROMIUM, ensureChromium, INSTALL_COMMANDS } from "@/scripts/lib/chromium.mjs";

describe("chromiumPlan", () => {
  it("does nothing when the browser is there", () => {
    for (const isRoot of [true, false])
      for (const hasApt of [true, false]) expect(chromiumPlan({ exists: true, isRoot, hasApt })).toEqual({ action: "ok" });
    expect(chromiumPlan({ path: "/opt/chrome", custom: true, exists: true, isRoot: false, hasApt: false })).toEqual({ action: "ok" });
  });

  it("installs Debian's chromium as root when apt-get exists", () => {
    expect(chromiumPlan({ exists: false, isRoot: true, hasApt: true })).toEqual({ action: "install", commands: INSTALL_COMMANDS });
    expect(INSTALL_COMMANDS.join(" && ")).toBe("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium");
  });

  it("stops with the sudo command when not root", () => {
    const plan = chromiumPlan({ exists: false, isRoot: false, hasApt: true });
    expect(plan.action).toBe("stop");
    expect(plan.action === "stop" && plan.message).toContain("sudo apt-get install chromium");
    expect(plan.action === "stop" && plan.message).toContain(DEFAULT_CHROMIUM);
  });

  it("stops asking for CHROMIUM_PATH without apt-get, even as root", () => {
    const plan = chromiumPlan({ exists: false, isRoot: true, hasApt: false });
    expect(plan.action).toBe("stop");
    expect(plan.action === "stop" && plan.message).toContain("CHROMIUM_PATH");
    expect(plan.action === "stop" && plan.message).not.toContain("apt-get");
  });

  it("never installs over a CHROMIUM_PATH that does not exist", () => {
    const plan = chromiumPlan({ path: "/nowhere/chromium", custom: true, exists: false, isRoot: true, hasApt: true });
    expect(plan.action).toBe("stop");
    expect(plan.action === "stop" && plan.message).toContain("/nowhere/chromium");
  });
});

it("ensureChromium reports a missing CHROMIUM_PATH and installs nothing", () => {
  const lines: string[] = [];
  const ok = ensureChromium({ env: { CHROMIUM_PATH: "/nowhere/chromium" }, log: (l) => lines.push(l), error: (l) => lines.push(l) });
  expect(ok).toBe(false);
  expect(lines).toEqual([expect.stringContaining("/nowhere/chromium")]);
});
