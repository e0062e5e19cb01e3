/**
 * The database: postgres.js when DATABASE_URL is set, else embedded PGlite in a data folder.
 * One schema and one set of migrations for both. Opened lazily, once per process
 * (a globalThis singleton: Next.js build workers never open it, dev reloads reuse it).
 */
import path from "node:path";
import fs from "node:fs";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { env } from "../server/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;
export type Driver = "pglite" | "postgres";

export interface Database {
  db: Db;
  driver: Driver;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; absent → PGlite. */
  url?: string;
  /** PGlite data folder; absent with no url → in memory (tests). */
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Open a database, apply pending migrations and create the months of events partitions due now
 * (a database left idle past a month's turn gets its month before the first record lands in the
 * default partition).
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const database: Database & { url?: string } = options.url
    ? await openPostgres(options.url, options.max)
    : await openPglite(options.dataDir);
  await migrateDatabase(database);
  const { ensureEventPartitions } = await import("../server/services/maintenance/partitions");
  await ensureEventPartitions(database.db);
  return database;
}

async function openPostgres(url: string, max = 10): Promise<Database & { url: string }> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle({ client, schema }) as unknown as Db;
  let own: { client: ReturnType<typeof postgres>; db: Db } | null = null;
  ownConnections.set(db, () => {
    if (!own) {
      const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      own = { client, db: drizzle({ client, schema }) as unknown as Db };
    }
    return own.db;
  });
  return {
    db,
    driver: "postgres",
    url,
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), own?.client.end({ timeout: 5 })]);
    },
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = drizzle({ client, schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}

async function migrateDatabase(database: Database & { url?: string }) {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.driver === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(database.db as never, config);
    return;
  }
  // Several app processes may start at once on one Postgres: migrate under a session lock,
  // on one dedicated connection (max: 1) so the lock and the migration share it.
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(727274001)`;
    await migrate(drizzle({ client }), config);
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** How many migrations the database has applied (for /api/health). */
export async function countMigrations(db: Queryable): Promise<number> {
  const rows = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(resultRows<{ n: number }>(rows)[0]?.n ?? 0);
}

/** postgres.js returns an array, PGlite an object with rows: read either. */
export function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

declare global {
  var __tokenistDb: Promise<Database> | undefined;
}

/** The database the environment names: DATABASE_URL, else the embedded one in TOKENIST_DATA_DIR. */
export function configuredDatabase(): { url: string } | { dataDir: string } {
  const config = env();
  return config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: path.join(config.TOKENIST_DATA_DIR, "pglite") };
}

/** The process-wide database, opened from the environment on first use. */
export function getDatabase(): Promise<Database> {
  if (!globalThis.__tokenistDb) {
    globalThis.__tokenistDb = openDatabase(configuredDatabase()).catch((err) => {
      globalThis.__tokenistDb = undefined; // let the next request try again
      throw err;
    });
  }
  return globalThis.__tokenistDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** Each postgres.js database's own connection for the record batcher, opened on first use. */
const ownConnections = new WeakMap<object, () => Db>();

/**
 * The database on a connection of its own (a one-connection postgres.js client, reconnected by
 * postgres.js when it drops, closed with the database), for the caller that sends statement after
 * statement: the record batcher. The pool hands out its idle connections in turn, so each of its
 * statements would otherwise land on the backend that ran one `max` statements ago, with cold
 * caches: measured, about twice the server CPU for the record statement (issue #19). Null on PGlite
 * and for a transaction (one connection already).
 */
export function ownConnection(db: Queryable): Db | null {
  return ownConnections.get(db)?.() ?? null;
}

/**
 * Run a raw statement as a named prepared statement on postgres.js (planned once per
 * connection, then reused), or plainly on PGlite. For the hot path: drizzle's execute()
 * sends unnamed statements that Postgres plans again every time.
 */
export async function executePrepared<T>(db: Queryable, query: SQL): Promise<T[]> {
  const client = (db as { $client?: { unsafe?: (q: string, p: unknown[], o: { prepare: boolean }) => Promise<T[]> } }).$client;
  if (client?.unsafe) {
    const { sql: text, params } = (
      db as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }
    ).dialect.sqlToQuery(query);
    return client.unsafe(text, params, { prepare: true });
  }
  return resultRows<T>(await db.execute(query));
}
