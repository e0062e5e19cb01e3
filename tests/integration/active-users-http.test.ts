import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, type RunningApp, startApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { Session, signUpWithKey } from "../helpers/session";

/** Run SQL on the app's database: Postgres directly, PGlite while the app is stopped (one process owns it). */
async function runSql(app: RunningApp, statements: string[]) {
  if (app.databaseUrl) {
    const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
    const out = [];
    for (const s of statements) out.push(await sql.unsafe(s));
    await sql.end();
    return out.map((rows) => [...rows] as Array<Record<string, unknown>>);
  }
  const pg = await PGlite.create(path.join(app.dataDir, "pglite"));
  const out = [];
  for (const s of statements) out.push((await pg.query<Record<string, unknown>>(s)).rows);
  await pg.close();
  return out;
}

const user = (ws: string, id: string, firstSeen: string) =>
  `insert into end_users (workspace_id, user_id, first_seen_at, last_seen_at, requests) values ('${ws}', '${id}', '${firstSeen}', '${firstSeen}', 1)`;
const rollup = (ws: string, dimension: string, key: string, bucket: string, granularity = "minute", requests = 1) =>
  `insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests) values ('${ws}', '${dimension}', '${key}', '${granularity}', '${bucket}', ${requests})`;

/**
 * The hand-built data set, two weeks from Monday 2025-03-03 (UTC), and what is outside it:
 *   old   first seen 02-20 (before);  active 03-03 (twice that day), 03-05 15:00, 03-12
 *   ann   first seen 03-03 10:00;     active 03-03, 03-04
 *   bob   first seen 03-04 23:59:59;  active 03-04, 03-10 (an hour bucket, as compaction leaves it)
 *   cyd   first seen 03-11 09:00;     active 03-11, 03-12
 *   eve   first seen 03-01;           active 03-02 only (before the range)
 *   late  first seen 03-17 00:00;     active 03-17 (the range's end, excluded)
 * plus rows of other dimensions at the same times, and another workspace's users.
 */
function dataSet(ws: string, other: string): string[] {
  return [
    user(ws, "old", "2025-02-20T08:00:00Z"),
    user(ws, "ann", "2025-03-03T10:00:00Z"),
    user(ws, "bob", "2025-03-04T23:59:59Z"),
    user(ws, "cyd", "2025-03-11T09:00:00Z"),
    user(ws, "eve", "2025-03-01T12:00:00Z"),
    user(ws, "late", "2025-03-17T00:00:00Z"),
    rollup(ws, "user", "old", "2025-03-03T08:01:00Z"),
    rollup(ws, "user", "old", "2025-03-03T21:30:00Z", "minute", 4),
    rollup(ws, "user", "old", "2025-03-05T15:00:00Z"),
    rollup(ws, "user", "old", "2025-03-12T00:00:00Z"),
    rollup(ws, "user", "ann", "2025-03-03T10:00:00Z"),
    rollup(ws, "user", "ann", "2025-03-04T11:11:00Z"),
    rollup(ws, "user", "bob", "2025-03-04T23:59:00Z"),
    rollup(ws, "user", "bob", "2025-03-10T05:00:00Z", "hour", 7),
    rollup(ws, "user", "cyd", "2025-03-11T09:00:00Z"),
    rollup(ws, "user", "cyd", "2025-03-12T23:00:00Z"),
    rollup(ws, "user", "eve", "2025-03-02T12:00:00Z"),
    rollup(ws, "user", "late", "2025-03-17T00:00:00Z"),
    rollup(ws, "workspace", "", "2025-03-06T10:00:00Z", "minute", 9),
    rollup(ws, "org", "org_1", "2025-03-07T10:00:00Z"),
    rollup(ws, "feature", "chat", "2025-03-08T10:00:00Z"),
    ...["x1", "x2", "x3", "x4", "x5"].flatMap((u) => [
      user(other, u, "2025-03-06T10:00:00Z"),
      rollup(other, "user", u, "2025-03-06T10:00:00Z"),
    ]),
  ];
}

const day = (start: string, active: number, fresh: number) => ({ start, active, new: fresh });
const zero = (start: string) => day(start, 0, 0);
const DAILY = [
  day("2025-03-03", 2, 1),
  day("2025-03-04", 2, 1),
  day("2025-03-05", 1, 0),
  zero("2025-03-06"),
  zero("2025-03-07"),
  zero("2025-03-08"),
  zero("2025-03-09"),
  day("2025-03-10", 1, 0),
  day("2025-03-11", 1, 1),
  day("2025-03-12", 2, 0),
  zero("2025-03-13"),
  zero("2025-03-14"),
  zero("2025-03-15"),
  zero("2025-03-16"),
];
const WEEKLY = [day("2025-03-03", 3, 2), day("2025-03-10", 3, 1)];
const FROM = "2025-03-03T00:00:00.000Z";
const TO = "2025-03-17T00:00:00.000Z";

