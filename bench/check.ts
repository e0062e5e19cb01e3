// /sdk/check under autocannon: the production server on real Postgres and on PGlite, 10k
// end users, 5 rules, 1% blocklisted; against a no-op route in the same server and run.
import autocannon from "autocannon";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "@/db/client";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { SYSTEM } from "@/server/services/context";
import { createBlock } from "@/server/services/blocklist/manage-blocklist";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { recordEvent } from "@/server/services/metering/record-event";
import { ensureInitialSetup } from "@/server/services/setup/ensure-initial-setup";
import { drainOutbox } from "@/server/events/outbox";
import { startApp } from "@/tests/helpers/app-server";
import { fmt, freshDatabase, measure, postgresCpuMs } from "./lib";

const USERS = 10_000;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const EMAIL = "bench@example.com";

export async function seed(database: Database, apiKey: string) {
  // Enterprise: the free plan's monthly cap would stop a benchmark.
  const init = await ensureInitialSetup(database.db, {
    email: EMAIL,
    password: "bench-password",
    workspace: "Bench",
    apiKey,
    plan: "enterprise",
  });
  const ctx = { db: database.db, workspaceId: init!.workspaceId, actor: SYSTEM };
  const rules = [
    { name: "Per-user daily requests", scope: "user", metric: "requests", window: "day", limit: 10_000 },
    { name: "Per-user hourly tokens", scope: "user", metric: "tokens", window: "hour", limit: 1_000_000 },
    { name: "Chat daily cost", scope: "feature", match: "chat", metric: "cost_usd", window: "day", limit: 10_000, action: "alert" },
    {
      name: "Free tier per minute",
      scope: "tier",
      match: "free",
      metric: "requests",
      window: "minute",
      limit: 600,
      action: "require_reauth",
    },
    { name: "Workspace monthly", scope: "workspace", metric: "requests", window: "calendar_month", limit: 100_000_000 },
  ] as const;
  for (const r of rules) await createRule({ ctx, input: r });
  for (let i = 0; i < USERS; i += 100) await createBlock({ ctx, input: { userId: `user_${i}`, reason: "bench" } });
  await measure(USERS, 8, (i) =>
    recordEvent({
      ctx,
      input: {
        userId: `user_${i}`,
        feature: i % 2 ? "chat" : "search",
        tier: i % 3 ? "pro" : "free",
        model: "gpt-4o-mini",
        requestId: `seed-${i}`,
        usage: { prompt_tokens: 500, completion_tokens: 50 },
      },
    }),
  );
  // The seed's background work (10k "event recorded" reactions) is done before the app starts:
  // the benchmark measures checks, not a backlog draining on the same database connection.
  await drainOutbox(database.db);
}

/** CPU time (user + system, ms) the process has used: what one request costs the server. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

/** Run and report the server's and the database's CPU each request cost. */
async function measured(pid: number | undefined, url: string, connections: number, requests?: autocannon.Request[]) {
  const before = cpuMs(pid);
  const pgBefore = postgresCpuMs();
  const result = await run(url, connections, requests);
  return {
    result,
    cpuPerRequest: (cpuMs(pid) - before) / result.requests.total,
    pgCpuPerRequest: (postgresCpuMs() - pgBefore) / result.requests.total,
  };
}

