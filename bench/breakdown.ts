// npm run bench -- breakdown : BENCH_EVENTS (default 1,000,000) events generated in bulk SQL over the
// last 30 days (10k end users, 500 orgs, 8 features, 6 models, 3 tiers), then 30-day usage
// breakdowns (usageBreakdown, as /api/v1/usage/breakdown calls it) by user, by feature,model and by
// user,feature,model, plus one restricted to a segment, each BENCH_RUNS times (default 20), and the
// CSV of every user,feature,model group once, against a baseline in the same run: a plain count(*)
// of the range's events. Features and models are drawn apart from the end user (every user uses
// them all), the most groups such a set can make: ~378k user,feature,model groups. Real Postgres only
// (BENCH_DATABASE_URL / TEST_DATABASE_URL / the local server); the database is dropped at the end
// unless BENCH_KEEP_DB=1 (to EXPLAIN the queries on it).
import os from "node:os";
import { sql } from "drizzle-orm";
import { openDatabase, resultRows, type Db } from "@/db/client";
import { SYSTEM, type ServiceCtx } from "@/server/services/context";
import { ensureInitialSetup } from "@/server/services/setup/ensure-initial-setup";
import { exportBreakdownCsv, usageBreakdown, type TBreakdownDimension } from "@/server/services/usage/breakdown";
import { fmt, freshDatabase, loadAverage, percentile } from "./lib";

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const USERS = 10_000;
const DAYS = 30;
const CHUNK = 250_000;
const FEATURES = ["chat", "search", "summary", "agent", "translate", "code", "support", "extract"];
const MODELS = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4", "gemini-2.5-flash", "o3-mini", "llama-3.1-70b"];
const CASES: Array<{ name: string; by: TBreakdownDimension[]; segment?: boolean }> = [
  { name: "user", by: ["user"] },
  { name: "feature,model", by: ["feature", "model"] },
  { name: "user,feature,model", by: ["user", "feature", "model"] },
  { name: "user,feature,model (segment tier=pro)", by: ["user", "feature", "model"], segment: true },
];

const num = (n: number) => sql.raw(String(n));
const textArray = (xs: string[]) => sql.raw(`array[${xs.map((x) => `'${x}'`).join(", ")}]`);

/**
 * Events [from, to) of N spread evenly over the last DAYS days, oldest first (g = 0 is DAYS ago), as
 * they arrive: ids and times ascending, so the indexes grow on their right edge as in production;
 * skewed users (a few heavy ones).
 */
function insertEventsSql(workspaceId: string, now: Date, from: number, to: number) {
  const spanS = (DAYS * 86_400_000 - 60_000) / 1000;
  return sql`insert into events (id, workspace_id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
      latency_ms, usage_format, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
      audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos, priced, price_source, labels, occurred_at)
    select 'evt_' || lpad(g::text, 10, '0'), ${workspaceId}, 'req_' || g, 'user_' || u, 'org_' || (u % 500),
      (${textArray(FEATURES)})[1 + g % ${num(FEATURES.length)}], (array['free', 'pro', 'team'])[1 + u % 3],
      (${textArray(MODELS)})[1 + (g / 7) % ${num(MODELS.length)}], 'openai', 'chat', 200 + g % 1800, 'openai',
      input, input / 4, 0, output, 0, 0, 0, input + output, (input * 150 + output * 600)::bigint, g % 50 <> 0, 'bench',
      '{}'::text[], ${now.toISOString()}::timestamptz - make_interval(secs => (1 - g::float8 / ${num(N)}) * ${num(spanS)})
    from (select g, floor(${num(USERS)} * power(random(), 2))::int as u, 200 + floor(random() * 2000)::int as input,
        20 + floor(random() * 500)::int as output
      from generate_series(${num(from)}, ${num(to - 1)}) g) s`;
}

