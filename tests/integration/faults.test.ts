import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";
import { createTokenist } from "../../sdk/src/index";
import { startApp, type RunningApp } from "../helpers/app-server";

/**
 * Faults while /sdk/record traffic flows through the SDK (with retries): Postgres restarts,
 * and the app process is killed and started again. Afterwards every record is present
 * exactly once — acknowledged ones and retried ones alike.
 */
const pgVersion = fs.existsSync("/etc/postgresql") ? fs.readdirSync("/etc/postgresql")[0] : undefined;
const canRestartPostgres =
  Boolean(process.env.TEST_DATABASE_URL) &&
  process.getuid?.() === 0 &&
  fs.existsSync("/usr/bin/pg_ctlcluster") &&
  Boolean(pgVersion) &&
  /@(127\.0\.0\.1|localhost)(:5432)?\//.test(process.env.TEST_DATABASE_URL ?? "");

async function drive(app: RunningApp, prefix: string, total: number, fault: () => Promise<void>) {
  const sdk = createTokenist({ apiKey: app.apiKey, baseUrl: app.baseUrl, retries: 12, writeTimeoutMs: 10_000, onError: null });
  const acknowledged: string[] = [];
  const failed: string[] = [];
  let next = 0;
  let faulted = false;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      if (i === Math.floor(total / 3) && !faulted) {
        faulted = true;
        await fault();
      }
      const requestId = `${prefix}-${i}`;
      try {
        await sdk.record({
          userId: `u${i % 7}`,
          model: "gpt-4o-mini",
          requestId,
          usage: { prompt_tokens: 100 + i, completion_tokens: 10 },
        });
        acknowledged.push(requestId);
      } catch {
        failed.push(requestId);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { acknowledged, failed };
}

async function countEvents(url: string, prefix: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [row] = await sql`select count(*)::int as n, count(distinct request_id)::int as distinct_ids,
      coalesce(sum(input_tokens), 0)::int as input from events where request_id like ${prefix + "-%"}`;
  const [rollup] = await sql`select coalesce(sum(requests), 0)::int as requests from usage_rollups where dimension = 'workspace'`;
  await sql.end();
  return { ...row!, rollupRequests: rollup!.requests } as { n: number; distinct_ids: number; input: number; rollupRequests: number };
}

describe.runIf(process.env.TEST_DATABASE_URL)("faults under record traffic (real Postgres)", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ driver: "postgres", env: { TOKENIST_INIT_PLAN: "growth" } });
  }, 120_000);
  afterAll(() => app?.dispose());

  const expectedInput = (total: number) => Array.from({ length: total }, (_, i) => 100 + i).reduce((a, b) => a + b, 0);

  it.runIf(canRestartPostgres)(
    "Postgres restarts mid-traffic: every record present exactly once",
    async () => {
      const total = 240;
      const { acknowledged, failed } = await drive(app, "pg", total, async () => {
        execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", pgVersion!, "main", "restart"], { stdio: "ignore" });
      });
      expect(failed).toEqual([]);
      expect(acknowledged).toHaveLength(total);
      const counts = await countEvents(app.databaseUrl!, "pg");
      expect(counts).toMatchObject({ n: total, distinct_ids: total, input: expectedInput(total) });
    },
    180_000,
  );

  it("the app is killed and started again mid-traffic: every record present exactly once", async () => {
    const total = 240;
    const before = (await countEvents(app.databaseUrl!, "kill")).rollupRequests;
    const { acknowledged, failed } = await drive(app, "kill", total, async () => {
      await app.crash();
      setTimeout(() => void app.restart(), 500); // back while the SDK keeps retrying
    });
    expect(failed).toEqual([]);
    expect(acknowledged).toHaveLength(total);
    const counts = await countEvents(app.databaseUrl!, "kill");
    expect(counts).toMatchObject({ n: total, distinct_ids: total, input: expectedInput(total) });
    expect(counts.rollupRequests - before).toBe(total); // rollups counted once too
  }, 180_000);
});
