import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearOfUtcTurn } from "../helpers/clock";
import { callApi, onAppDatabase, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { signUpWithKey } from "../helpers/session";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MINUTE = 60_000;

type EndUser = { id: string; firstSeen: number; tier?: string };
type Bucket = { user: string; at: number; granularity?: "minute" | "hour"; requests: number; costNanos: bigint; dimension?: string };

async function seed(query: (q: string, params?: unknown[]) => Promise<any[]>, workspaceId: string, users: EndUser[], buckets: Bucket[]) {
  for (const u of users) {
    const at = new Date(u.firstSeen).toISOString();
    await query(`insert into end_users (workspace_id, user_id, tier, first_seen_at, last_seen_at) values ($1, $2, $3, $4, $4)`, [
      workspaceId,
      u.id,
      u.tier ?? null,
      at,
    ]);
  }
  for (const b of buckets) {
    await query(
      `insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, total_tokens, cost_nanos)
       values ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [
        workspaceId,
        b.dimension ?? "user",
        b.user,
        b.granularity ?? "hour",
        new Date(b.at).toISOString(),
        b.requests,
        b.costNanos.toString(),
      ],
    );
  }
}

/** Monday 00:00 UTC of the current week, and the 1st 00:00 UTC of the month `n` months from the current one. */
function weekStart(now: Date): number {
  const day = Math.floor(now.getTime() / DAY) * DAY;
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}
const monthStart = (now: Date, n: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + n, 1);
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * GET /api/v1/cohorts on a hand-built data set (end_users and per-user rollups written straight to
 * the database at dates relative to the current UTC week and month; every bucket at or before the
 * start of the current period, so "now" moving on within the period changes nothing).
 */
describe.each(TEST_DRIVERS)("cohorts over HTTP on %s", (driver) => {
  let app: RunningApp;
  let a: { baseUrl: string; apiKey: string };
  let b: Awaited<ReturnType<typeof signUpWithKey>>;
  let bApi: { baseUrl: string; apiKey: string };
  // Set again once clear of midnight (below): the server's current week and month must be the test's.
  let now = new Date();
  const wk = (k: number) => weekStart(now) + k * WEEK;
  const mo = (k: number) => monthStart(now, k);

  beforeAll(async () => {
    await clearOfUtcTurn(["week", "month"]);
    now = new Date();
    app = await startApp({ driver });
    a = app;
    b = await signUpWithKey(app.baseUrl, `cohorts-b-${driver}@example.com`);
    bApi = { baseUrl: app.baseUrl, apiKey: b.apiKey };
    await onAppDatabase(app, async (query) => {
      const [ws] = await query(`select id from workspaces where id <> $1`, [b.workspaceId]);
      const wsA = ws.id as string;
      // Workspace A, weekly: cohorts W-3 (a1, a2, a3), W-2 (b1, b2 pro), W-1 (nobody), W0 (c1 pro).
      await seed(
        query,
        wsA,
        [
          { id: "a1", firstSeen: wk(-3) + 10 * HOUR },
          { id: "a2", firstSeen: wk(-3) + 6 * DAY + 23 * HOUR + 59 * MINUTE }, // Sunday 23:59: still W-3
          { id: "a3", firstSeen: wk(-3) },
          { id: "b1", firstSeen: wk(-2) + 2 * DAY },
          { id: "b2", firstSeen: wk(-2) + 3 * HOUR, tier: "pro" },
          { id: "c1", firstSeen: wk(0), tier: "pro" },
          { id: "old", firstSeen: wk(-5) + DAY }, // first seen before the oldest cohort: in none
        ],
        [
          { user: "a1", at: wk(-3) + 10 * HOUR, requests: 5, costNanos: 1_500_000_000n },
          { user: "a1", at: wk(-2) + 2 * DAY + 3 * HOUR + 17 * MINUTE, granularity: "minute", requests: 2, costNanos: 250_000_000n },
          { user: "a1", at: wk(0), granularity: "minute", requests: 1, costNanos: 1n },
          { user: "a2", at: wk(-3) + 6 * DAY + 23 * HOUR + 59 * MINUTE, granularity: "minute", requests: 3, costNanos: 500_000_000n },
          { user: "a2", at: wk(-1), requests: 4, costNanos: 123_456_789n }, // Monday 00:00: W-1, not W-2
          { user: "a3", at: wk(-3), requests: 1, costNanos: 0n },
          { user: "b1", at: wk(-2) + 2 * DAY, requests: 2, costNanos: 100_000_000n },
          { user: "b1", at: wk(-1) + 5 * DAY, requests: 1, costNanos: 100_000_000n },
          { user: "b2", at: wk(-2) + 3 * HOUR, requests: 6, costNanos: 3_000_000_000n },
          { user: "b2", at: wk(0), requests: 2, costNanos: 999_999_999n },
          { user: "c1", at: wk(0), requests: 4, costNanos: 300n },
          { user: "c1", at: wk(0), granularity: "minute", requests: 3, costNanos: 400n },
          { user: "old", at: wk(-1), requests: 50, costNanos: 50_000_000_000n },
          { user: "a1", at: wk(-2), dimension: "org", requests: 100, costNanos: 100n }, // another dimension, same key
        ],
      );
      // Workspace B, monthly: cohorts M-2 (a1, m2), M-1 (m3), M0 (nobody). Its a1 is not A's a1.
      await seed(
        query,
        b.workspaceId,
        [
          { id: "a1", firstSeen: mo(-2) + 5 * DAY },
          { id: "m2", firstSeen: mo(-1) - MINUTE }, // the last minute of M-2
          { id: "m3", firstSeen: mo(-1) }, // the first instant of M-1
        ],
        [
          { user: "a1", at: mo(-2) + 5 * DAY, requests: 10, costNanos: 1_000_000_000n },
          { user: "a1", at: mo(-1) + 27 * DAY + 23 * HOUR + 59 * MINUTE, granularity: "minute", requests: 10, costNanos: 2_000_000_000n },
          { user: "a1", at: mo(0), requests: 1, costNanos: 5n },
          { user: "m2", at: mo(-1) - MINUTE, granularity: "minute", requests: 3, costNanos: 30_000_000n },
          { user: "m3", at: mo(-1), requests: 4, costNanos: 400_000_000n },
        ],
      );
      await query(`insert into segments (id, workspace_id, name, filter) values ('seg_cohort_pro', $1, 'Pro', '{"tier":"pro"}'::jsonb)`, [
        wsA,
      ]);
      await query(`insert into segments (id, workspace_id, name, filter) values ('seg_cohort_b', $1, 'B all', '{}'::jsonb)`, [
        b.workspaceId,
      ]);
    });
  }, 480_000);
  afterAll(() => app?.dispose());

  const cohorts = async (as: { baseUrl: string; apiKey: string }, query: string) => {
    const res = await callApi(as, `/api/v1/cohorts?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.cohorts;
  };

  it("weekly active users: retention per ISO week (Monday 00:00 UTC boundaries), only periods that have started", async () => {
    expect(await cohorts(a, "period=week&metric=active_users&periods=4")).toEqual([
      { start: ymd(wk(-3)), size: 3, values: [3, 1, 1, 1] },
      { start: ymd(wk(-2)), size: 2, values: [2, 1, 1] },
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [1] },
    ]);
  });

  it("weekly requests and exact cost (nano-dollar sums, minute and hour buckets together; other dimensions ignored)", async () => {
    expect(await cohorts(a, "period=week&metric=requests&periods=4")).toEqual([
      { start: ymd(wk(-3)), size: 3, values: [9, 2, 4, 1] },
      { start: ymd(wk(-2)), size: 2, values: [8, 1, 2] },
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [7] },
    ]);
    expect(await cohorts(a, "period=week&metric=cost_usd&periods=4")).toEqual([
      { start: ymd(wk(-3)), size: 3, values: [2, 0.25, 0.123456789, 0.000000001] },
      { start: ymd(wk(-2)), size: 2, values: [3.1, 0.1, 0.999999999] },
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [0.0000007] },
    ]);
  });

  it("`periods` counts cohorts back from the current one; the default is 12 weeks of active users", async () => {
    expect(await cohorts(a, "periods=2&metric=requests")).toEqual([
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [7] },
    ]);
    const all = await cohorts(a, "");
    expect(all).toHaveLength(12);
    expect(all[0]).toEqual({ start: ymd(wk(-11)), size: 0, values: Array(12).fill(0) });
    // "old" (first seen W-5) is a cohort of its own once the table reaches back that far.
    expect(all[6]).toEqual({ start: ymd(wk(-5)), size: 1, values: [0, 0, 0, 0, 1, 0] });
    expect(all.slice(8)).toEqual(await cohorts(a, "period=week&metric=active_users&periods=4"));
  });

  it("monthly cohorts (UTC calendar months; the last minute of a month and the first of the next fall apart)", async () => {
    expect(await cohorts(bApi, "period=month&metric=active_users&periods=3")).toEqual([
      { start: ymd(mo(-2)), size: 2, values: [2, 1, 1] },
      { start: ymd(mo(-1)), size: 1, values: [1, 0] },
      { start: ymd(mo(0)), size: 0, values: [0] },
    ]);
    expect(await cohorts(bApi, "period=month&metric=requests&periods=3")).toEqual([
      { start: ymd(mo(-2)), size: 2, values: [13, 10, 1] },
      { start: ymd(mo(-1)), size: 1, values: [4, 0] },
      { start: ymd(mo(0)), size: 0, values: [0] },
    ]);
    expect(await cohorts(bApi, "period=month&metric=cost_usd&periods=3")).toEqual([
      { start: ymd(mo(-2)), size: 2, values: [1.03, 2, 0.000000005] },
      { start: ymd(mo(-1)), size: 1, values: [0.4, 0] },
      { start: ymd(mo(0)), size: 0, values: [0] },
    ]);
  });

  it("the same table through the dashboard's tRPC door, for members of the workspace only", async () => {
    const input = { workspaceId: b.workspaceId, period: "month", metric: "requests", periods: 3 };
    const res = await b.session.trpc("cohorts.table", input, "query");
    expect(res.status).toBe(200);
    expect(res.data.cohorts.map((c: { values: number[] }) => c.values)).toEqual([[13, 10, 1], [4, 0], [0]]);
  });

  it("a segment restricts the cohorts to its members (tier pro: b2 and c1)", async () => {
    expect(await cohorts(a, "period=week&metric=active_users&periods=4&segment=seg_cohort_pro")).toEqual([
      { start: ymd(wk(-3)), size: 0, values: [0, 0, 0, 0] },
      { start: ymd(wk(-2)), size: 1, values: [1, 0, 1] },
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [1] },
    ]);
    expect(await cohorts(a, "period=week&metric=cost_usd&periods=4&segment=seg_cohort_pro")).toEqual([
      { start: ymd(wk(-3)), size: 0, values: [0, 0, 0, 0] },
      { start: ymd(wk(-2)), size: 1, values: [3, 0, 0.999999999] },
      { start: ymd(wk(-1)), size: 0, values: [0, 0] },
      { start: ymd(wk(0)), size: 1, values: [0.0000007] },
    ]);
  });

  it("another workspace's segment, or an unknown one, is a 404 in the documented shape", async () => {
    for (const segment of ["seg_cohort_b", "seg_nope"]) {
      const res = await callApi(a, `/api/v1/cohorts?segment=${segment}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
      expect(JSON.stringify(res.body)).not.toContain("B all");
    }
  });

  it("bad parameters are a 400 in the documented shape", async () => {
    for (const query of ["period=day", "metric=tokens", "periods=0", "periods=53", "periods=1.5", "periods=twelve", "segment="]) {
      const res = await callApi(a, `/api/v1/cohorts?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ error: { code: "invalid_request", message: expect.any(String) } });
    }
    const noKey = await callApi(a, "/api/v1/cohorts", { key: null });
    expect(noKey.status).toBe(401);
  });
});
