// npm run db:migrate – apply pending migrations to DATABASE_URL, or to the embedded database.
// (Start-up applies them too; this is for deploy pipelines. Never run it against a data
// folder a running server has open: PGlite has no lock against a second process.)
import { countMigrations, configuredDatabase, openDatabase } from "../db/client";

async function main() {
  const database = await openDatabase(configuredDatabase());
  console.log(`${database.driver}: ${await countMigrations(database.db)} migrations applied`);
  await database.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
