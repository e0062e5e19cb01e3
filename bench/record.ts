// Durable records/s: recordEvent (event + rollups + end user + outbox, one committed
// transaction each) on a real Postgres, next to a raw postgres.js single-row insert loop; with
// the CPU each write cost this process and Postgres (when it runs on this machine). Each side is
// warmed up (WARM_UP writes, not measured) before it is measured, as the check bench warms its
// routes: the figures are the steady state, not the first seconds of compiling the path.
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { SYSTEM } from "@/server/services/context";
import { ensureInitialSetup } from "@/server/services/setup/ensure-initial-setup";
import { type GroupCommitStats, groupCommitFor } from "@/server/services/metering/group-commit";
import { recordEvent } from "@/server/services/metering/record-event";
import { fmt, freshDatabase, measure, postgresCpuMs } from "./lib";

const N = Number(process.env.BENCH_RECORDS ?? 3000);
const WARM_UP = Number(process.env.BENCH_RECORD_WARM_UP ?? 1000);

export async function main() {
  const { url, drop } = await freshDatabase();
  const database = await openDatabase({ url, max: 10 });
  const raw = postgres(url, { max: 10, onnotice: () => {} });
  try {
    // A paid plan, as in the other benches: the Free plan's monthly cap would stop a long run.
    const init = await ensureInitialSetup(database.db, { email: "bench@example.com", workspace: "Bench", plan: "enterprise" });
    const ctx = { db: database.db, workspaceId: init!.workspaceId, actor: SYSTEM };
    const workspace = { id: init!.workspaceId };
    await raw`create table bench_raw (id text primary key, workspace_id text, user_id text, tokens int, cost bigint, at timestamptz)`;

    console.log(`\n== record: ${fmt(N)} durable writes each after ${fmt(WARM_UP)} to warm up, real Postgres (${new URL(url).host})`);
    const rows: string[] = [];
    const results: Array<Record<string, number>> = [];
    const insertRaw = (id: string, i: number) =>
      raw`insert into bench_raw values (${id}, ${workspace.id}, ${`user_${i % 1000}`}, ${907}, ${140400}, now())`;
    const record = (requestId: string, i: number) =>
      recordEvent({
        ctx,
        input: {
          userId: `user_${i % 1000}`,
          orgId: `org_${i % 50}`,
          feature: ["chat", "search", "summary"][i % 3],
          model: "gpt-4o-mini",
          requestId,
          usage: { prompt_tokens: 812, completion_tokens: 95, prompt_tokens_details: { cached_tokens: 512 } },
        },
      });
    for (const concurrency of [1, 10]) {
      await measure(WARM_UP, concurrency, (i) => insertRaw(`warm-c${concurrency}-${i}`, i));
      const baseline = await withCpu(() => measure(N, concurrency, (i) => insertRaw(`c${concurrency}-${i}`, i)));
      await measure(WARM_UP, concurrency, (i) => record(`warm-c${concurrency}-req-${i}`, i));
      const before = { ...groupCommitFor(database.db).stats };
      const recorded = await withCpu(() => measure(N, concurrency, (i) => record(`c${concurrency}-req-${i}`, i)));
      rows.push(
        `concurrency ${String(concurrency).padStart(2)}: raw insert ${fmt(baseline.opsPerSec)}/s (p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms)` +
          ` | recordEvent ${fmt(recorded.opsPerSec)}/s (p50 ${fmt(recorded.p50, 2)} ms, p99 ${fmt(recorded.p99, 2)} ms)` +
          ` | ratio ${fmt(recorded.opsPerSec / baseline.opsPerSec, 2)}` +
          ` | ${fmt(recordsPerStatement(before, groupCommitFor(database.db).stats), 1)} records/statement` +
          ` | CPU per write: raw ${cpuText(baseline)}, record ${cpuText(recorded)}`,
      );
      results.push({
        concurrency,
        rawPerSec: Math.round(baseline.opsPerSec),
        recordPerSec: Math.round(recorded.opsPerSec),
        ratio: Number((recorded.opsPerSec / baseline.opsPerSec).toFixed(3)),
        p50Ms: Number(recorded.p50.toFixed(2)),
        p99Ms: Number(recorded.p99.toFixed(2)),
        nodeCpuUs: Math.round(recorded.nodeCpuUs),
        ...(Number.isFinite(recorded.postgresCpuUs) && { postgresCpuUs: Math.round(recorded.postgresCpuUs) }),
      });
    }
    for (const r of rows) console.log(r);
    // The machine-readable last line (shared/API-2.md, "Benchmarks").
    console.log(JSON.stringify({ bench: "record", results }));
  } finally {
    await raw.end();
    await database.close();
    await drop();
  }
}

/** How many records each statement carried on average since `before` (group commit, metering/group-commit.ts). */
function recordsPerStatement(before: GroupCommitStats, after: GroupCommitStats): number {
  return (after.records - before.records) / Math.max(1, after.statements - before.statements);
}

/**
 * `run`'s figures with the CPU each write cost, in µs: this process (the service, or the raw
 * client) and Postgres when it runs on this machine (NaN otherwise).
 */
async function withCpu<T>(run: () => Promise<T>, writes = N) {
  const pg = postgresCpuMs();
  const node = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(node);
  return {
    ...result,
    nodeCpuUs: (used.user + used.system) / writes,
    postgresCpuUs: ((postgresCpuMs() - pg) * 1000) / writes,
  };
}

function cpuText(r: { nodeCpuUs: number; postgresCpuUs: number }): string {
  return `${fmt(r.nodeCpuUs)} µs here` + (Number.isFinite(r.postgresCpuUs) ? ` + ${fmt(r.postgresCpuUs)} µs Postgres` : "");
}
