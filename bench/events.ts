// npm run bench -- events : BENCH_EVENTS (default 10,000,000) events generated in bulk SQL over the
// last 31 days (10k end users, 8 features, 6 models), with the rollups and end users they imply.
// Measures the dashboard Overview for 30 days (getOverview, as the dashboard calls it) and the
// /sdk/check decision (checkAccess in-process) on the empty workspace and again with the events.
// Real Postgres only (BENCH_DATABASE_URL / TEST_DATABASE_URL / the local server); the database is
// dropped at the end unless BENCH_KEEP_DB=1 (to EXPLAIN the queries on it).
import { sql } from "drizzle-orm";
import { openDatabase, resultRows, type Db } from "@/db/client";
import { SYSTEM, type ServiceCtx } from "@/server/services/context";
import { getOverview } from "@/server/services/dashboard/get-overview";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { COMPACT_AFTER_MS } from "@/server/services/maintenance/compact-rollups";
import { ensureInitialSetup } from "@/server/services/setup/ensure-initial-setup";
import { fmt, freshDatabase, loadAverage, measure, percentile } from "./lib";

const N = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const USERS = 10_000;
const DAYS = 31;
const CHUNK = 1_000_000;
const OVERVIEW_RUNS = 20;
const CHECKS = 2_000;
const FEATURES = ["chat", "search", "summary", "agent", "translate", "code", "support", "extract"];
const MODELS = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4", "gemini-2.5-flash", "o3-mini", "llama-3.1-70b"];
const ROLLUP_DIMENSIONS: Array<[string, string]> = [
  ["workspace", "''"],
  ["user", "user_id"],
  ["org", "org_id"],
  ["feature", "feature"],
  ["model", "lower(model)"],
  ["tier", "tier"],
];

/** A number written into the statement: bound parameters would be untyped there. */
const num = (n: number) => sql.raw(String(n));
const textArray = (xs: string[]) => sql.raw(`array[${xs.map((x) => `'${x}'`).join(", ")}]`);

async function seedWorkspace(db: Db): Promise<ServiceCtx> {
  const init = await ensureInitialSetup(db, { email: "bench@example.com", workspace: "Bench", plan: "enterprise" });
  const ctx = { db, workspaceId: init!.workspaceId, actor: SYSTEM };
  const rules = [
    { name: "Per-user daily requests", scope: "user", metric: "requests", window: "day", limit: 100_000 },
    { name: "Per-user hourly tokens", scope: "user", metric: "tokens", window: "hour", limit: 100_000_000 },
    { name: "Workspace monthly", scope: "workspace", metric: "requests", window: "calendar_month", limit: 1_000_000_000 },
  ] as const;
  for (const r of rules) await createRule({ ctx, input: r });
  return ctx;
}

/**
 * The events table's indexes and primary key, dropped for the bulk load and built again after
 * it (as a restore would): sorted builds instead of 10M index insertions.
 */
async function withoutEventIndexes(db: Db, load: () => Promise<void>) {
  const indexes = resultRows<{ name: string; def: string }>(
    await db.execute(sql`select indexname as name, indexdef as def from pg_indexes
      where tablename = 'events' and indexname <> 'events_pkey'`),
  );
  for (const i of indexes) await db.execute(sql.raw(`drop index ${i.name}`));
  await db.execute(sql`alter table events drop constraint events_pkey`);
  await load();
  await db.execute(sql`alter table events add constraint events_pkey primary key (id, occurred_at)`);
  // pg_indexes shows a partitioned index as "on only": built again, it must cover the partitions.
  for (const i of indexes) await db.execute(sql.raw(i.def.replace(" ON ONLY ", " ON ")));
}

/** Events [from, to) of N: g = 0 is now, g = N is DAYS ago; skewed users (a few heavy ones). */
function insertEventsSql(workspaceId: string, now: Date, from: number, to: number) {
  const spanMs = DAYS * 86_400_000;
  return sql`insert into events (id, workspace_id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
      latency_ms, usage_format, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
      audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos, priced, price_source, labels, occurred_at)
    select 'evt_' || lpad((${num(N)} - g)::text, 10, '0'), ${workspaceId}, 'req_' || g, 'user_' || u, 'org_' || (u % 500),
      (${textArray(FEATURES)})[1 + g % ${num(FEATURES.length)}], (array['free', 'pro', 'team'])[1 + u % 3],
      (${textArray(MODELS)})[1 + (g / 7) % ${num(MODELS.length)}], 'openai', 'chat', 200 + g % 1800, 'openai',
      input, input / 4, 0, output, 0, 0, 0, input + output, (input * 150 + output * 600)::bigint, g % 50 <> 0, 'bench',
      case when g % 200 = 0 then array['jailbreak'] when g % 333 = 0 then array['pii_request'] else '{}'::text[] end,
      ${now.toISOString()}::timestamptz - make_interval(secs => (g::float8 / ${num(N)}) * ${num(spanMs / 1000)})
    from (select g, floor(${num(USERS)} * power(random(), 2))::int as u, 200 + floor(random() * 2000)::int as input,
        20 + floor(random() * 500)::int as output
      from generate_series(${num(from)}, ${num(to - 1)}) g) s`;
}

/**
 * The rollups the events imply, as recording then compaction leave them: hour buckets before the
 * compaction cutoff, minute buckets after it. One statement per dimension.
 */