describe.each(TEST_DRIVERS)("active and new end users, and the live tail, over HTTP (%s)", (driver) => {
  let app: RunningApp;
  let session: Session;
  let ws: string;
  let other: Awaited<ReturnType<typeof signUpWithKey>>;
  const api = (query: string, key?: string) =>
    callApi(key ? { baseUrl: app.baseUrl, apiKey: key } : app, `/api/v1/usage/active-users?${query}`);

  beforeAll(async () => {
    app = await startApp({ driver });
    other = await signUpWithKey(app.baseUrl, `other-${driver}@example.com`);
    await app.stop();
    const [rows] = await runSql(app, [`select id from workspaces where id <> '${other.workspaceId}'`]);
    ws = String(rows![0]!.id);
    await runSql(app, dataSet(ws, other.workspaceId));
    await app.restart();
    session = await new Session(app.baseUrl).signIn(app.email, app.password);
  }, 180_000);
  afterAll(() => app?.dispose());

  it("counts active and new end users per UTC day, and distinct ones over the range", async () => {
    const res = await api(`from=${FROM}&to=${TO}&interval=day`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ from: FROM, to: TO, interval: "day", data: DAILY, totals: { active: 4, new: 3 } });
    // Up to 60 days, days are the default.
    expect((await api(`from=${FROM}&to=${TO}`)).body.data).toEqual(DAILY);
  });

  it("counts them per week (from Monday), the default past 60 days", async () => {
    const res = await api(`from=${FROM}&to=${TO}&interval=week`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ interval: "week", data: WEEKLY, totals: { active: 4, new: 3 } });
    const long = await api(`from=2025-01-06T00:00:00Z&to=2025-04-07T00:00:00Z`);
    expect(long.body.interval).toBe("week");
    expect(long.body.data).toHaveLength(13);
    expect(long.body.data.filter((p: { active: number; new: number }) => p.active || p.new)).toEqual([
      day("2025-02-17", 0, 1), // old was first seen on 02-20, active only later
      day("2025-02-24", 1, 1), // eve
      ...WEEKLY,
      day("2025-03-17", 1, 1), // late
    ]);
    expect(long.body.totals).toEqual({ active: 6, new: 6 });
  });

  it("cuts periods at the range's bounds: only what happened inside it counts", async () => {
    const res = await api("from=2025-03-05T12:00:00Z&to=2025-03-11T00:00:00Z&interval=week");
    expect(res.body).toMatchObject({ data: [day("2025-03-03", 1, 0), day("2025-03-10", 1, 0)], totals: { active: 2, new: 0 } });
  });

  it("answers the dashboard through tRPC with the same numbers", async () => {
    const res = await session.trpc("dashboard.activeUsers", { workspaceId: ws, from: FROM, to: TO, interval: "week" }, "query");
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ data: WEEKLY, totals: { active: 4, new: 3 } });
  });

  it("counts each workspace's own end users only", async () => {
    const res = await api(`from=${FROM}&to=${TO}&interval=week`, other.apiKey);
    expect(res.body).toMatchObject({ data: [day("2025-03-03", 5, 5), zero("2025-03-10")], totals: { active: 5, new: 5 } });
    const foreign = await other.session.trpc("dashboard.activeUsers", { workspaceId: ws, from: FROM, to: TO }, "query");
    expect(foreign.status).toBe(404);
  });

  it("refuses a bad range or interval with 400", async () => {
    for (const q of [`from=${TO}&to=${FROM}`, `from=${FROM}&to=${TO}&interval=month`, "from=yesterday"]) {
      const res = await api(q);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe("invalid_request");
    }
  });

  it("lists only the events newer than a given one (the live tail), oldest first when more than a page wait", async () => {
    const ids: string[] = [];
    for (const [i, userId] of ["tail_a", "tail_b", "tail_a", "tail_a"].entries()) {
      const timestamp = new Date(Date.now() - (5 - i) * 60_000).toISOString();
      const res = await callApi(app, "/sdk/record", {
        body: { userId, model: "gpt-4o-mini", requestId: `tail-${i}`, timestamp, usage: { prompt_tokens: 10, completion_tokens: 2 } },
      });
      expect(res.status).toBe(200);
      ids.push(res.body.id);
    }
    expect([...ids].sort()).toEqual(ids); // ids follow the events' times
    const newer = async (input: Record<string, unknown>) => {
      const res = await session.trpc("events.list", { workspaceId: ws, ...input }, "query");
      expect(res.status, JSON.stringify(res.error)).toBe(200);
      return { ids: res.data.rows.map((r: { id: string }) => r.id), nextCursor: res.data.nextCursor };
    };
    expect(await newer({ after: ids[0] })).toEqual({ ids: [ids[3], ids[2], ids[1]], nextCursor: null });
    expect(await newer({ after: ids[1] })).toEqual({ ids: [ids[3], ids[2]], nextCursor: null });
    expect(await newer({ after: ids[3] })).toEqual({ ids: [], nextCursor: null });
    // A burst larger than the limit: its oldest events first, so the next call goes on from there.
    expect((await newer({ after: ids[0], limit: 1 })).ids).toEqual([ids[1]]);
    expect((await newer({ after: ids[1], limit: 1 })).ids).toEqual([ids[2]]);
    // With the page's filters.
    expect((await newer({ after: ids[0], userId: "tail_a" })).ids).toEqual([ids[3], ids[2]]);
    expect((await newer({ after: ids[1], userId: "tail_b" })).ids).toEqual([]);
    // Without `after`, the pages are as before: newest first, with a cursor.
    expect(await newer({ userId: "tail_a", limit: 2 })).toEqual({ ids: [ids[3], ids[2]], nextCursor: ids[2] });
    // Not an event id: refused.
    expect((await session.trpc("events.list", { workspaceId: ws, after: "yesterday" }, "query")).status).toBe(400);
  });
});
