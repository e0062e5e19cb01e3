// npm run admin -- <command>: the operator's console (scripts/admin/commands.ts lists the commands).
// Runs against DATABASE_URL, or the embedded database in TOKENIST_DATA_DIR (never while a server
// has that data folder open: PGlite has no lock against a second process).
import { configuredDatabase, openDatabase } from "../db/client";
import { runAdmin } from "./admin/commands";

async function main() {
  process.env.TOKENIST_LOG ??= "silent";
  const database = await openDatabase(configuredDatabase());
  try {
    const { code, out } = await runAdmin(database.db, process.argv.slice(2));
    (code === 0 ? console.log : console.error)(out);
    process.exitCode = code;
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
