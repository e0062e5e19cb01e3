// npm run db:migrate – apply pending migrations to DATABASE_URL, or to the embedded database.
// (Start-up applies them too; this is for deploy pipelines. Never run it against a data
// folder a running server has open: PGlite has no lock against a second process.)
import path from "node:path";
import { countMigrations, openDatabase } from "../db/client";
import { DEFAULT_DATA_DIR } from "../server/env";

async function main() {
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = path.join(process.env.TOKENIST_DATA_DIR || DEFAULT_DATA_DIR, "pglite");
  const database = await openDatabase(url ? { url } : { dataDir });
  console.log(`${database.driver}: ${await countMigrations(database.db)} migrations applied`);
  await database.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
