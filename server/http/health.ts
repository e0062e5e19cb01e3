import { countMigrations, getDatabase, type Driver } from "@/db/client";
import { boot } from "@/server/boot";
import { env } from "@/server/env";
import { log } from "@/server/lib/log";
import pkg from "@/package.json";

export interface Health {
  status: "ok" | "unavailable";
  driver: Driver | null;
  migrations: number | null;
  version: string;
  error?: string;
}

/** Database reachable and migrated? 503 from the route when not. */
export async function getHealth(): Promise<Health> {
  let driver: Driver | null = null;
  try {
    // Inside the try: a configuration that fails validation is answered 503 like any failed start.
    driver = env().DATABASE_URL ? "postgres" : "pglite";
    await boot();
    const { db } = await getDatabase();
    const migrations = await withTimeout(countMigrations(db), 3_000);
    return { status: "ok", driver, migrations, version: pkg.version };
  } catch (err) {
    log.warn("health check failed", { err });
    return { status: "unavailable", driver, migrations: null, version: pkg.version, error: "database unreachable" };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}
