// The command-line side shared by the test IdPs: run `main` only when the file is the entry point,
// print the IdP's JSON line once listening, and close cleanly on SIGTERM/SIGINT.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Print `info` as one JSON line (what a parent process waits for) and close `idp` on a signal. */
export function serveUntilSignal(idp, info) {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = () => idp.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** Run `main` when `moduleUrl` (the caller's import.meta.url) is the script node was started with. */
export function runAsCli(moduleUrl, main) {
  let entry = false;
  try {
    entry = Boolean(process.argv[1]) && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    entry = false;
  }
  if (!entry) return;
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
