// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its .d.ts, using plain tsc.
// dist/cjs gets a package.json of {"type":"commonjs"} so Node reads its .js files as CommonJS.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
if (!fs.existsSync(tsc)) {
  console.error("sdk: typescript is not installed here; run `npm install` at the repository root first");
  process.exit(1);
}
fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
for (const config of ["tsconfig.esm.json", "tsconfig.cjs.json"]) {
  const result = spawnSync(process.execPath, [tsc, "-p", config], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
fs.writeFileSync(path.join(root, "dist", "cjs", "package.json"), '{ "type": "commonjs" }\n');
fs.writeFileSync(path.join(root, "dist", "esm", "package.json"), '{ "type": "module" }\n');
