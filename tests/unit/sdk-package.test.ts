// The published shape of @tokenist/guardrails: no runtime dependencies, dual exports, and
// runtime code that needs nothing but `fetch` (no node: imports: edge runtimes load it).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SDK_VERSION } from "@/sdk/src/index";

const SDK = path.resolve(import.meta.dirname, "..", "..", "sdk");
const pkg = JSON.parse(fs.readFileSync(path.join(SDK, "package.json"), "utf8"));
const sources = fs.readdirSync(path.join(SDK, "src")).filter((f) => f.endsWith(".ts"));

describe("sdk/package.json", () => {
  it("is @tokenist/guardrails with no runtime dependencies", () => {
    expect(pkg).toMatchObject({ name: "@tokenist/guardrails", sideEffects: false, engines: { node: ">=18" } });
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect(pkg.version).toBe(SDK_VERSION);
  });

  it("exports ESM and CommonJS, each with its types first", () => {
    const root = pkg.exports["."];
    expect(root.import).toEqual({ types: "./dist/esm/index.d.ts", default: "./dist/esm/index.js" });
    expect(root.require).toEqual({ types: "./dist/cjs/index.d.ts", default: "./dist/cjs/index.js" });
    expect(Object.keys(root.import)[0]).toBe("types");
    expect(pkg.files).toEqual(["dist", "README.md"]);
  });
});

describe("sdk/src", () => {
  it.each(sources)("%s imports nothing from Node or from outside the package", (file) => {
    const text = fs.readFileSync(path.join(SDK, "src", file), "utf8");
    const imports = [...text.matchAll(/^(?:import|export)\b[^;"]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map((m) => (m[1] ?? m[2])!);
    expect(text).not.toMatch(/\bimport\(|\brequire\(/);
    for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w.-]+\.js$/);
    if (file === "client.ts") expect(imports.length).toBeGreaterThan(5); // the pattern does find imports
    if (file !== "runtime.ts") expect(text).not.toMatch(/\bprocess\./);
  });
});
