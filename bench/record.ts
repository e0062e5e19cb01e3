// Durable records/s: recordEvent (event + rollups + end user + outbox, one committed
// transaction each) on a real Postgres, next to a raw postgres.js single-row insert loop; with
// the CPU each write cost this process and Postgres (when it runs on this machine).
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { signUp } from "@/server/services/auth/accounts";
import { type GroupCommitStats, groupCommitFor } from "@/server/services/metering/group-commit";
import { recordEvent } from "@/server/services/metering/record-event";
import { fmt, freshDatabase, measure, postgresCpuMs } from "./lib";

const N = Number(process.env.BENCH_RECORDS ?? 3000);

export async function main() {
  const { url, drop } = await freshDatabase();
  const database = await openDatabase({ url, max: 10 });
  const raw = postgres(url, { max: 10, onnotice: () => {} });
  try {
    const { workspace, member } = await signUp(database.db, { email: "bench@example.com", password: "bench-password" });
    const ctx = { db: database.db, workspaceId: workspace.id, actor: { type: "member" as const, id: member.id } };
    await raw`create table bench_raw (id text primary key, workspace_id text, user_id text, tokens int, cost bigint, at timestamptz)`;

    console.log(`\n== record: ${fmt(N)} durable writes each, real Postgres (${new URL(url).host})`);
    const rows: string[] = [];
    const results: Array<Record<string, number>> = [];
    for (const concurrency of [1, 10]) {
      const baseline = await withCpu(() =>
        measure(
          N,
          concurrency,
          (i) =>
            raw`insert into bench_raw values (${`c${concurrency}-${i}`}, ${workspace.id}, ${`user_${i % 1000}`}, ${907}, ${140400}, now())`,
        ),
      );
      const before = { ...groupCommitFor(database.db).stats };
      const record = await withCpu(() =>
        measure(N, concurrency, (i) =>
          recordEvent({
            ctx,
            input: {
              userId: `user_${i % 1000}`,
              orgId: `org_${i % 50}`,
              feature: ["chat", "search", "summary"][i % 3],
              model: "gpt-4o-mini",
              requestId: `c${concurrency}-req-${i}`,
              usage: { prompt_tokens: 812, completion_tokens: 95, prompt_tokens_details: { cached_tokens: 512 } },
            },
          }),
        ),
      );
      rows.push(
        `concurrency ${String(concurrency).padStart(2)}: raw insert ${fmt(baseline.opsPerSec)}/s (p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms)` +
          ` | recordEvent ${fmt(record.opsPerSec)}/s (p50 ${fmt(record.p50, 2)} ms, p99 ${fmt(record.p99, 2)} ms)` +
          ` | ratio ${fmt(record.opsPerSec / baseline.opsPerSec, 2)}` +
          ` | ${fmt(recordsPerStatement(before, groupCommitFor(database.db).stats), 1)} records/statement` +
          ` | CPU per write: raw ${cpuText(baseline)}, record ${cpuText(record)}`,
      );
      results.push({
        concurrency,
        rawPerSec: Math.round(baseline.opsPerSec),
        recordPerSec: Math.round(record.opsPerSec),
        ratio: Number((record.opsPerSec / baseline.opsPerSec).toFixed(3)),
        p50Ms: Number(record.p50.toFixed(2)),
        p99Ms: Number(record.p99.toFixed(2)),
        nodeCpuUs: Math.round(record.nodeCpuUs),
        ...(Number.isFinite(record.postgresCpuUs) && { postgresCpuUs: Math.round(record.postgresCpuUs) }),
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
