// Node.js start-up: validate the configuration, then open and migrate the database and
// apply the headless set-up before the first request (server/boot.ts).
import { parseEnv } from "./server/env";
import { boot } from "./server/boot";
import { log } from "./server/lib/log";

if (process.env.NEXT_PHASE !== "phase-production-build") {
  try {
    parseEnv();
  } catch (err) {
    // A bad configuration stops start-up with a message that names the variable.
    console.error((err as Error).message);
    process.exit(1);
  }
  try {
    await boot();
  } catch (err) {
    // An unreachable database does not stop the server: /api/health answers 503 and every
    // request tries to start again until the database is back.
    log.error("could not start: the database is unreachable; retrying on each request", { err });
  }
}