async function generate(db: Db, workspaceId: string, now: Date) {
  const started = performance.now();
  for (let from = 0; from < N; from += CHUNK) {
    await db.execute(insertEventsSql(workspaceId, now, from, Math.min(N, from + CHUNK)));
    process.stdout.write(`\r  events: ${fmt(Math.min(N, from + CHUNK))} / ${fmt(N)}`);
  }
  process.stdout.write("\n");
  await db.execute(sql`insert into end_users (workspace_id, user_id, org_id, tier, first_seen_at, last_seen_at, requests,
      total_tokens, cost_nanos, unpriced_requests)
    select workspace_id, user_id, max(org_id), max(tier), min(occurred_at), max(occurred_at), count(*), sum(total_tokens),
      sum(cost_nanos), count(*) filter (where not priced)
    from events where workspace_id = ${workspaceId} group by workspace_id, user_id`);
  await db.execute(sql`insert into segments (id, workspace_id, name, filter)
    values ('seg_bench_pro', ${workspaceId}, 'Pro', '{"tier":"pro"}'::jsonb)`);
  await db.execute(sql`vacuum (analyze) events, end_users`);
  return (performance.now() - started) / 1000;
}

async function time(fn: () => Promise<unknown>) {
  for (let i = 0; i < 2; i++) await fn(); // warm the caches
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function main() {
  const { url, drop } = await freshDatabase();
  const database = await openDatabase({ url, max: 4 });
  try {
    const now = new Date();
    const init = await ensureInitialSetup(database.db, { email: "bench@example.com", workspace: "Bench", plan: "enterprise" });
    const ctx: ServiceCtx = { db: database.db, workspaceId: init!.workspaceId, actor: SYSTEM };
    console.log(`\n== breakdown: ${fmt(N)} events over ${DAYS} days, ${fmt(USERS)} end users, real Postgres (${new URL(url).host})`);
    const generateS = await generate(database.db, ctx.workspaceId, now);
    console.log(`generated in ${fmt(generateS, 1)} s (load ${loadAverage()})`);
    const range = { from: new Date(now.getTime() - DAYS * 86_400_000), to: new Date(now.getTime() + 60_000) };
    const baseline = await time(async () =>
      resultRows(
        await database.db.execute(sql`select count(*) from events where workspace_id = ${ctx.workspaceId}
          and occurred_at >= ${range.from.toISOString()}::timestamptz and occurred_at < ${range.to.toISOString()}::timestamptz`),
      ),
    );
    console.log(`baseline count(*), 30 days: p50 ${fmt(baseline.p50, 1)} ms, p99 ${fmt(baseline.p99, 1)} ms (load ${loadAverage()})`);
    const results: Array<Record<string, unknown>> = [];
    for (const c of CASES) {
      const input = { ...range, by: c.by, limit: 100, segment: c.segment ? "seg_bench_pro" : undefined };
      const first = await usageBreakdown({ ctx, input });
      const t = await time(() => usageBreakdown({ ctx, input }));
      console.log(
        `by ${c.name}, 30 days, first page of 100: p50 ${fmt(t.p50, 1)} ms, p99 ${fmt(t.p99, 1)} ms over ${RUNS} runs` +
          ` | ratio to count(*) ${fmt(t.p50 / baseline.p50, 1)} (load ${loadAverage()})`,
      );
      results.push({
        by: c.name,
        rows: first.data.length,
        p50Ms: Number(t.p50.toFixed(1)),
        p99Ms: Number(t.p99.toFixed(1)),
        ratio: Number((t.p50 / baseline.p50).toFixed(2)),
      });
    }
    const exportStarted = performance.now();
    const csv = await exportBreakdownCsv({ ctx, input: { ...range, by: ["user", "feature", "model"] } });
    const exportMs = performance.now() - exportStarted;
    const groups = csv.trimEnd().split("\n").length - 1;
    console.log(`CSV of every user,feature,model group (${fmt(groups)} rows): ${fmt(exportMs, 0)} ms (load ${loadAverage()})`);
    console.log(
      JSON.stringify({
        bench: "breakdown",
        results: {
          events: N,
          runs: RUNS,
          generateSeconds: Number(generateS.toFixed(1)),
          baselineP50Ms: Number(baseline.p50.toFixed(1)),
          baselineP99Ms: Number(baseline.p99.toFixed(1)),
          cores: os.cpus().length,
          load: os.loadavg().map((l) => Number(l.toFixed(2))),
          cases: results,
          exportGroups: groups,
          exportMs: Math.round(exportMs),
        },
      }),
    );
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP_DB === "1") console.log(`kept ${url}`);
    else await drop();
  }
}
