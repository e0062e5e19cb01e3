import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVICE_LAYERS } from "@/server/services/layers";

const ROOT = process.cwd();
const SERVICES = path.join(ROOT, "server", "services");
const ROOT_FILES = "(root)";

/** What no service may import: the doors, the start-up and the framework sit above every service. */
const FORBIDDEN = [
  { what: "inngest/", test: (target: string | null, spec: string) => target?.startsWith("inngest/") || spec === "inngest" },
  { what: "server/boot", test: (target: string | null) => target === "server/boot" },
  { what: "server/http", test: (target: string | null) => target === "server/http" || Boolean(target?.startsWith("server/http/")) },
  { what: "app/", test: (target: string | null) => Boolean(target?.startsWith("app/")) },
  { what: "next", test: (_: string | null, spec: string) => spec === "next" || spec.startsWith("next/") },
];

function serviceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return serviceFiles(full);
    return /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The source without comments (strings kept whole), so a comment that mentions an import is not one. */
function stripComments(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j;
    } else if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && source[i + 1] === "*") {
      i = source.indexOf("*/", i + 2) + 1 || source.length;
    } else out += c;
  }
  return out;
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/g, // import … from "x", export … from "x"
  /\bimport\s*(['"])([^'"]+)\1/g, // import "x"
  /\bimport\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g, // import("x")
];

/** Static imports, `export … from` and dynamic `import()`, as written. */
function importSpecifiers(source: string): string[] {
  const code = stripComments(source);
  return IMPORT_PATTERNS.flatMap((re) => [...code.matchAll(re)].map((m) => m[2]!));
}

const importsOf = (file: string) => importSpecifiers(fs.readFileSync(file, "utf8"));

/** The repository path (no extension) an import points at, or null for a package. */
function targetOf(file: string, spec: string): string | null {
  if (spec.startsWith("@/")) return spec.slice(2).replace(/\.(ts|tsx|js)$/, "");
  if (!spec.startsWith(".")) return null;
  return path
    .relative(ROOT, path.resolve(path.dirname(file), spec))
    .split(path.sep)
    .join("/")
    .replace(/\.(ts|tsx|js)$/, "");
}

/** The domain folder a path under server/services belongs to; files at its root are ROOT_FILES. */
function domainOf(repoPath: string): string | null {
  if (!repoPath.startsWith("server/services/")) return null;
  const parts = repoPath.slice("server/services/".length).split("/");
  return parts.length > 1 ? parts[0]! : ROOT_FILES;
}

/** Depth from the top: a higher number is lower down; the root files are the bottom. */
const depth = new Map<string, number>([[ROOT_FILES, SERVICE_LAYERS.length]]);
SERVICE_LAYERS.forEach((layer, i) => layer.forEach((domain) => depth.set(domain, i)));

describe("service domains flow one way (W5)", () => {
  const files = serviceFiles(SERVICES);
  const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

  it("every domain folder is in the layer order, and every listed domain exists", () => {
    const folders = fs
      .readdirSync(SERVICES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const listed = SERVICE_LAYERS.flat();
    expect(
      folders.filter((f) => !listed.includes(f)),
      "folders missing from server/services/layers.ts",
    ).toEqual([]);
    expect(
      listed.filter((d) => !folders.includes(d)),
      "listed domains with no folder",
    ).toEqual([]);
    expect(new Set(listed).size, "a domain listed twice").toBe(listed.length);
  });

  it("no domain imports a domain above it or beside it", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = domainOf(relative(file))!;
      for (const spec of importsOf(file)) {
        const target = targetOf(file, spec);
        const to = target && domainOf(target);
        if (!to || to === from || !depth.has(from) || !depth.has(to)) continue;
        if (depth.get(to)! <= depth.get(from)!) violations.push(`${relative(file)} imports "${spec}" (${from} → ${to}, not below it)`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("no service imports inngest, server/boot, server/http, app or next", () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(file)) {
        const target = targetOf(file, spec);
        for (const rule of FORBIDDEN) if (rule.test(target, spec)) violations.push(`${relative(file)} imports "${spec}" (${rule.what})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("catches the three kinds of import and a relative import that climbs into a door", () => {
    const sample = path.join(SERVICES, "guardrails", "sample.ts");
    const source = [
      `import {\n  a,\n  type A,\n} from "../metering/record-event";`,
      `export { b } from "@/server/services/alerts/manage-alerts";`,
      `const c = () => import("../../http/errors");`,
    ].join("\n");
    const specs = importSpecifiers(`${source}\n// import { d } from "../../boot";\n/* await import("next/headers") */`);
    expect(specs.map((s) => targetOf(sample, s))).toEqual([
      "server/services/metering/record-event",
      "server/services/alerts/manage-alerts",
      "server/http/errors",
    ]);
    expect(specs.slice(0, 2).map((s) => depth.get(domainOf(targetOf(sample, s)!)!)! < depth.get("guardrails")!)).toEqual([true, true]);
  });
});
