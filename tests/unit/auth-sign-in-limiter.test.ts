import { describe, expect, it } from "vitest";
import { AttemptLog } from "@/server/services/auth/attempt-log";

// The sign-in limits themselves are shared through the database now:
// tests/integration/rate-limits-services.test.ts and rate-limits-http.test.ts.
describe("the in-process attempt log", () => {
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
