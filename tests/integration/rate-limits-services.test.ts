import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, resultRows, type Database, type Db } from "@/db/client";
import * as schema from "@/db/schema";
import { DIRECT } from "@/server/http/client-ip";
import { takeSharedToken, type RateState } from "@/server/http/rate-limit";
import { createSignInLimiter } from "@/server/services/auth/sign-in-limiter";
import { runHousekeeping } from "@/server/services/maintenance/housekeeping";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";

const MINUTE = 60_000;
const LIMIT_MESSAGE = /^Too many sign-in attempts\. Try again in \d+ minutes?\.$/;

/** Resolves with the error a promise rejects with (fails if it resolves). */
async function refusal(p: Promise<unknown>): Promise<Error & { status?: number; retryAfterSeconds?: number; rate?: RateState }> {
  return p.then(
    () => expect.fail("expected a refusal"),
    (err: Error) => err,
  );
}

describe.each(TEST_DRIVERS)("limits shared through the database (%s)", (driver) => {
  let database: Database & { url?: string };
  let db: Db;
  /** A second handle on the same database, as a second app instance has: its own limiters and memory. */
  let other: Db;
  let closeOther = async () => {};
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    if (driver === "postgres") {
      const second = await openDatabase({ url: database.url! });
      other = second.db;
      closeOther = () => second.close();
    } else {
      other = drizzle({ client: (db as unknown as { $client: PGlite }).$client, schema }) as unknown as Db;
    }
  });
  afterAll(async () => {
    await closeOther();
    await database?.close();
  });
  afterEach(() => vi.useRealTimers());

  /** Fakes Date only (the database drivers keep their real timers). */
  const at = (ms: number) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(ms);
  };

  it("H4: 30 attempts for one account spread over two instances are throttled as one, e-mail variations included", async () => {
    const [a, b] = [createSignInLimiter(db), createSignInLimiter(other)];
    const variants = [
      "victim@x.com",
      " victim@x.com",
      "victim@x.com ",
      "\tVICTIM@x.com",
      "Victim@X.Com\n",
      `${" ".repeat(29)}victim@x.com`,
    ];
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const limiter = i % 2 ? a : b;
      outcomes.push(
        await limiter.take(variants[i % variants.length]!, DIRECT).then(
          () => "counted",
          (err: Error) => err.message,
        ),
      );
    }
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill("counted"));
    for (const o of outcomes.slice(10)) expect(o).toBe("Too many sign-in attempts. Try again in 15 minutes.");
    const err = await refusal(a.take("victim@x.com", DIRECT));
    expect(err).toMatchObject({ status: 429 });
    expect(err.retryAfterSeconds).toBeGreaterThan(890);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(900);
    // A 10 KB "e-mail" whose first 254 characters are an account's is that account, in any case or padding.
    const long = `long@x.com${"x".repeat(244)}`;
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).take(i % 2 ? `${long}${"y".repeat(10_000)}` : `  ${long.toUpperCase()}zz`, DIRECT);
    expect((await refusal(a.take(long, DIRECT))).message).toMatch(LIMIT_MESSAGE);
  });

  it("H4: the 15-minute window: refused until it ends (the message counts down), then a fresh budget on either instance", async () => {
    const t0 = Date.now() + 3_600_000;
    const [a, b] = [createSignInLimiter(db), createSignInLimiter(other)];
    for (let i = 0; i < 10; i++) {
      at(t0 + i * MINUTE);
      await (i % 2 ? a : b).take("owner@x.com", DIRECT);
    }
    at(t0 + 10 * MINUTE);
    expect((await refusal(b.take("owner@x.com", DIRECT))).message).toBe("Too many sign-in attempts. Try again in 5 minutes.");
    at(t0 + 15 * MINUTE - 30_000);
    expect((await refusal(a.take("owner@x.com", DIRECT))).message).toBe("Too many sign-in attempts. Try again in 1 minute.");
    at(t0 + 15 * MINUTE);
    await a.take("owner@x.com", DIRECT);
    for (let i = 1; i < 10; i++) await b.take("owner@x.com", DIRECT);
    expect((await refusal(a.take("owner@x.com", DIRECT))).message).toMatch(LIMIT_MESSAGE);
  });

  it("H4: a right password does not use up the budget; refused attempts do not extend the lockout", async () => {
    const t0 = Date.now() + 2 * 3_600_000;
    const [a, b] = [createSignInLimiter(db), createSignInLimiter(other)];
    at(t0);
    for (let i = 0; i < 30; i++) await (await (i % 2 ? a : b).take("busy@x.com", "198.51.100.7")).succeeded();
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).take("busy@x.com", "198.51.100.7");
    at(t0 + 14 * MINUTE);
    for (let i = 0; i < 20; i++) expect((await refusal((i % 2 ? a : b).take("busy@x.com", "198.51.100.7"))).message).toMatch(LIMIT_MESSAGE);
    at(t0 + 15 * MINUTE);
    await a.take("busy@x.com", "198.51.100.7");
  });

  it("H4: an address gets 30 attempts across accounts on all instances; IPv6 counts per /64; DIRECT has no address budget", async () => {
    const [a, b] = [createSignInLimiter(db), createSignInLimiter(other)];
    for (let i = 0; i < 30; i++) await (i % 2 ? a : b).take(`user${i}@x.com`, "198.51.100.20");
    expect((await refusal(a.take("other@x.com", "198.51.100.20"))).message).toMatch(LIMIT_MESSAGE);
    expect((await refusal(b.take("other@x.com", "198.51.100.20"))).message).toMatch(LIMIT_MESSAGE);
    await a.take("other@x.com", "198.51.100.21");
    for (let i = 0; i < 30; i++) await (i % 2 ? a : b).take(`v6-${i}@x.com`, `2001:db8:1:2::${i.toString(16)}`);
    expect((await refusal(b.take("v6-x@x.com", "2001:db8:1:2:ffff::1"))).message).toMatch(LIMIT_MESSAGE);
    await b.take("v6-x@x.com", "2001:db8:1:3::1");
    for (let i = 0; i < 40; i++) await a.take(`direct-${i}@x.com`, DIRECT);
  });

  it("H4: an attempt refused for the account costs the address nothing, and one refused for the address costs the account nothing", async () => {
    const limiter = createSignInLimiter(db);
    for (let i = 0; i < 10; i++) await limiter.take("locked@x.com", "198.51.100.30");
    // 50 refused attempts at the locked account from one address: the address keeps its budget.
    for (let i = 0; i < 50; i++) await refusal(limiter.take("locked@x.com", "198.51.100.30"));
    for (let i = 0; i < 20; i++) await limiter.take(`fresh${i}@x.com`, "198.51.100.30");
    expect((await refusal(limiter.take("one-more@x.com", "198.51.100.30"))).message).toMatch(LIMIT_MESSAGE);
    // That address is now out of attempts: trying an account from it does not use up the account's.
    for (let i = 0; i < 15; i++) await refusal(limiter.take("bystander@x.com", "198.51.100.30"));
    for (let i = 0; i < 10; i++) await limiter.take("bystander@x.com", "198.51.100.31");
  });

  it("/api/v1 per-key limit: two instances allow the limit in total, with the X-RateLimit state and Retry-After", async () => {
    const states: RateState[] = [];
    for (let i = 0; i < 10; i++) states.push(await takeSharedToken(i % 2 ? db : other, "api", "key_shared", 10));
    expect(states.map((s) => s.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(states.every((s) => s.limit === 10 && s.reset >= Date.now() / 1000 && s.reset <= Date.now() / 1000 + 61)).toBe(true);
    for (const handle of [db, other, db]) {
      const err = await refusal(takeSharedToken(handle, "api", "key_shared", 10));
      expect(err.message).toBe("Rate limit of 10 requests per minute exceeded for this API key");
      expect(err).toMatchObject({ status: 429, rate: { limit: 10, remaining: 0 } });
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Another key, and the same key id under another limiter, have their own budgets.
    expect((await takeSharedToken(other, "api", "key_other", 10)).remaining).toBe(9);
    expect((await takeSharedToken(other, "bad-key", "key_shared", 10)).remaining).toBe(9);
  });

  it("M4: keys are stored as fixed-size hashes (no e-mail, address or key id), and a flood of new keys resets no one", async () => {
    const longEmail = `${"p".repeat(10_000)}@flood.example`;
    await createSignInLimiter(db).take(longEmail, "203.0.113.9");
    for (let i = 0; i < 3; i++) await takeSharedToken(db, "api", "key_tight", 3);
    await refusal(takeSharedToken(db, "api", "key_tight", 3));
    for (let i = 0; i < 300; i++) await takeSharedToken(other, "bad-key", `${"x".repeat(16_384)}${i}`, 120);
    await refusal(takeSharedToken(other, "api", "key_tight", 3));
    const rows = resultRows<{ key: string }>(await db.execute(sql`select key from rate_limits`));
    expect(rows.length).toBeGreaterThan(300);
    for (const { key } of rows) expect(key).toMatch(/^(sign-in-email|sign-in-address|api|bad-key):[A-Za-z0-9_-]{22}$/);
    const text = JSON.stringify(rows);
    for (const raw of ["flood.example", "victim@x.com", "198.51.100", "203.0.113.9", "key_tight", "key_shared"])
      expect(text).not.toContain(raw);
  });

  it("the counters table is UNLOGGED: a counted request writes no WAL and waits for no fsync", async () => {
    const rows = resultRows<{ p: string }>(await db.execute(sql`select relpersistence as p from pg_class where relname = 'rate_limits'`));
    expect(rows).toEqual([{ p: "u" }]);
  });

  it("housekeeping deletes limiter rows whose window has ended and keeps live ones", async () => {
    await takeSharedToken(db, "api", "key_live", 10);
    const later = new Date(Date.now() + 16 * MINUTE);
    const swept = await runHousekeeping(db, later);
    expect(swept.rateLimits).toBeGreaterThan(0);
    const left = resultRows<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from rate_limits where expire >= ${later.toISOString()}::timestamptz`),
    );
    const all = resultRows<{ n: number }>(await db.execute(sql`select count(*)::int as n from rate_limits`));
    expect(all[0]!.n).toBe(left[0]!.n); // only live windows remain (the lockouts set hours ahead above)
    expect((await runHousekeeping(db, later)).rateLimits).toBe(0);
  });
});
