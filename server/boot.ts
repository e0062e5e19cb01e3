import type { Db } from "@/db/client";
import { getDatabase } from "@/db/client";
import { env } from "./env";
import { log } from "./lib/log";
import { ensureInitialSetup } from "./services/setup/ensure-initial-setup";

declare global {
  var __tokenistBoot: Promise<Db> | undefined;
}

/**
 * Start-up, once per process: validate the environment, open the database (migrations
 * run there), apply the headless set-up. Called from instrumentation.ts when the server
 * starts and awaited by every door, so a request never sees a half-started app.
 */
export function boot(): Promise<Db> {
  globalThis.__tokenistBoot ??= start().catch((err) => {
    globalThis.__tokenistBoot = undefined;
    throw err;
  });
  return globalThis.__tokenistBoot;
}

async function start(): Promise<Db> {
  const config = env();
  const { db, driver } = await getDatabase();
  const init = await ensureInitialSetup(db, {
    email: config.TOKENIST_INIT_EMAIL,
    password: config.TOKENIST_INIT_PASSWORD,
    workspace: config.TOKENIST_INIT_WORKSPACE,
    apiKey: config.TOKENIST_INIT_API_KEY,
    plan: config.STRIPE_SECRET_KEY ? undefined : config.TOKENIST_INIT_PLAN,
  });
  log.info("tokenist started", { driver, initialWorkspace: init?.workspaceId });
  if (config.TOKENIST_WORKER) {
    // With Inngest configured the outbox forwards to it (and Inngest runs the crons); else all runs here.
    const { startBackgroundWorker } = await import("@/server/events/worker");
    const { inngestConfigured } = await import("@/inngest/client");
    startBackgroundWorker(db, inngestConfigured() ? (await import("@/inngest/send")).sendToInngest : undefined);
  }
  return db;
}
