import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database, type Driver } from "@/db/client";

/** The databases integration suites run on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const TEST_DRIVERS: Driver[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** A fresh, migrated database: PGlite in memory, or a new database on TEST_DATABASE_URL's server. */
export async function openTestDatabase(driver: Driver): Promise<Database & { url?: string }> {
  if (driver === "pglite") return openDatabase({});
  const url = await createTestDatabaseUrl();
  const database = await openDatabase({ url, max: 20 });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await dropTestDatabase(url);
    },
  };
}

/** CREATE DATABASE tokenist_test_<random> on TEST_DATABASE_URL's server; returns its URL. */
export async function createTestDatabaseUrl(): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `tokenist_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  await admin.end();
}
