// npm run seed – a demo workspace with 30 days of realistic traffic, then how to sign in.
// Runs against DATABASE_URL, or the embedded database in TOKENIST_DATA_DIR (default
// .tokenist/data). Stop the server first when it uses the same embedded folder: PGlite
// has no lock against a second process opening it.
import { configuredDatabase, openDatabase } from "../db/client";
import { env } from "../server/env";
import { seedDemo } from "./seed/seed-demo";

async function main() {
  process.env.TOKENIST_LOG ??= "silent";
  const target = configuredDatabase();
  console.log(`Seeding ${"url" in target ? "DATABASE_URL" : target.dataDir}…`);
  const database = await openDatabase(target);
  const started = Date.now();
  try {
    const r = await seedDemo(database.db, {
      email: process.env.SEED_EMAIL,
      password: process.env.SEED_PASSWORD,
      log: (m) => console.log(m),
    });
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`\n${r.recorded} new events (${r.events} generated, ${r.endUsers} end users) in ${secs} s.`);
    console.log(`\nSign in at http://localhost:${env().PORT}/sign-in`);
    console.log(`  owner:  ${r.email} / ${r.password}`);
    console.log(`  viewer: ${r.viewerEmail} / ${r.password} (read-only)`);
    console.log(`  workspace: /w/${r.workspaceId}`);
    if (r.apiKey) console.log(`  API key (shown once): ${r.apiKey}`);
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
