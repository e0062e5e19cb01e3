// Node.js start-up: validate the configuration, then open and migrate the database and
// apply the headless set-up before the first request (server/boot.ts).
import { parseEnv } from "./server/env";
import { boot } from "./server/boot";

if (process.env.NEXT_PHASE !== "phase-production-build") {
  try {
    parseEnv();
  } catch (err) {
    // A bad configuration stops start-up with a message that names the variable.
    console.error((err as Error).message);
    process.exit(1);
  }
  await boot();
}
