// What the test IdPs share: listening on a (free) port, and the command-line side — run `main` only
// when the file is the entry point, print the IdP's JSON line once listening, close on SIGTERM/SIGINT.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Listen on `host:port` (0: a free port) and answer the base URL (`http://host:port`, IPv6 in brackets). */
export async function listen(server, port, host) {
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return `http://${host.includes(":") ? `[${host}]` : host}:${server.address().port}`;
}

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