async function generateRollups(db: Db, workspaceId: string, now: Date) {
  const cutoff = new Date(Math.floor((now.getTime() - COMPACT_AFTER_MS) / 3600_000) * 3600_000).toISOString();
  for (const [dimension, key] of ROLLUP_DIMENSIONS) {
    await db.execute(sql`insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens,
        cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests)
      select ${workspaceId}, ${dimension}, k, gran, date_trunc(gran, occurred_at, 'UTC') as b, count(*), sum(input_tokens),
        sum(cached_input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(total_tokens), sum(cost_nanos),
        count(*) filter (where not priced)
      from (select *, ${sql.raw(key)} as k,
          case when occurred_at < ${cutoff}::timestamptz then 'hour' else 'minute' end as gran
        from events where workspace_id = ${workspaceId}) e
      where k is not null
      group by k, gran, b`);
  }
}

async function generateEndUsers(db: Db, workspaceId: string) {
  await db.execute(sql`insert into end_users (workspace_id, user_id, org_id, tier, first_seen_at, last_seen_at, requests,
      total_tokens, cost_nanos, unpriced_requests)
    select workspace_id, user_id, max(org_id), max(tier), min(occurred_at), max(occurred_at), count(*), sum(total_tokens),
      sum(cost_nanos), count(*) filter (where not priced)
    from events where workspace_id = ${workspaceId} group by workspace_id, user_id`);
}

async function generate(db: Db, ctx: ServiceCtx, now: Date) {
  await db.execute(sql`set work_mem = '256MB'`);
  await db.execute(sql`set maintenance_work_mem = '1GB'`);
  const started = performance.now();
  await withoutEventIndexes(db, async () => {
    for (let from = 0; from < N; from += CHUNK) {
      await db.execute(insertEventsSql(ctx.workspaceId, now, from, Math.min(N, from + CHUNK)));
      process.stdout.write(`\r  events: ${fmt(Math.min(N, from + CHUNK))} / ${fmt(N)}`);
    }
    process.stdout.write("\n");
  });
  const eventsS = (performance.now() - started) / 1000;
  await generateRollups(db, ctx.workspaceId, now);
  await generateEndUsers(db, ctx.workspaceId);
  await db.execute(sql`vacuum (analyze) events, usage_rollups, end_users`);
  const totalS = (performance.now() - started) / 1000;
  const [counts] = resultRows<{ rollups: number; users: number }>(
    await db.execute(sql`select (select count(*) from usage_rollups)::int as rollups, (select count(*) from end_users)::int as users`),
  );
  return { eventsS, totalS, rollups: counts!.rollups, endUsers: counts!.users };
}

async function measureOverview(ctx: ServiceCtx, now: Date) {
  const input = { from: new Date(now.getTime() - 30 * 86_400_000), to: now };
  for (let i = 0; i < 2; i++) await getOverview({ ctx, input }); // warm the caches
  const times: number[] = [];
  for (let i = 0; i < OVERVIEW_RUNS; i++) {
    const t = performance.now();
    await getOverview({ ctx, input });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

function measureCheck(ctx: ServiceCtx) {
  return measure(CHECKS, 1, (i) =>
    checkAccess({
      ctx,
      input: {
        userId: `user_${(i * 7919) % USERS}`,
        feature: FEATURES[i % FEATURES.length],
        tier: "pro",
        model: MODELS[0],
        estimatedTokens: 800,
      },
    }),
  );
}

export async function main() {
  const { url, drop } = await freshDatabase();
  const database = await openDatabase({ url, max: 10 });
  try {
    const now = new Date();
    const ctx = await seedWorkspace(database.db);
    console.log(`\n== events: ${fmt(N)} events over ${DAYS} days, ${fmt(USERS)} end users, real Postgres (${new URL(url).host})`);
    await measureCheck(ctx); // warm up
    const emptyCheck = await measureCheck(ctx);
    console.log(`check, no events: p50 ${fmt(emptyCheck.p50, 2)} ms, p99 ${fmt(emptyCheck.p99, 2)} ms (load ${loadAverage()})`);
    const gen = await generate(database.db, ctx, now);
    console.log(
      `generated in ${fmt(gen.totalS, 1)} s (events and their indexes ${fmt(gen.eventsS, 1)} s): ` +
        `${fmt(gen.rollups)} rollup rows, ${fmt(gen.endUsers)} end users`,
    );
    const overview = await measureOverview(ctx, now);
    console.log(
      `Overview, 30 days: p50 ${fmt(overview.p50, 1)} ms, p99 ${fmt(overview.p99, 1)} ms over ${OVERVIEW_RUNS} runs (load ${loadAverage()})`,
    );
    await measureCheck(ctx); // warm up
    const fullCheck = await measureCheck(ctx);
    console.log(
      `check, ${fmt(N)} events: p50 ${fmt(fullCheck.p50, 2)} ms, p99 ${fmt(fullCheck.p99, 2)} ms (load ${loadAverage()})` +
        ` | p50 ratio to empty ${fmt(fullCheck.p50 / emptyCheck.p50, 2)}`,
    );
    // The machine-readable last line (shared/API-2.md, "Benchmarks").
    console.log(
      JSON.stringify({
        bench: "events",
        results: {
          events: N,
          endUsers: gen.endUsers,
          rollupRows: gen.rollups,
          generateSeconds: Number(gen.totalS.toFixed(1)),
          overviewP50Ms: Number(overview.p50.toFixed(1)),
          overviewP99Ms: Number(overview.p99.toFixed(1)),
          checkEmptyP50Ms: Number(emptyCheck.p50.toFixed(2)),
          checkEmptyP99Ms: Number(emptyCheck.p99.toFixed(2)),
          checkFullP50Ms: Number(fullCheck.p50.toFixed(2)),
          checkFullP99Ms: Number(fullCheck.p99.toFixed(2)),
        },
      }),
    );
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP_DB === "1") console.log(`kept ${url}`);
    else await drop();
  }
}
