import { describe, expect, it } from "vitest";
import { createSignInLimiter } from "@/server/services/auth/sign-in-limiter";
import { AttemptLog } from "@/server/services/auth/attempt-log";
import { DIRECT } from "@/server/http/client-ip";

const MINUTE = 60_000;

describe("sign-in limiter", () => {
  it("H4: e-mail variations count as one account (trim, case, over-long tails)", () => {
    const limiter = createSignInLimiter();
    const t0 = Date.UTC(2026, 11, 1);
    const variants = ["victim@x.com", " victim@x.com", "victim@x.com ", "\tVICTIM@x.com", "Victim@X.Com\n", `${" ".repeat(29)}victim@x.com`];
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      try {
        limiter.take(variants[i % variants.length]!, DIRECT, t0 + i);
      } catch (err) {
        refused++;
        expect((err as Error).message).toMatch(/^Too many sign-in attempts\. Try again in 15 minutes\.$/);
        expect(err).toMatchObject({ status: 429, retryAfterSeconds: 900 });
      }
    }
    expect(refused).toBe(20);
    // A 10 KB "e-mail" whose first 254 characters are the account's is still that account.
    const long = `victim@x.com${"x".repeat(242)}`;
    expect(() => limiter.take(`${long}${"y".repeat(10_000)}`, DIRECT, t0 + 40)).not.toThrow();
    expect(() => limiter.take(`  ${long.toUpperCase()}zz`, DIRECT, t0 + 41)).not.toThrow();
  });

  it("H4: the window slides: the account is free again once its attempts are 15 minutes old", () => {
    const limiter = createSignInLimiter();
    const t0 = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 10; i++) limiter.take("owner@x.com", DIRECT, t0 + i * MINUTE);
    expect(() => limiter.take("owner@x.com", DIRECT, t0 + 10 * MINUTE)).toThrowError(/Try again in 5 minutes/);
    expect(() => limiter.take("owner@x.com", DIRECT, t0 + 15 * MINUTE - 1)).toThrowError(/Try again in 1 minute\./);
    expect(() => limiter.take("owner@x.com", DIRECT, t0 + 15 * MINUTE)).not.toThrow();
    expect(() => limiter.take("owner@x.com", DIRECT, t0 + 15 * MINUTE + 1)).toThrow();
  });

  it("H4: a right password does not use up the budget; refused attempts do not extend the lockout", () => {
    const limiter = createSignInLimiter();
    const t0 = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 50; i++) limiter.take("busy@x.com", "198.51.100.7", t0 + i).succeeded();
    for (let i = 0; i < 10; i++) limiter.take("busy@x.com", "198.51.100.7", t0 + 100 + i);
    for (let i = 0; i < 100; i++) expect(() => limiter.take("busy@x.com", "198.51.100.7", t0 + 1_000 + i)).toThrow();
    expect(() => limiter.take("busy@x.com", "198.51.100.7", t0 + 15 * MINUTE + 110)).not.toThrow();
  });

  it("H4: a known address gets 30 attempts across accounts; IPv6 counts per /64; DIRECT has no address budget", () => {
    const limiter = createSignInLimiter();
    const t0 = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 30; i++) limiter.take(`user${i}@x.com`, "198.51.100.7", t0);
    expect(() => limiter.take("other@x.com", "198.51.100.7", t0)).toThrowError(/Too many/);
    expect(() => limiter.take("other@x.com", "198.51.100.8", t0)).not.toThrow();
    for (let i = 0; i < 30; i++) limiter.take(`v6-${i}@x.com`, `2001:db8:1:2::${i.toString(16)}`, t0);
    expect(() => limiter.take("v6-x@x.com", "2001:db8:1:2:ffff::1", t0)).toThrowError(/Too many/);
    expect(() => limiter.take("v6-x@x.com", "2001:db8:1:3::1", t0)).not.toThrow();
    for (let i = 0; i < 100; i++) limiter.take(`direct-${i}@x.com`, DIRECT, t0);
  });

  it("M4: 100,000 distinct keys keep the map at its cap and a hot key's counter survives", () => {
    const limiter = createSignInLimiter();
    const t0 = Date.UTC(2026, 11, 1);
    const pad = "p".repeat(1_000);
    let hot = 0;
    for (let i = 0; i < 100_000; i++) {
      // Distinct 1 KB e-mails from distinct addresses: what a flood of sign-in POSTs sends.
      limiter.take(`${i}-${pad}@flood.example`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, t0 + i);
      if (i % 10_000 === 0) {
        limiter.take("hot@x.com", "198.51.100.7", t0 + i);
        hot++;
      }
    }
    expect(hot).toBe(10);
    expect(limiter.sizes()).toEqual({ emails: 50_000, addresses: 50_000 });
    // The hot account kept its ten failures: the next attempt is refused, not a fresh budget.
    expect(() => limiter.take("hot@x.com", "198.51.100.9", t0 + 100_000)).toThrowError(/Too many/);
  });

  it("M4: the attempt log drops the least recently used key, never all of them, and stores fixed-size keys", () => {
    const log = new AttemptLog({ windowMs: 1_000, limit: 3, maxKeys: 100 });
    log.record("hot", 0);
    for (let i = 0; i < 10_000; i++) {
      log.record(`k${i}${"x".repeat(i % 50)}`, 1);
      if (i % 50 === 0) expect(log.count("hot", 2)).toBe(1); // reading it keeps it recent
      expect(log.size).toBeLessThanOrEqual(100);
    }
    expect(log.size).toBe(100);
    expect(log.count("hot", 3)).toBe(1);
    const keys = [...(log as unknown as { entries: Map<string, number[]> }).entries.keys()];
    expect(keys.every((k) => k.length === 22)).toBe(true);
  });
});
