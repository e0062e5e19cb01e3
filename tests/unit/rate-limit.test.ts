import { describe, expect, it } from "vitest";
import { MAX_RATE_KEYS, rateKeyCount, takeToken } from "@/server/http/rate-limit";

describe("the in-process /sdk/* rate limiter's memory (M4)", () => {
  // A fixed amount of work (150,000 keys of 16 KB hashed), asserting memory and counts, not speed:
  // about 2.5 s alone, more than vitest's default 5 s when the machine's cores are taken by others
  // (it timed out so once), so its own bound is generous. Speed lives in the benchmarks.
  it("M4: 150,000 distinct 16 KB keys keep the map at its cap, and a busy key's count survives", { timeout: 60_000 }, () => {
    const now = 1_800_000_000_000;
    const padding = "x".repeat(16_384);
    for (let i = 0; i < 5; i++) takeToken("sdk:key_busy", 10, now);
    for (let i = 0; i < 150_000; i++) {
      takeToken(`ip:${padding}${i}`, 120, now);
      // The busy key keeps being used, as a live API key is: it is never the least recently used.
      if (i % 10_000 === 0) takeToken("sdk:key_busy", 100, now);
    }
    expect(rateKeyCount()).toBe(MAX_RATE_KEYS);
    // 5 + 15 uses so far: the 21st is still counted in the same window, not reset.
    expect(takeToken("sdk:key_busy", 100, now).remaining).toBe(100 - 21);
    const heapMb = process.memoryUsage().heapUsed / 1e6;
    // Hashed keys: 100,000 entries hold a few MB, not the 1.6 GB that 16 KB keys would.
    expect(heapMb).toBeLessThan(400);
  });

  it("M4: a flood of new keys does not reset another key's exhausted limit", () => {
    const now = 1_800_000_100_000;
    for (let i = 0; i < 3; i++) takeToken("sdk:key_tight", 3, now);
    expect(() => takeToken("sdk:key_tight", 3, now)).toThrow(/Rate limit of 3/);
    for (let i = 0; i < 1_000; i++) takeToken(`ip:flood${i}`, 120, now);
    expect(() => takeToken("sdk:key_tight", 3, now)).toThrow(/Rate limit of 3/);
  });
});