function run(url: string, connections: number, requests?: autocannon.Request[]) {
  return new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url, connections, duration: DURATION, requests }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function benchDriver(driver: "postgres" | "pglite") {
  const apiKey = generateApiKey();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tokenist-bench-"));
  const pg = driver === "postgres" ? await freshDatabase() : null;
  const database = await openDatabase(pg ? { url: pg.url } : { dataDir: path.join(dataDir, "pglite") });
  const seeded = performance.now();
  await seed(database, apiKey);
  await database.close(); // PGlite: one process at a time
  console.log(
    `\n== check on ${driver}: seeded ${fmt(USERS)} end users, 5 rules, ${USERS / 100} blocked in ${fmt((performance.now() - seeded) / 1000, 1)} s`,
  );
  const app = await startApp({
    databaseUrl: pg?.url,
    env: {
      TOKENIST_DATA_DIR: dataDir,
      TOKENIST_INIT_EMAIL: EMAIL,
      TOKENIST_INIT_WORKSPACE: "Bench",
      TOKENIST_INIT_API_KEY: apiKey,
      TOKENIST_INIT_PLAN: "enterprise",
      // The per-key limit (60,000 a minute by default) would answer 429 to a fast path.
      TOKENIST_SDK_RATE_LIMIT: "1000000000",
      ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    },
    // BENCH_CPU_PROF_DIR: the server writes a V8 CPU profile there when it stops (open it in
    // Chrome DevTools; NODE_OPTIONS cannot carry --cpu-prof).
    nodeArgs: process.env.BENCH_CPU_PROF_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF_DIR, driver)}`]
      : undefined,
  });
  try {
    const check: autocannon.Request = {
      method: "POST",
      path: "/sdk/check",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      setupRequest: (req) => {
        const i = Math.floor(Math.random() * USERS);
        const body = {
          userId: `user_${i}`,
          feature: i % 2 ? "chat" : "search",
          tier: i % 3 ? "pro" : "free",
          model: "gpt-4o-mini",
          estimatedTokens: 800,
        };
        return { ...req, body: JSON.stringify(body) };
      },
    };
    // The same request (method, headers, body) to the no-op route: what receiving it costs.
    const noopPost: autocannon.Request = { ...check, path: "/api/ping" };
    await run(`${app.baseUrl}/api/ping`, 10); // warm up the routes
    await run(app.baseUrl, 10, [noopPost]);
    await run(app.baseUrl, 10, [check]);
    for (const connections of [50, 1]) {
      const { result: noop, cpuPerRequest: noopCpu } = await measured(app.pid(), `${app.baseUrl}/api/ping`, connections);
      const post = await run(app.baseUrl, connections, [noopPost]);
      const {
        result: res,
        cpuPerRequest: checkCpu,
        pgCpuPerRequest: checkPgCpu,
      } = await measured(app.pid(), app.baseUrl, connections, [check]);
      const errors = res.non2xx + res.errors;
      checkResults.push({
        driver,
        connections,
        noopRps: Math.round(noop.requests.average),
        checkRps: Math.round(res.requests.average),
        ratio: Number((res.requests.average / noop.requests.average).toFixed(3)),
        p50Ms: res.latency.p50,
        p99Ms: res.latency.p99,
        errors,
        noopPostRps: Math.round(post.requests.average),
        ratioToPost: Number((res.requests.average / post.requests.average).toFixed(3)),
        noopCpuMs: Number(noopCpu.toFixed(3)),
        checkCpuMs: Number(checkCpu.toFixed(3)),
        ...(Number.isFinite(checkPgCpu) && driver === "postgres" && { checkPostgresCpuMs: Number(checkPgCpu.toFixed(3)) }),
      });
      console.log(
        `${String(connections).padStart(2)} conn: no-op GET ${fmt(noop.requests.average)} req/s (p50 ${noop.latency.p50} ms, p99 ${noop.latency.p99} ms)` +
          ` | no-op POST, same body ${fmt(post.requests.average)} req/s (p99 ${post.latency.p99} ms)` +
          ` | /sdk/check ${fmt(res.requests.average)} req/s (p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, ${errors} errors)` +
          ` | ratio ${fmt(res.requests.average / noop.requests.average, 2)} (to the POST: ${fmt(res.requests.average / post.requests.average, 2)})` +
          ` | server CPU per request: no-op ${fmt(noopCpu, 2)} ms, check ${fmt(checkCpu, 2)} ms` +
          (driver === "postgres" && Number.isFinite(checkPgCpu) ? ` (+ Postgres ${fmt(checkPgCpu, 2)} ms)` : ""),
      );
    }
  } finally {
    await app.dispose();
    await pg?.drop();
  }
}

const checkResults: Array<Record<string, string | number>> = [];

export async function main() {
  const drivers = (process.env.BENCH_DRIVERS ?? "postgres,pglite").split(",") as Array<"postgres" | "pglite">;
  for (const d of drivers) await benchDriver(d);
  // The machine-readable last line (shared/API-2.md, "Benchmarks").
  console.log(JSON.stringify({ bench: "check", results: checkResults }));
}
